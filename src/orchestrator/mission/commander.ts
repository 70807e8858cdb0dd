/**
 * The Commander loop: plan → dispatch ready TODOs in parallel → review, until every TODO is done
 * and no sync issue is open (sealed), or a limit stops it (maxIterations, no progress, budget, the
 * user's stop). The loop is deterministic code; the model is asked only for plans, work and reviews.
 * Every transition is persisted before the next action, so a new Commander can resume the mission.
 */
import { agentName } from "../agents/roles";
import type { Role } from "../domain/roles";
import { Plan, Review, WorkerReport, type PlannedTodo } from "../domain/schemas";
import { invalidPlanPrompt, planPrompt, replanPrompt, reviewPrompt, workerPrompt } from "../agents/turnPrompts";
import { StructuredResultError, TurnAbortedError } from "../engine/errors";
import { describeWork, mergeWork, noWork, workOf } from "../engine/turnProgress";
import type { JobOwner } from "../background/jobManager";
import { RecoveryPolicy } from "../recovery/recoveryPolicy";
import type { ModelRef, TurnRequest, TurnResult } from "../engine/turn";
import type { TurnRunner } from "../engine/turnRunner";
import type { OrchestratorEvent } from "../domain/events";
import { Emitter } from "../emitter";
import type { Logger } from "../logger";
import { setMaxListeners } from "node:events";
import { AdaptiveLimit, MAX_PARALLEL_SESSIONS } from "../schedule/adaptiveLimit";
import { DEFAULT_LIMITS, type CommanderLimits } from "./limits";
import { FileLocks } from "../todo/fileLocks";
import { planProblems } from "../todo/planValidation";
import { ReadyQueue } from "../todo/readyQueue";
import { isFinished, TodoGraph } from "../todo/todoGraph";
import { join } from "node:path";
import { StateWriteError, type MissionStore } from "./missionStore";
import type { MissionState, MissionStatus, TodoState } from "../domain/state";
import { accountTurn, doneCount, liveTodos, retryTodo, setTodoStatus, skipTodo } from "../domain/transitions";

/**
 * The background jobs, as the Commander sees them: it learns from its turns which jobs its agents
 * started, does not seal while one of those runs, and kills them when the mission halts.
 */
export interface JobsView {
  running(): Array<{ id: string; startedAt: number; owner?: JobOwner }>;
  readonly changed: { on(listener: () => void): { dispose(): void } };
  claim(jobId: string, owner: JobOwner): void;
  kill(jobId: string): Promise<unknown>;
}

export interface CommanderOptions {
  engine: TurnRunner;
  jobs?: JobsView;
  store: MissionStore;
  logger: Logger;
  model?: ModelRef;
  models?: Partial<Record<Role, ModelRef>>;
  limits?: Partial<CommanderLimits>;
}

/** Finished, or replaced by a replan: its record can leave memory. */
const isClosed = (todo: TodoState) => isFinished(todo) || todo.status === "replaced";

/** Ends the loop with a status; not an error of the mission. */
class MissionHalt extends Error {
  constructor(readonly status: MissionStatus, readonly reason: string) {
    super(reason);
  }
}

export const USER_STOP_REASON = "stopped by the user";

/**
 * The halt an error causes. A state folder that cannot be written can become writable again, so
 * the mission stops resumably; anything unforeseen fails it.
 */
function haltFor(error: unknown): MissionHalt {
  if (error instanceof MissionHalt) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new MissionHalt(error instanceof StateWriteError ? "stopped" : "failed", message);
}

export class Commander {
  readonly events = new Emitter<OrchestratorEvent>();
  private readonly limits: CommanderLimits;
  private readonly limit: AdaptiveLimit;
  private readonly locks = new FileLocks();
  private readonly abort = new AbortController();
  private readonly runningSessions = new Set<string>();
  /** Turns still in flight; after a halt they are awaited, so the state saved last is final. */
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly queue: ReadyQueue;
  private readonly recovery: RecoveryPolicy;
  private readonly todoById = new Map<string, TodoState>();
  private halt?: MissionHalt;
  /** Finished TODOs whose full record is still in memory, oldest first. */
  private readonly finishedWhole: TodoState[] = [];
  private wake?: () => void;
  private replans = 0;
  /** Background jobs this mission's turns started. */
  private readonly jobIds = new Set<string>();
  private readonly runStartedAt = Date.now();

  constructor(
    readonly state: MissionState,
    private readonly options: CommanderOptions,
    private readonly resumed = false,
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.limit = new AdaptiveLimit(this.limits.maxParallelSessions);
    this.recovery = new RecoveryPolicy({ maxAttempts: this.limits.recoveryAttempts, baseDelayMs: this.limits.recoveryBaseDelayMs });
    for (const t of state.todos) this.todoById.set(t.id, t);
    this.queue = new ReadyQueue(state.todos);
    // Every running turn listens to the one abort signal: up to the parallel limit, plus a reviewer and a planner.
    setMaxListeners(MAX_PARALLEL_SESSIONS + 10, this.abort.signal);
  }

  /** A new mission, saved before anything runs. */
  static create(mission: string, options: CommanderOptions): Commander {
    return new Commander(options.store.create(mission), options);
  }

  /** An unfinished mission from disk: running TODOs lost their sessions and go back to pending. */
  static resume(state: MissionState, options: CommanderOptions): Commander {
    for (const todo of state.todos) if (todo.status === "running") setTodoStatus(todo, "pending", "resumed: its session did not survive");
    options.store.save(state);
    return new Commander(state, options, true);
  }

  /** Stops the mission: aborts every running session; the state stays resumable. */
  stop(reason = USER_STOP_REASON): void {
    this.haltWith(new MissionHalt("stopped", reason));
  }

  /** Retry a failed, blocked or skipped TODO now (fresh attempts). */
  retryTodo(id: string): boolean {
    return this.userEdit(id, retryTodo, "retry requested by the user");
  }

  /** Skip a TODO that is not running: its dependents go on without it. */
  skipTodo(id: string): boolean {
    return this.userEdit(id, skipTodo, "skipped by the user");
  }

  private userEdit(id: string, edit: (state: MissionState, id: string) => TodoState | undefined, note: string): boolean {
    const stub = this.todoById.get(id);
    if (stub?.archived) Object.assign(stub, this.options.store.archived(this.state.id, id) ?? {}, { archived: false });
    const from = stub?.status;
    const todo = edit(this.state, id);
    if (!todo || !from) return false;
    this.queue.statusChanged(todo, from);
    this.persist({ type: "todo.status", missionId: this.state.id, todoId: id, from, to: todo.status, note }, [todo]);
    this.wake?.();
    return true;
  }

  async run(): Promise<MissionState> {
    const s = this.state;
    this.persist({ type: "mission.started", missionId: s.id, mission: s.mission, resumed: this.resumed });
    this.options.logger.info(`${this.resumed ? "Resuming" : "Starting"} mission ${s.id}`);
    try {
      if (liveTodos(s).length === 0) {
        this.setStatus("planning");
        const todos = await this.askPlanner(planPrompt(s.mission, join(this.options.store.dir(s.id), "docs")), new Set());
        this.addTodos(todos, false);
      }
      this.setStatus("running");
      await this.loop();
    } catch (error) {
      const halt = error instanceof MissionHalt ? error : (this.halt ?? haltFor(error));
      await this.settleAfterHalt(halt);
    }
    return s;
  }

  private async settleAfterHalt(halt: MissionHalt): Promise<void> {
    this.haltWith(halt);
    // Abort first and wait for it, so no session is left busy on the server.
    await Promise.all([...this.runningSessions].map((id) => this.options.engine.abortSession(id).catch(() => undefined)));
    await Promise.allSettled([...this.inFlight]);
    // The mission's processes end with it: nothing it started keeps running after a stop.
    await Promise.all(this.ownRunningJobs().map((job) => this.options.jobs?.kill(job.id).catch(() => undefined)));
    for (const todo of this.state.todos) if (todo.status === "running") setTodoStatus(todo, "pending", halt.reason);
    this.state.stopReason = halt.reason;
    this.state.report = this.report(halt.status);
    try {
      this.setStatus(halt.status, halt.reason);
      this.options.store.save(this.state);
    } catch (error) {
      this.options.logger.error(`Could not save the final state: ${(error as Error).message}`);
    }
    this.options.logger.info(`Mission ${this.state.id} ${halt.status}: ${halt.reason}`);
  }

  private haltWith(halt: MissionHalt): void {
    if (this.halt) return;
    this.halt = halt;
    this.abort.abort();
    this.wake?.();
  }

  private async loop(): Promise<void> {
    const s = this.state;
    const workers = new Set<Promise<void>>();
    let reviewer: Promise<void> | undefined;
    // A failure to save state inside a worker or a review ends the mission; it must not go unseen.
    const guarded = (work: Promise<void>) => work.catch((error: unknown) => this.haltWith(haltFor(error)));
    const startReview = (batch: TodoState[]) => {
      reviewer = guarded(this.reviewRound(batch)).finally(() => (reviewer = undefined));
    };

    for (;;) {
      if (this.halt) throw this.halt;
      let nothingStartable = false;
      while (workers.size < this.limit.current) {
        const todo = this.queue.next(this.locks);
        if (!todo) {
          nothingStartable = true;
          break;
        }
        this.locks.tryAcquire(todo.id, todo.files);
        const work = guarded(this.runWorker(todo)).finally(() => {
          this.locks.release(todo.id);
          workers.delete(work);
        });
        workers.add(work);
      }

      if (!reviewer && this.queue.inReview.size) {
        // Review when nothing else runs (one round for a whole wave), or when waiting TODOs need it.
        if (workers.size === 0 || (nothingStartable && this.queue.waitingOnReview())) startReview([...this.queue.inReview]);
      }

      if (!reviewer && workers.size === 0) {
        const next = await this.whenQuiet(new TodoGraph(s.todos));
        if (next === "sealed") return;
        if (next instanceof MissionHalt) throw next;
        if (next === "continue") continue;
        startReview([]);
      }

      await new Promise<void>((resolve) => {
        this.wake = resolve;
        for (const p of [...workers, reviewer]) void p?.then(resolve);
      });
    }
  }

  /** Nothing runs: seal, review the whole, replan, or halt. */
  private async whenQuiet(graph: TodoGraph): Promise<"sealed" | "review" | "continue" | MissionHalt> {
    const s = this.state;
    const openIssues = s.syncIssues.filter((i) => i.open);
    if (graph.allDone()) {
      if (openIssues.length === 0 && s.integrationChecked && this.jobsHoldingSeal().length) {
        await this.jobsFinished();
        return "continue";
      }
      if (openIssues.length === 0 && s.integrationChecked) {
        s.report = this.report("sealed");
        this.setStatus("sealed", "every TODO is done and no sync issue is open");
        this.options.store.save(s);
        return "sealed";
      }
      if (openIssues.length === 0) return "review";
      await this.replan();
      return "continue";
    }
    const broken = liveTodos(s).filter((t) => t.status === "blocked" || t.status === "failed");
    if (broken.length || graph.stuck().length) {
      await this.replan();
      return "continue";
    }
    return new MissionHalt("incomplete", "no TODO can run: their dependencies will never be done");
  }

  /** The background jobs this mission started that still run. */
  private ownRunningJobs(): Array<{ id: string }> {
    return this.options.jobs?.running().filter((job) => this.jobIds.has(job.id)) ?? [];
  }

  /**
   * What the seal waits for: the mission's own jobs, and jobs nobody claimed that started while it
   * ran (their turn may have ended before the event naming the job arrived). Jobs of others, or
   * older than the mission, never hold it up.
   */
  private jobsHoldingSeal(): Array<{ id: string }> {
    return this.options.jobs?.running().filter((job) => this.jobIds.has(job.id) || (!job.owner && job.startedAt >= this.runStartedAt)) ?? [];
  }

  /** Waits until none of the mission's background jobs runs (or a halt). */
  private jobsFinished(): Promise<void> {
    this.options.logger.info(`Waiting for ${this.jobsHoldingSeal().length} background job(s) of the mission before sealing`);
    return new Promise((resolve) => {
      const done = () => {
        sub?.dispose();
        resolve();
      };
      const sub = this.options.jobs?.changed.on(() => {
        if (this.jobsHoldingSeal().length === 0) done();
      });
      this.wake = done;
    });
  }

  /** Runs inside the event stream's dispatch: a failure here must halt the mission, not break the stream. */
  private onJobStarted(jobId: string, role: Role, todoIds: string[]): void {
    this.jobIds.add(jobId);
    try {
      this.options.jobs?.claim(jobId, { missionId: this.state.id, role, todoIds });
      this.persist({ type: "job.started", missionId: this.state.id, jobId, role, todoIds });
    } catch (error) {
      this.haltWith(haltFor(error));
    }
  }

  private modelFor(role: Role): ModelRef | undefined {
    return this.options.models?.[role] ?? this.options.model;
  }

  /**
   * Runs one turn of a role under the recovery policy: a failure is retried in a fresh session
   * (after a wait, with feedback in the prompt) up to recoveryAttempts; a credentials or
   * configuration error halts the mission; what is left is thrown to the caller.
   */
  private async turn<T>(role: Role, todoIds: string[], request: Omit<TurnRequest<T>, "agent" | "model" | "signal" | "onSession">, options: { recoverStructured?: boolean } = {}): Promise<TurnResult<T>> {
    let current = request;
    let work = noWork();
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.runOnce(role, todoIds, current);
      } catch (error) {
        if (error instanceof TurnAbortedError || this.halt) throw error;
        work = mergeWork(work, workOf(error) ?? noWork());
        if (error instanceof StructuredResultError && options.recoverStructured === false) throw error;
        const action = this.recovery.decide(error, attempt);
        if (action.kind === "halt") {
          // Credentials or configuration: nothing runs until the user fixes them, then Resume goes on.
          this.haltWith(new MissionHalt("stopped", action.reason));
          throw error;
        }
        if (action.kind === "give-up") throw new Error(action.note, { cause: error });
        if (action.lowerLimit) {
          this.limit.onRateLimit();
          this.persist({ type: "limit.changed", missionId: this.state.id, limit: this.limit.current });
        }
        this.persist({ type: "turn.retry", missionId: this.state.id, role, todoIds, attempt: attempt + 1, delayMs: action.delayMs, note: action.note });
        this.options.logger.warn(`${role}${todoIds.length ? ` ${todoIds.join(", ")}` : ""}: ${action.note}; attempt ${attempt + 1} of ${this.recovery.maxAttempts}`);
        await this.sleep(action.delayMs);
        if (this.halt) throw this.halt;
        // A fresh session: it learns why the last attempt failed and what the attempts so far already did.
        const feedback = [action.feedback, describeWork(work)].filter(Boolean).join("\n\n");
        current = { ...request, sessionId: undefined, prompt: feedback ? `${request.prompt}\n\n${feedback}` : request.prompt };
      }
    }
  }

  /** Waits, but not past a halt. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (ms <= 0 || this.abort.signal.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        this.abort.signal.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.abort.signal.addEventListener("abort", done, { once: true });
    });
  }

  /** One attempt of a turn, with accounting, events and the halt signal. */
  private async runOnce<T>(role: Role, todoIds: string[], request: Omit<TurnRequest<T>, "agent" | "model" | "signal" | "onSession">): Promise<TurnResult<T>> {
    const s = this.state;
    let sessionId = request.sessionId ?? "";
    const started = Date.now();
    try {
      const pending = this.options.engine.runTurn({
        ...request,
        agent: agentName(role),
        model: this.modelFor(role),
        signal: this.abort.signal,
        livenessMs: request.livenessMs ?? this.limits.livenessMs,
        ttlMs: request.ttlMs ?? this.limits.sessionTtlMs,
        onSession: (id) => {
          sessionId = id;
          this.runningSessions.add(id);
          for (const todoId of todoIds) this.todoById.get(todoId)?.sessions.push(id);
          this.persist({ type: "turn.started", missionId: s.id, role, sessionId: id, todoIds });
        },
        onJobStarted: (jobId) => this.onJobStarted(jobId, role, todoIds),
      });
      this.inFlight.add(pending);
      void pending.then(
        () => this.inFlight.delete(pending),
        () => this.inFlight.delete(pending),
      );
      const result = await pending;
      accountTurn(s, role, result);
      this.persist({ type: "turn.finished", missionId: s.id, role, sessionId, todoIds, ok: true, inputTokens: result.tokens.input, outputTokens: result.tokens.output, cost: result.cost, durationMs: result.durationMs });
      this.limit.onSuccess();
      this.checkBudget();
      return result;
    } catch (error) {
      this.persist({ type: "turn.finished", missionId: s.id, role, sessionId, todoIds, ok: false, error: (error as Error).message, inputTokens: 0, outputTokens: 0, cost: 0, durationMs: Date.now() - started });
      throw error;
    } finally {
      this.runningSessions.delete(sessionId);
    }
  }

  private checkBudget(): void {
    const budget = this.limits.budget;
    if (!budget) return;
    const tokens = this.state.usage.inputTokens + this.state.usage.outputTokens;
    if (budget.maxTokens !== undefined && tokens >= budget.maxTokens) this.haltWith(new MissionHalt("budget-exhausted", `token budget reached (${tokens} of ${budget.maxTokens})`));
    if (budget.maxCostUsd !== undefined && this.state.usage.cost >= budget.maxCostUsd) this.haltWith(new MissionHalt("budget-exhausted", `cost budget reached ($${this.state.usage.cost.toFixed(4)} of $${budget.maxCostUsd})`));
  }

  private async askPlanner(prompt: string, existingIds: ReadonlySet<string>): Promise<PlannedTodo[]> {
    let sessionId: string | undefined;
    let message = prompt;
    let problems: string[] = [];
    for (let attempt = 1; attempt <= this.limits.maxPlanAttempts; attempt++) {
      try {
        const result = await this.turn("planner", [], { sessionId, title: `Planner: ${this.state.mission.slice(0, 50)}`, prompt: message, schema: Plan }, { recoverStructured: false });
        sessionId = result.sessionId;
        problems = planProblems((result.structured as Plan).todos, existingIds);
        if (problems.length === 0) return (result.structured as Plan).todos;
      } catch (error) {
        if (!(error instanceof StructuredResultError)) throw error;
        sessionId = error.sessionId;
        problems = [error.issues];
      }
      this.persist({ type: "plan.rejected", missionId: this.state.id, problems });
      this.options.logger.warn(`Plan rejected (attempt ${attempt}): ${problems.join(" ")}`);
      message = invalidPlanPrompt(problems);
    }
    throw new MissionHalt("failed", `The Planner gave no valid plan in ${this.limits.maxPlanAttempts} attempts: ${problems.join(" ")}`);
  }

  private addTodos(planned: PlannedTodo[], replan: boolean): void {
    const now = Date.now();
    const added: TodoState[] = planned.map((p) => ({ ...p, status: "pending", attempts: 0, sessions: [], reviewIssues: [], history: [{ at: now, status: "pending", note: replan ? "added by a replan" : "planned" }] }));
    this.state.todos.push(...added);
    for (const t of added) this.todoById.set(t.id, t);
    this.queue.add(added);
    this.state.integrationChecked = false;
    this.persist({ type: "plan.accepted", missionId: this.state.id, todoIds: planned.map((p) => p.id), replan }, added);
  }

  private async replan(): Promise<void> {
    const s = this.state;
    if (this.replans >= this.limits.maxReplans) throw new MissionHalt("incomplete", `still blocked after ${this.replans} replans`);
    this.replans++;
    const graph = new TodoGraph(s.todos);
    const blocked = liveTodos(s).filter((t) => t.status === "blocked" || t.status === "failed");
    const affected = [...blocked, ...graph.stuck()];
    const openIssues = s.syncIssues.filter((i) => i.open);
    const existing = new Set(s.todos.map((t) => t.id));
    const todos = await this.askPlanner(replanPrompt(s.mission, { todos: liveTodos(s), blocked: affected, syncIssues: openIssues }), existing);
    for (const todo of affected) this.transition(todo, "replaced", "replanned");
    this.addTodos(todos, true);
  }

  private async runWorker(todo: TodoState): Promise<void> {
    todo.attempts += 1;
    this.transition(todo, "running", `attempt ${todo.attempts}`);
    try {
      const todoMd = join(this.options.store.dir(this.state.id), "todo.md");
      const result = await this.turn("worker", [todo.id], { title: `Worker ${todo.id}: ${todo.title}`.slice(0, 80), prompt: workerPrompt(this.state.mission, todo, todoMd), schema: WorkerReport });
      const report = result.structured as WorkerReport;
      todo.report = report;
      if (report.status === "done") this.transition(todo, "review", report.summary);
      else if (report.status === "blocked") this.transition(todo, "blocked", report.notes || report.summary);
      else this.retryOrGiveUp(todo, `the Worker reported failure: ${report.summary}`);
    } catch (error) {
      if (error instanceof TurnAbortedError || this.halt) {
        if (todo.status === "running") this.transition(todo, "pending", "stopped");
        return;
      }
      // Recovery already retried this turn; the TODO fails and the Commander replans it.
      this.transition(todo, "failed", (error as Error).message);
    }
  }

  private retryOrGiveUp(todo: TodoState, note: string): void {
    if (todo.attempts >= this.limits.maxAttemptsPerTodo) this.transition(todo, "failed", `${note} (after ${todo.attempts} attempts)`);
    else this.transition(todo, "pending", note);
  }

  private async reviewRound(batch: TodoState[]): Promise<void> {
    const s = this.state;
    if (s.iteration >= this.limits.maxIterations) return this.haltWith(new MissionHalt("incomplete", `reached maxIterations (${this.limits.maxIterations})`));
    s.iteration += 1;
    const live = liveTodos(s);
    const notDone = live.filter((t) => !isFinished(t));
    const inBatch = new Set(batch);
    const final = notDone.every((t) => inBatch.has(t));
    const integration = !s.integrationChecked && (doneCount(s) + batch.length) / Math.max(1, live.length) >= this.limits.integrationThreshold;
    const doneBefore = doneCount(s);
    try {
      const result = await this.turn("reviewer", batch.map((t) => t.id), { title: `Reviewer: round ${s.iteration}`, prompt: reviewPrompt(s.mission, batch, { integration, final }), schema: Review });
      const review = result.structured as Review;
      const passed: string[] = [];
      const failed: string[] = [];
      for (const verdict of review.verdicts) {
        const todo = batch.find((t) => t.id === verdict.todoId);
        if (!todo || todo.status !== "review") continue;
        if (verdict.verdict === "pass") {
          todo.reviewIssues = [];
          this.transition(todo, "done", "passed review");
          passed.push(todo.id);
        } else {
          todo.reviewIssues = verdict.issues;
          failed.push(todo.id);
          this.retryOrGiveUp(todo, `review failed: ${verdict.issues.join("; ")}`);
        }
      }
      const allPassed = batch.every((t) => t.status === "done");
      if (final && allPassed) {
        // The Reviewer saw the whole: its sync issues replace the open ones.
        for (const issue of s.syncIssues) issue.open = false;
        s.integrationChecked = review.syncIssues.length === 0;
      }
      for (const issue of review.syncIssues) s.syncIssues.push({ id: `S${s.syncIssues.length + 1}`, ...issue, open: true });
      const progress = doneCount(s) > doneBefore || (final && allPassed);
      s.roundsWithoutProgress = progress ? 0 : s.roundsWithoutProgress + 1;
      this.persist({ type: "review.round", missionId: s.id, iteration: s.iteration, passed, failed, syncIssues: review.syncIssues.length }, batch);
    } catch (error) {
      if (error instanceof TurnAbortedError || this.halt) return;
      s.roundsWithoutProgress += 1;
      this.options.logger.warn(`Review round ${s.iteration} failed: ${(error as Error).message}`);
      this.persist({ type: "review.round", missionId: s.id, iteration: s.iteration, passed: [], failed: [], syncIssues: 0 });
    }
    if (s.roundsWithoutProgress >= 2) this.haltWith(new MissionHalt("incomplete", "two review rounds without progress"));
  }

  private transition(todo: TodoState, to: TodoState["status"], note?: string): void {
    const from = setTodoStatus(todo, to, note);
    this.queue.statusChanged(todo, from);
    this.persist({ type: "todo.status", missionId: this.state.id, todoId: todo.id, from, to, note }, [todo]);
    if (isClosed(todo)) this.boundMemory(todo);
  }

  private setStatus(status: MissionStatus, reason?: string): void {
    this.state.status = status;
    this.persist({ type: "mission.status", missionId: this.state.id, status, reason });
  }

  /**
   * Keeps at most maxTasksInMemory finished TODO records whole: older ones go to archive/ (where
   * they stay readable) and a stub stays in the state, enough for the graph, the views and resume.
   */
  private boundMemory(todo: TodoState): void {
    this.finishedWhole.push(todo);
    if (this.finishedWhole.length <= this.limits.maxTasksInMemory) return;
    const old = this.finishedWhole.splice(0, this.finishedWhole.length - this.limits.maxTasksInMemory).filter(isClosed);
    this.options.store.archive(this.state, old);
    for (const t of old) {
      t.archived = true;
      t.description = "";
      t.acceptance = "";
      t.reviewIssues = [];
      t.sessions = [];
      t.history = t.history.slice(-1);
      if (t.report) t.report = { ...t.report, summary: t.report.summary.slice(0, 200), checksRun: [], notes: "", filesChanged: [] };
    }
  }

  /** Journals the event with the TODOs it changed, then tells listeners: what they see is already on disk. */
  private persist(event: OrchestratorEvent, todos: readonly TodoState[] = []): void {
    this.options.store.record(this.state, event, todos);
    this.events.fire(event);
  }

  /** The final report, rendered from state (no model request needed). */
  report(status: MissionStatus = this.state.status): string {
    const s = this.state;
    const live = liveTodos(s);
    const lines = [
      `Mission ${status}: ${doneCount(s)}/${live.length} TODOs done in ${s.iteration} review round(s).`,
      ...live.map((t) => `- ${t.id} ${t.status}: ${t.title}${t.report ? ` — ${t.report.summary}` : ""}`),
      `Usage: ${s.usage.turns} turns, ${s.usage.inputTokens} input + ${s.usage.outputTokens} output tokens, $${s.usage.cost.toFixed(4)}.`,
    ];
    if (s.stopReason && status !== "sealed") lines.splice(1, 0, `Stopped: ${s.stopReason}.`);
    const open = s.syncIssues.filter((i) => i.open);
    if (open.length) lines.push(`Open sync issues: ${open.map((i) => i.title).join("; ")}.`);
    return lines.join("\n");
  }
}
