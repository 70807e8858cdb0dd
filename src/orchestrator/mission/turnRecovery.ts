/**
 * Runs one turn of a role under the RecoveryPolicy: a failed attempt is retried in a fresh session
 * (after a wait, told why the last attempt failed and what the attempts so far already did) up to
 * recoveryAttempts; a credentials or configuration error halts the mission; what is left is thrown
 * to the caller, whose TODO then fails.
 */
import type { OrchestratorEvent } from "../domain/events";
import type { Role } from "../domain/roles";
import { StructuredResultError, TurnAbortedError } from "../engine/errors";
import type { TurnRequest, TurnResult } from "../engine/turn";
import { attachWork, describeWork, mergeWork, noWork, workOf, type WorkDone } from "../engine/turnProgress";
import type { Logger } from "../logger";
import type { RecoveryPolicy } from "../recovery/recoveryPolicy";
import type { AdaptiveLimit } from "../schedule/adaptiveLimit";
import { recoveryHalt, type MissionHalt } from "./stopRules";

/** A turn as the Commander asks for it: agent, model, signal and session hook are its to add. */
export type TurnAsk<T> = Omit<TurnRequest<T>, "agent" | "model" | "signal" | "onSession">;

/** One attempt of a turn, with the Commander's accounting and events. */
export type TurnAttempt = <T>(role: Role, todoIds: string[], request: TurnAsk<T>) => Promise<TurnResult<T>>;

export interface TurnRecoveryDeps {
  missionId: string;
  policy: RecoveryPolicy;
  /** Lowered on a rate limit, so fewer sessions run at once. */
  limit: AdaptiveLimit;
  /** Aborted, with the MissionHalt as its reason, when the mission halts. */
  signal: AbortSignal;
  attempt: TurnAttempt;
  halt(halt: MissionHalt): void;
  persist(event: OrchestratorEvent): void;
  logger: Logger;
}

export class TurnRecovery {
  constructor(private readonly deps: TurnRecoveryDeps) {}

  /** `recoverStructured: false` hands an answer that did not fit its schema back at once (the Planner corrects it in its own session). */
  async run<T>(role: Role, todoIds: string[], request: TurnAsk<T>, options: { recoverStructured?: boolean } = {}): Promise<TurnResult<T>> {
    const { policy, signal } = this.deps;
    let current = request;
    /** What the failed attempts so far did (none yet: undefined). */
    let work: WorkDone | undefined;
    const withEarlier = (done: WorkDone) => (work ? mergeWork(work, done) : done);
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await this.deps.attempt(role, todoIds, current);
        // The result carries what every attempt did: earlier ones wrote files too.
        return { ...result, work: withEarlier(result.work ?? noWork()) };
      } catch (error) {
        work = withEarlier(workOf(error) ?? noWork());
        if (error instanceof TurnAbortedError || signal.aborted) {
          // A stopped turn still did what it did: its TODO's changes include every attempt's work.
          if (error instanceof Error) attachWork(error, work);
          throw error;
        }
        if (error instanceof StructuredResultError && options.recoverStructured === false) throw error;
        const action = policy.decide(error, attempt);
        if (action.kind === "halt") {
          this.deps.halt(recoveryHalt(action.reason));
          throw error;
        }
        if (action.kind === "give-up") {
          const gaveUp = new Error(action.note, { cause: error });
          attachWork(gaveUp, work);
          throw gaveUp;
        }
        if (action.lowerLimit) {
          this.deps.limit.onRateLimit();
          this.deps.persist({ type: "limit.changed", missionId: this.deps.missionId, limit: this.deps.limit.current });
        }
        this.deps.persist({ type: "turn.retry", missionId: this.deps.missionId, role, todoIds, attempt: attempt + 1, delayMs: action.delayMs, note: action.note });
        this.deps.logger.warn(`${role}${todoIds.length ? ` ${todoIds.join(", ")}` : ""}: ${action.note}; attempt ${attempt + 1} of ${policy.maxAttempts}`);
        await sleepUnlessAborted(action.delayMs, signal);
        if (signal.aborted) throw signal.reason;
        // A fresh session: it learns why the last attempt failed and what the attempts so far already did.
        const feedback = [action.feedback, describeWork(work, [request.prompt, action.feedback ?? ""])].filter(Boolean).join("\n\n");
        current = { ...request, sessionId: undefined, prompt: feedback ? `${request.prompt}\n\n${feedback}` : request.prompt };
      }
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
