/**
 * A turn of a role, from its ask to its outcome: each attempt runs on the engine with the mission's
 * model, limits and abort signal, journaled (turn.started, turn.finished) and accounted (tokens,
 * cost, the budget); a failed attempt is retried under the RecoveryPolicy in a fresh session (after
 * a wait, told why the last attempt failed and what the attempts so far already did) up to
 * recoveryAttempts; a credentials or configuration error halts the mission. What is left is a
 * failed outcome, carrying every attempt's work, for the caller to settle (its TODO then fails).
 */
import { agentName } from "../agents/roles";
import type { OrchestratorEvent } from "../domain/events";
import type { Role } from "../domain/roles";
import type { MissionState } from "../domain/state";
import { accountTurn } from "../domain/transitions";
import { StructuredResultError, TurnAbortedError } from "../engine/errors";
import { turnFailed, type ModelRef, type TurnOutcome, type TurnRequest } from "../engine/turn";
import { describeWork, mergeWork, type WorkDone } from "../engine/turnProgress";
import type { TurnRunner } from "../engine/turnRunner";
import type { Logger } from "../common/logger";
import { RecoveryPolicy } from "../recovery/recoveryPolicy";
import type { AdaptiveLimit } from "../schedule/adaptiveLimit";
import { LoadMonitor } from "../schedule/loadMonitor";
import type { CommanderLimits } from "./limits";
import { budgetExceeded, recoveryHalt, type MissionHalt } from "./stopRules";

/** A turn as the Commander asks for it: agent, model, signal and session hook are its to add. */
export type TurnAsk<T> = Omit<TurnRequest<T>, "agent" | "model" | "signal" | "onSession">;

export interface TurnRecoveryDeps {
  state: MissionState;
  engine: TurnRunner;
  model?: ModelRef;
  models?: Partial<Record<Role, ModelRef>>;
  limits: Pick<CommanderLimits, "livenessMs" | "sessionTtlMs" | "budget" | "recoveryAttempts" | "recoveryBaseDelayMs">;
  /** Lowered on a rate limit or an overload, so fewer sessions run at once; raised again by turns that succeed. */
  limit: AdaptiveLimit;
  /** Aborted, with the MissionHalt as its reason, when the mission halts. */
  signal: AbortSignal;
  /** The Commander's books: a session started for these TODOs, and ended (done, failed or aborted). */
  sessionStarted(sessionId: string, role: Role, todoIds: string[]): void;
  sessionEnded(sessionId: string): void;
  /** A turn started a background job (told from inside the event stream's dispatch). */
  jobStarted(jobId: string, role: Role, todoIds: string[]): void;
  halt(halt: MissionHalt): void;
  persist(event: OrchestratorEvent): void;
  logger: Logger;
}

export class TurnRecovery {
  /** Sessions at work: aborted when the mission halts. */
  private readonly running = new Set<string>();
  /** Attempts in flight: after a halt they are awaited, so the state saved last is final. */
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly policy: RecoveryPolicy;
  /** Tells one stalled turn from an overloaded server (many silent turns at once): then the limit is lowered instead of aborting them. */
  private readonly load: LoadMonitor;

  constructor(private readonly deps: TurnRecoveryDeps) {
    const { limits, limit, logger } = deps;
    this.policy = new RecoveryPolicy({ maxAttempts: limits.recoveryAttempts, baseDelayMs: limits.recoveryBaseDelayMs });
    this.load = new LoadMonitor((silentTurns) => {
      limit.onOverload();
      logger.warn(`${silentTurns} turns silent at once: the server is overloaded; parallel limit lowered to ${limit.current} instead of aborting them`);
      deps.persist({ type: "limit.changed", missionId: deps.state.id, limit: limit.current });
    });
  }

  /** `recoverStructured: false` hands an answer that did not fit its schema back at once (the Planner corrects it in its own session). */
  async run<T>(role: Role, todoIds: string[], request: TurnAsk<T>, options: { recoverStructured?: boolean } = {}): Promise<TurnOutcome<T>> {
    const { policy } = this;
    const { signal } = this.deps;
    let current = request;
    /** What the attempts so far did (none yet: undefined). */
    let work: WorkDone | undefined;
    const withEarlier = (done: WorkDone) => (work ? mergeWork(work, done) : done);
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.attempt(role, todoIds, current);
      // The outcome carries what every attempt did: earlier ones wrote files too.
      work = withEarlier(outcome.work);
      if (outcome.ok) return { ...outcome, work };
      const { error } = outcome;
      if (error instanceof TurnAbortedError || signal.aborted) return { ...outcome, work };
      if (error instanceof StructuredResultError && options.recoverStructured === false) return { ...outcome, work };
      const action = policy.decide(error, attempt);
      if (action.kind === "halt") {
        this.deps.halt(recoveryHalt(action.reason));
        return { ...outcome, work };
      }
      if (action.kind === "give-up") return { ...outcome, error: new Error(action.note, { cause: error }), work };
      if (action.lowerLimit) {
        this.deps.limit.onRateLimit();
        this.deps.persist({ type: "limit.changed", missionId: this.deps.state.id, limit: this.deps.limit.current });
      }
      this.deps.persist({ type: "turn.retry", missionId: this.deps.state.id, role, todoIds, attempt: attempt + 1, delayMs: action.delayMs, note: action.note });
      this.deps.logger.warn(`${role}${todoIds.length ? ` ${todoIds.join(", ")}` : ""}: ${action.note}; attempt ${attempt + 1} of ${policy.maxAttempts}`);
      await sleepUnlessAborted(action.delayMs, signal);
      if (signal.aborted) return { ...turnFailed(signal.reason, Date.now()), work };
      // A fresh session: it learns why the last attempt failed and what the attempts so far already did.
      const feedback = [action.feedback, describeWork(work, [request.prompt, action.feedback ?? ""])].filter(Boolean).join("\n\n");
      current = { ...request, sessionId: undefined, prompt: feedback ? `${request.prompt}\n\n${feedback}` : request.prompt };
    }
  }

  /** After a halt: aborts every running session and waits for the attempts in flight, so no session is left busy and the state saved last is final. */
  async stopAll(): Promise<void> {
    await Promise.all([...this.running].map((id) => this.deps.engine.abortSession(id).catch(() => undefined)));
    await Promise.allSettled([...this.inFlight]);
  }

  /** One attempt, with accounting, events and the halt signal. */
  private async attempt<T>(role: Role, todoIds: string[], request: TurnAsk<T>): Promise<TurnOutcome<T>> {
    const { state, limits } = this.deps;
    let sessionId = request.sessionId ?? "";
    try {
      const pending = this.deps.engine.runTurn({
        ...request,
        agent: agentName(role),
        model: this.deps.models?.[role] ?? this.deps.model,
        signal: this.deps.signal,
        livenessMs: request.livenessMs ?? limits.livenessMs,
        watch: this.load,
        ttlMs: request.ttlMs ?? limits.sessionTtlMs,
        onSession: (id) => {
          sessionId = id;
          this.running.add(id);
          this.deps.sessionStarted(id, role, todoIds);
          this.deps.persist({ type: "turn.started", missionId: state.id, role, sessionId: id, todoIds });
        },
        onJobStarted: (jobId) => this.deps.jobStarted(jobId, role, todoIds),
      });
      this.inFlight.add(pending);
      const settled = () => this.inFlight.delete(pending);
      void pending.then(settled, settled);
      const outcome = await pending;
      if (!outcome.ok) {
        this.deps.persist({ type: "turn.finished", missionId: state.id, role, sessionId, todoIds, ok: false, error: outcome.error.message, inputTokens: 0, outputTokens: 0, cost: 0, durationMs: outcome.durationMs });
        return outcome;
      }
      accountTurn(state, role, outcome);
      this.deps.persist({ type: "turn.finished", missionId: state.id, role, sessionId, todoIds, ok: true, inputTokens: outcome.tokens.input, outputTokens: outcome.tokens.output, cost: outcome.cost, durationMs: outcome.durationMs });
      this.deps.limit.onSuccess();
      const spent = budgetExceeded(state, limits.budget);
      if (spent) this.deps.halt(spent);
      return outcome;
    } finally {
      this.running.delete(sessionId);
      this.deps.sessionEnded(sessionId);
    }
  }
}

/** Waits, but not past a halt. */
function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
