/**
 * The Commander loop: plan → dispatch ready TODOs in parallel → review, until every TODO is done
 * and no sync issue is open (sealed), or a stop rule ends it. The loop is deterministic code; the
 * model is asked only for plans, work and reviews. Every transition is persisted before the next
 * action, so a new Commander can resume the mission.
 *
 * This file dispatches, wakes when something ends, and halts. Every policy lives in a room of its
 * own (docs/architecture.md has the table): how a turn runs and is retried (turnRecovery), a
 * Worker's attempt and what follows its report (workerOutcome), a review round (reviewRound, over
 * reviewPolicy), plans and replans (planning), what follows a TODO's status change
 * (todoTransitions), file-scope asks (scopeAnswers, over fileScopes), what comes when nothing runs
 * (whenQuiet), why a mission stops (stopRules), how many finished records stay in memory
 * (memoryBound), the background jobs that hold the seal (missionJobs) and the report (missionReport).
 */
import type { Role } from "../domain/roles";
import type { ModelRef } from "../engine/turn";
import type { TurnRunner } from "../engine/turnRunner";
import type { OrchestratorEvent } from "../domain/events";
import { Emitter } from "../common/emitter";
import type { Logger } from "../common/logger";
import { setMaxListeners } from "node:events";
import { AdaptiveLimit, MAX_PARALLEL_SESSIONS } from "../schedule/adaptiveLimit";
import { DEFAULT_LIMITS, type CommanderLimits } from "./limits";
import { FileLocks } from "../todo/fileLocks";
import { ReadyQueue } from "../todo/readyQueue";
import { join } from "node:path";
import type { MissionStore } from "./missionStore";
import type { MissionState, MissionStatus, TodoState } from "../domain/state";
import { liveTodos, retryTodo, setTodoStatus, skipTodo } from "../domain/transitions";
import { MemoryBound } from "./memoryBound";
import { TodoTransitions } from "./todoTransitions";
import { MissionJobs, type JobsView } from "./missionJobs";
import { missionReport } from "./missionReport";
import { Planning } from "./planning";
import type { PlanApproval } from "./planApproval";
import { ChangeRecorder, type Checkpoints } from "./changeRecorder";
import { ReviewPolicy } from "./reviewPolicy";
import { reviewRound, type ReviewRoundDeps } from "./reviewRound";
import { haltFor, iterationLimit, MissionHalt, noProgress, userStop } from "./stopRules";
import { TurnRecovery } from "./turnRecovery";
import { workerAttempt, type WorkerOutcomeDeps } from "./workerOutcome";
import { whenQuiet, type QuietDeps } from "./whenQuiet";
import type { CheckJobs } from "./acceptanceChecks";
import { MissionChecks } from "./missionChecks";
import type { ScopeAnswer } from "./fileScopes";
import { ScopeAnswers } from "./scopeAnswers";
import type { PermissionRule } from "../agents/commandPolicy";
import { BackgroundJobManager } from "../background/jobManager";

export interface CommanderOptions {
  engine: TurnRunner;
  /** The workspace's background jobs: the agents' (they hold the seal) and the acceptance checks. */
  jobs?: JobsView & CheckJobs;
  /** The project's whole check (orchestrator.checkCommand), over the plan's. */
  checkCommand?: string;
  /** What file scopes need to know of the server: its worktree (asks name files relative to it) and the user's rules. */
  scopes?: { worktree?: string; rules?: readonly PermissionRule[] };
  /** The orchestrator's checkpoints of the workspace; without them TODOs record no changes. */
  checkpoints?: Checkpoints;
  store: MissionStore;
  logger: Logger;
  model?: ModelRef;
  models?: Partial<Record<Role, ModelRef>>;
  limits?: Partial<CommanderLimits>;
  /** How a new plan is estimated and put to the user (orchestrator.approvePlan); absent: it runs at once. */
  approval?: PlanApproval;
}

export class Commander {
  readonly events = new Emitter<OrchestratorEvent>();
  private readonly limits: CommanderLimits;
  private readonly limit: AdaptiveLimit;
  private readonly locks: FileLocks;
  private readonly abort = new AbortController();
  /** Worker runs in flight: after a halt they are awaited too (their last checkpoint and transition). */
  private readonly workerRuns = new Set<Promise<void>>();
  private readonly queue: ReadyQueue;
  private readonly reviews: ReviewPolicy;
  private readonly recovery: TurnRecovery;
  private readonly planning: Planning;
  /** Every TODO status change goes through here (the queue, the files, the journal, the memory bound see it). */
  private readonly transitions: TodoTransitions;
  private readonly transition: TodoTransitions["to"];
  private readonly jobs: MissionJobs;
  private readonly changes: ChangeRecorder;
  private readonly todoById = new Map<string, TodoState>();
  /** Whose file scope an edit ask is about, and the answer (fileScopes.ts decides). */
  private readonly scopes: ScopeAnswers;
  private readonly checks: MissionChecks;
  private readonly quiet: QuietDeps;
  private readonly rounds: ReviewRoundDeps;
  private readonly workers: WorkerOutcomeDeps;
  private halt?: MissionHalt;
  private wake?: () => void;

  constructor(
    readonly state: MissionState,
    private readonly options: CommanderOptions,
    private readonly resumed = false,
  ) {
    const limits = (this.limits = { ...DEFAULT_LIMITS, ...options.limits });
    const { store, logger } = options;
    const signal = this.abort.signal;
    const persist = (event: OrchestratorEvent, todos?: readonly TodoState[]) => this.persist(event, todos);
    const halted = () => this.halt !== undefined;
    this.limit = new AdaptiveLimit(limits.maxParallelSessions);
    this.locks = new FileLocks(store.workspace);
    // A write waits for its holder as long as a request waits for the user, then goes on without the file.
    const scopes = { workspace: store.workspace, ...options.scopes, maxWaitMs: limits.permissionTimeoutMs };
    this.scopes = new ScopeAnswers({ missionId: state.id, locks: this.locks, scopes, todo: (id) => this.todoById.get(id), signal, halted, journal: (event) => this.inDispatch(() => this.persist(event)), wake: () => this.wake?.() });
    // Checks run as the workspace's background jobs, or as jobs of the Commander's own.
    const checkJobs = options.jobs ?? new BackgroundJobManager({ workspace: store.workspace });
    this.checks = new MissionChecks({ state, jobs: checkJobs, claim: (jobId, owner) => options.jobs?.claim(jobId, owner), timeoutMs: limits.checkTimeoutMs, signal, command: options.checkCommand, persist, save: () => store.save(state) });
    for (const t of state.todos) this.todoById.set(t.id, t);
    // A TODO keeps its files until it is accepted: resumed, those in review or sent back take them again.
    for (const t of state.todos) if (t.status === "review" || (t.status === "pending" && t.attempts > 0)) this.locks.tryAcquire(t.id, t.files);
    this.queue = new ReadyQueue(state.todos);
    this.transitions = new TodoTransitions({ state, queue: this.queue, scopes: this.scopes, memory: new MemoryBound(state, store, limits.maxTasksInMemory), todo: (id) => this.todoById.get(id), persist });
    this.transition = this.transitions.to;
    this.reviews = new ReviewPolicy(state, limits, this.transition);
    this.jobs = new MissionJobs(options.jobs, state.id);
    this.changes = new ChangeRecorder(store.workspace, options.checkpoints, logger);
    this.recovery = new TurnRecovery({
      state, engine: options.engine, model: options.model, models: options.models, limits, limit: this.limit, signal, persist, logger,
      sessionStarted: (sessionId, role, todoIds) => {
        for (const todoId of todoIds) this.todoById.get(todoId)?.sessions.push(sessionId);
        if (role === "worker" && todoIds[0]) this.scopes.workerStarted(sessionId, todoIds[0]);
      },
      sessionEnded: (sessionId) => this.scopes.sessionEnded(sessionId),
      jobStarted: (jobId, role, todoIds) => this.onJobStarted(jobId, role, todoIds),
      halt: (halt) => this.haltWith(halt),
    });
    this.planning = new Planning({
      state, store, recovery: this.recovery, approval: options.approval, signal, persist, logger, transition: this.transition,
      maxPlanAttempts: limits.maxPlanAttempts, maxReplans: limits.maxReplans, approveAboveUsd: limits.approveAboveUsd,
      setStatus: (status) => this.setStatus(status),
      added: (todos) => {
        for (const t of todos) this.todoById.set(t.id, t);
        this.queue.add(todos);
        this.reviews.add(todos);
      },
    });
    this.quiet = { state, jobs: this.jobs, checks: this.checks, changes: this.changes, planning: this.planning, halt: () => this.halt, waitFor: (subscribe) => this.waitFor(subscribe), seal: () => this.seal(), logger };
    this.rounds = { state, reviews: this.reviews, changes: this.changes, recovery: this.recovery, halted, persist, logger };
    const todoMd = join(store.dir(state.id), "todo.md");
    this.workers = { state, todoMd, recovery: this.recovery, scopes: this.scopes, changes: this.changes, checks: this.checks, maxAttemptsPerTodo: limits.maxAttemptsPerTodo, transition: this.transition, halted };
    // Every running turn listens to the one abort signal: up to the parallel limit (Workers and Reviewers), plus a planner.
    setMaxListeners(MAX_PARALLEL_SESSIONS + 10, signal);
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
  stop(reason?: string): void {
    this.haltWith(userStop(reason));
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
    const edited = this.transitions.byUser(id, edit, note);
    if (edited) this.wake?.();
    return edited;
  }

  async run(): Promise<MissionState> {
    const s = this.state;
    this.persist({ type: "mission.started", missionId: s.id, mission: s.mission, resumed: this.resumed });
    this.options.logger.info(`${this.resumed ? "Resuming" : "Starting"} mission ${s.id}`);
    try {
      // The workspace before the mission's first change, taken while the Planner plans: nothing
      // else queues on the store yet, so its scan begins before the Planner could write anything (a
      // write needs a model reply first). Awaited before any Worker starts.
      const start = this.changes.missionStart(s);
      if (liveTodos(s).length === 0) await this.planning.first();
      await start;
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
    await this.recovery.stopAll();
    await Promise.allSettled([...this.workerRuns]);
    await this.jobs.killOwn();
    for (const todo of this.state.todos) if (todo.status === "running") setTodoStatus(todo, "pending", halt.reason);
    await this.changes.missionEnd(this.state);
    this.state.stopReason = halt.reason;
    this.state.report = missionReport(this.state, halt.status);
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
    this.abort.abort(halt);
    this.wake?.();
  }

  private async loop(): Promise<void> {
    const s = this.state;
    const workers = new Set<Promise<void>>();
    const reviews = new Set<Promise<void>>();
    const sessions = () => workers.size + reviews.size;
    // A failure to save state inside a worker or a review ends the mission; it must not go unseen.
    const guarded = (work: Promise<void>) => work.catch((error: unknown) => this.haltWith(haltFor(error)));
    const startReview = (batch: TodoState[]) => {
      const limit = this.reviews.countsAsIteration(workers.size) ? iterationLimit(s, this.limits.maxIterations) : undefined;
      // Rounds already in flight were counted: their verdicts land before the mission stops.
      if (limit && reviews.size === 0) throw limit;
      if (limit) return;
      const review = guarded(reviewRound(this.rounds, batch, workers.size)).finally(() => reviews.delete(review));
      reviews.add(review);
    };

    for (;;) {
      if (this.halt) throw this.halt;
      const stalled = noProgress(s, { roundEnded: this.reviews.roundEnded, inFlight: sessions() });
      if (stalled) throw stalled;
      while (sessions() < this.limit.current) {
        const todo = this.queue.next(this.locks);
        if (!todo) break;
        // Its files stay its own until it is accepted (a transition lets go of them), not just while its Worker runs.
        this.locks.tryAcquire(todo.id, todo.files);
        const run = workerAttempt(this.workers, todo);
        this.workerRuns.add(run);
        void run.finally(() => this.workerRuns.delete(run)).catch(() => undefined);
        const work = guarded(run).finally(() => workers.delete(work));
        workers.add(work);
      }

      // A free slot here means no Worker can start: a review may take it. A write parked on a TODO in
      // review lends its slot to that review: it does no model work while it waits, and the review
      // it waits for must not wait for the slot it holds.
      const parked = this.scopes.parkedOnReview();
      const free = sessions() < this.limit.current;
      if (free || sessions() - parked.slots < this.limit.current) {
        const awaitedFiles = new Set([...parked.holders, ...this.queue.heldUpBy]);
        const batch = this.reviews.due(this.queue.inReview, workers.size, awaitedFiles);
        if (batch && (free || batch.some((t) => parked.holders.has(t.id)))) startReview(batch);
      }

      if (sessions() === 0) {
        const next = await whenQuiet(this.quiet);
        if (next === "sealed") return;
        if (next instanceof MissionHalt) throw next;
        if (next === "continue") continue;
        startReview([]);
      }

      await new Promise<void>((resolve) => {
        this.wake = resolve;
        for (const p of [...workers, ...reviews]) void p.then(resolve);
      });
    }
  }

  /** Waits until `subscribe` calls back, or a halt or a user's edit wakes the loop. */
  private waitFor(subscribe: (done: () => void) => { dispose(): void }): Promise<void> {
    return new Promise<void>((resolve) => {
      const sub = subscribe(resolve);
      this.wake = () => {
        sub.dispose();
        resolve();
      };
    });
  }

  /** A turn started a background job: the mission's, attributed to the turn's TODOs (told inside the event dispatch). */
  private onJobStarted(jobId: string, role: Role, todoIds: string[]): void {
    this.inDispatch(() => {
      this.jobs.started(jobId, role, todoIds);
      this.persist({ type: "job.started", missionId: this.state.id, jobId, role, todoIds });
    });
  }

  /** An edit ask from one of this mission's Worker sessions, outside its TODO's files: the Commander answers it (undefined: the user's to answer). */
  answerScope(sessionId: string, permission: string, paths: readonly string[]): Promise<ScopeAnswer> | undefined {
    return this.scopes.answer(sessionId, permission, paths);
  }

  /** Every TODO is done, the whole was reviewed, no sync issue is open. */
  private seal(): void {
    this.setStatus("sealed", "every TODO is done and no sync issue is open");
    this.options.store.save(this.state);
  }

  private setStatus(status: MissionStatus, reason?: string): void {
    this.state.status = status;
    this.persist({ type: "mission.status", missionId: this.state.id, status, reason });
  }

  /** Journals the event with the TODOs it changed, then tells listeners: what they see is already on disk. */
  private persist(event: OrchestratorEvent, todos: readonly TodoState[] = []): void {
    this.options.store.record(this.state, event, todos);
    this.events.fire(event);
  }

  /** Work done inside the event stream's dispatch (a turn's event, an ask): a failure halts the mission instead of breaking the stream. */
  private inDispatch(work: () => void): void {
    try {
      work();
    } catch (error) {
      this.haltWith(haltFor(error));
    }
  }
}
