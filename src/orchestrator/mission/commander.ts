/**
 * The Commander loop: plan → dispatch ready TODOs in parallel → review, until every TODO is done
 * and no sync issue is open (sealed), or a stop rule ends it. The loop is deterministic code; the
 * model is asked only for plans, work and reviews. Every transition is persisted before the next
 * action, so a new Commander can resume the mission.
 *
 * Its policies live in rooms of their own: why a mission stops (stopRules), when and what the
 * Reviewer reviews and what its verdicts do (reviewPolicy), how a failed turn is retried
 * (turnRecovery), how an invalid plan goes back to the Planner (planning), how many finished
 * records stay in memory (memoryBound), the background jobs that hold the seal (missionJobs) and
 * the final report (missionReport). This file dispatches turns and wakes when one ends.
 */
import { agentName } from "../agents/roles";
import type { Role } from "../domain/roles";
import { Review, WorkerReport, type PlannedTodo } from "../domain/schemas";
import { planPrompt, replanPrompt, reviewPrompt, userReplanPrompt, workerPrompt } from "../agents/turnPrompts";
import { TurnAbortedError } from "../engine/errors";
import { workOf } from "../engine/turnProgress";
import { RecoveryPolicy } from "../recovery/recoveryPolicy";
import type { ModelRef, TurnResult } from "../engine/turn";
import type { TurnRunner } from "../engine/turnRunner";
import type { OrchestratorEvent } from "../domain/events";
import { Emitter } from "../emitter";
import type { Logger } from "../logger";
import { setMaxListeners } from "node:events";
import { AdaptiveLimit, MAX_PARALLEL_SESSIONS } from "../schedule/adaptiveLimit";
import { DEFAULT_LIMITS, type CommanderLimits } from "./limits";
import { FileLocks } from "../todo/fileLocks";
import { ReadyQueue } from "../todo/readyQueue";
import { TodoGraph } from "../todo/todoGraph";
import { join } from "node:path";
import type { MissionStore } from "./missionStore";
import type { MissionState, MissionStatus, TodoState, TodoStatus } from "../domain/state";
import { accountTurn, liveTodos, pendingTodo, retryTodo, setTodoStatus, skipTodo } from "../domain/transitions";
import { failedOrBlocked } from "../domain/todoStatus";
import { isClosed, MemoryBound } from "./memoryBound";
import { MissionJobs, type JobsView } from "./missionJobs";
import { missionReport } from "./missionReport";
import { askPlanner, type PlanningDeps } from "./planning";
import type { PlanApproval } from "./planApproval";
import { settlePlan } from "./planProposal";
import { ChangeRecorder, type Checkpoints } from "./changeRecorder";
import { retryOrGiveUp, ReviewPolicy } from "./reviewPolicy";
import { budgetExceeded, deadDependencies, haltFor, iterationLimit, MissionHalt, noProgress, replanLimit, revertedTodos, userStop } from "./stopRules";
import { TurnRecovery, type TurnAsk } from "./turnRecovery";
import type { CheckJobs } from "./acceptanceChecks";
import { MissionChecks } from "./missionChecks";
import { LoadMonitor } from "../schedule/loadMonitor";
import { FileScopes, type ScopeAnswer } from "./fileScopes";
import type { PermissionRule } from "../agents/commandPolicy";
import { BackgroundJobManager } from "../background/jobManager";

/** A TODO in one of these lets go of its files: accepted, or out of the plan's way. */
const LETS_GO_OF_FILES: ReadonlySet<TodoStatus> = new Set(["done", "failed", "blocked", "replaced", "skipped", "reverted"]);

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
  private readonly runningSessions = new Set<string>();
  /** Turns still in flight; after a halt they are awaited, so the state saved last is final. */
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Worker runs in flight: after a halt they are awaited too (their last checkpoint and transition). */
  private readonly workerRuns = new Set<Promise<void>>();
  private readonly queue: ReadyQueue;
  private readonly reviews: ReviewPolicy;
  private readonly recovery: TurnRecovery;
  private readonly planning: PlanningDeps;
  private readonly memory: MemoryBound;
  private readonly jobs: MissionJobs;
  private readonly changes: ChangeRecorder;
  private readonly todoById = new Map<string, TodoState>();
  private readonly scopes: FileScopes;
  private readonly checks: MissionChecks;
  /** Tells one stalled turn from an overloaded server (many silent turns at once). */
  private readonly load: LoadMonitor;
  /** The running Worker sessions and their TODO: whose file scope an edit ask is about. */
  private readonly workerSessions = new Map<string, string>();
  private halt?: MissionHalt;
  private wake?: () => void;
  private replans = 0;

  constructor(
    readonly state: MissionState,
    private readonly options: CommanderOptions,
    private readonly resumed = false,
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.locks = new FileLocks(options.store.workspace);
    this.scopes = new FileScopes(this.locks, {
      workspace: options.store.workspace,
      worktree: options.scopes?.worktree,
      rules: options.scopes?.rules,
      // A write waits for its holder as long as a request waits for the user, then goes on without the file.
      maxWaitMs: this.limits.permissionTimeoutMs,
      titleOf: (id) => this.todoById.get(id)?.title ?? id,
      sentBack: (id) => this.todoById.get(id)?.status === "pending",
    });
    this.load = new LoadMonitor((silentTurns) => {
      this.limit.onOverload();
      options.logger.warn(`${silentTurns} turns silent at once: the server is overloaded; parallel limit lowered to ${this.limit.current} instead of aborting them`);
      this.persist({ type: "limit.changed", missionId: state.id, limit: this.limit.current });
    });
    this.checks = new MissionChecks({
      state,
      // Checks run as the workspace's background jobs, or as jobs of the Commander's own.
      jobs: options.jobs ?? new BackgroundJobManager({ workspace: options.store.workspace }),
      claim: (jobId, owner) => options.jobs?.claim(jobId, owner),
      timeoutMs: this.limits.checkTimeoutMs,
      signal: this.abort.signal,
      command: options.checkCommand,
      persist: (event, todos) => this.persist(event, todos),
      save: () => options.store.save(state),
    });
    this.limit = new AdaptiveLimit(this.limits.maxParallelSessions);
    for (const t of state.todos) this.todoById.set(t.id, t);
    // A TODO keeps its files until it is accepted: resumed, those in review or sent back take them again.
    for (const t of state.todos) if (t.status === "review" || (t.status === "pending" && t.attempts > 0)) this.locks.tryAcquire(t.id, t.files);
    this.queue = new ReadyQueue(state.todos);
    this.reviews = new ReviewPolicy(state, this.limits, this.transition);
    this.memory = new MemoryBound(state, options.store, this.limits.maxTasksInMemory);
    this.jobs = new MissionJobs(options.jobs, state.id);
    this.changes = new ChangeRecorder(options.store.workspace, options.checkpoints, options.logger);
    this.recovery = new TurnRecovery({
      missionId: state.id,
      policy: new RecoveryPolicy({ maxAttempts: this.limits.recoveryAttempts, baseDelayMs: this.limits.recoveryBaseDelayMs }),
      limit: this.limit,
      signal: this.abort.signal,
      attempt: (role, todoIds, request) => this.runOnce(role, todoIds, request),
      halt: (halt) => this.haltWith(halt),
      persist: (event) => this.persist(event),
      logger: options.logger,
    });
    this.planning = { state, recovery: this.recovery, maxPlanAttempts: this.limits.maxPlanAttempts, persist: (event) => this.persist(event), logger: options.logger };
    // Every running turn listens to the one abort signal: up to the parallel limit (Workers and Reviewers), plus a planner.
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
    const stub = this.todoById.get(id);
    this.memory.restore(stub);
    const from = stub?.status;
    const todo = edit(this.state, id);
    if (!todo || !from) return false;
    this.queue.statusChanged(todo, from);
    this.persist({ type: "todo.status", missionId: this.state.id, todoId: id, from, to: todo.status, note }, [todo]);
    if (LETS_GO_OF_FILES.has(todo.status)) this.scopes.release(todo.id);
    this.wake?.();
    return true;
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
      if (liveTodos(s).length === 0) {
        // Resumed while the user had the plan: the same plan is put again, no Planner's turn spent.
        let proposal = s.proposal;
        if (!proposal) {
          this.setStatus("planning");
          const plan = await askPlanner(this.planning, planPrompt(s.mission, this.docsDir), { existingIds: new Set() }, false);
          proposal = { todos: plan.todos, check: plan.check, round: 1 };
        }
        const plan = await settlePlan(
          {
            state: s,
            approval: this.options.approval,
            aboveUsd: this.limits.approveAboveUsd,
            signal: this.abort.signal,
            setStatus: (status) => this.setStatus(status),
            persist: (event) => this.persist(event),
            replan: (declined, feedback) => askPlanner(this.planning, userReplanPrompt(s.mission, this.docsDir, declined.todos, feedback), { existingIds: new Set() }, false),
          },
          proposal,
        );
        this.addTodos(plan.todos, false, plan.check);
      }
      await start;
      this.setStatus("running");
      await this.loop();
    } catch (error) {
      const halt = error instanceof MissionHalt ? error : (this.halt ?? haltFor(error));
      await this.settleAfterHalt(halt);
    }
    return s;
  }

  /** Where the Planner caches the docs it fetched. */
  private get docsDir(): string {
    return join(this.options.store.dir(this.state.id), "docs");
  }

  private async settleAfterHalt(halt: MissionHalt): Promise<void> {
    this.haltWith(halt);
    // Abort first and wait for it, so no session is left busy on the server.
    await Promise.all([...this.runningSessions].map((id) => this.options.engine.abortSession(id).catch(() => undefined)));
    await Promise.allSettled([...this.inFlight]);
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
      const review = guarded(this.reviewRound(batch, workers.size)).finally(() => reviews.delete(review));
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
        const run = this.runWorker(todo);
        this.workerRuns.add(run);
        void run.finally(() => this.workerRuns.delete(run)).catch(() => undefined);
        const work = guarded(run).finally(() => workers.delete(work));
        workers.add(work);
      }

      // A free slot here means no Worker can start: a review may take it. A write parked on a TODO in
      // review lends its slot to that review: it does no model work while it waits, and the review
      // it waits for must not wait for the slot it holds.
      const parked = this.parkedOnReview();
      const free = sessions() < this.limit.current;
      if (free || sessions() - parked.slots < this.limit.current) {
        const awaitedFiles = new Set([...parked.holders, ...this.queue.heldUpBy]);
        const batch = this.reviews.due(this.queue.inReview, workers.size, awaitedFiles);
        if (batch && (free || batch.some((t) => parked.holders.has(t.id)))) startReview(batch);
      }

      if (sessions() === 0) {
        const next = await this.whenQuiet(new TodoGraph(s.todos));
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

  /** Writes parked on TODOs in review: how many sessions they hold (one slot each to lend), and the TODOs they wait for. */
  private parkedOnReview(): { slots: number; holders: Set<string> } {
    const holders = new Set<string>();
    const sessions = new Set<string>();
    for (const wait of this.scopes.waits()) {
      const inReview = wait.holders.filter((h) => this.todoById.get(h)?.status === "review");
      for (const h of inReview) holders.add(h);
      if (inReview.length) sessions.add(wait.sessionId ?? wait.todoId);
    }
    return { slots: sessions.size, holders };
  }

  /** Nothing runs: seal, review the whole, replan, or halt. */
  private async whenQuiet(graph: TodoGraph): Promise<"sealed" | "review" | "continue" | MissionHalt> {
    const s = this.state;
    const openIssues = s.syncIssues.filter((i) => i.open);
    if (graph.allDone()) {
      if (openIssues.length === 0 && s.integrationChecked && this.jobs.holdingSeal().length) {
        this.options.logger.info(`Waiting for ${this.jobs.holdingSeal().length} background job(s) of the mission before sealing`);
        await new Promise<void>((resolve) => {
          const sub = this.jobs.whenFinished(resolve);
          // A halt or a user's edit wakes the loop as well.
          this.wake = () => {
            sub.dispose();
            resolve();
          };
        });
        return "continue";
      }
      const checkFails = openIssues.length === 0 && (await this.checks.wholeFails());
      // A stop during the check: no seal on a check that did not finish.
      if (this.halt) throw this.halt;
      if (checkFails) return "continue";
      if (openIssues.length === 0 && s.integrationChecked) {
        await this.changes.missionEnd(s);
        s.report = missionReport(s, "sealed");
        this.setStatus("sealed", "every TODO is done and no sync issue is open");
        this.options.store.save(s);
        return "sealed";
      }
      if (openIssues.length === 0) return "review";
      await this.replan();
      return "continue";
    }
    const broken = liveTodos(s).filter((t) => failedOrBlocked(t.status));
    if (broken.length || graph.stuck().length) {
      await this.replan();
      return "continue";
    }
    const reverted = liveTodos(s).filter((t) => t.status === "reverted");
    if (reverted.length) return revertedTodos(reverted.map((t) => t.id));
    return deadDependencies();
  }

  /** Runs inside the event stream's dispatch: a failure here must halt the mission, not break the stream. */
  private onJobStarted(jobId: string, role: Role, todoIds: string[]): void {
    try {
      this.jobs.started(jobId, role, todoIds);
      this.persist({ type: "job.started", missionId: this.state.id, jobId, role, todoIds });
    } catch (error) {
      this.haltWith(haltFor(error));
    }
  }

  /** One attempt of a turn, with accounting, events and the halt signal. */
  private async runOnce<T>(role: Role, todoIds: string[], request: TurnAsk<T>): Promise<TurnResult<T>> {
    const s = this.state;
    let sessionId = request.sessionId ?? "";
    const started = Date.now();
    try {
      const pending = this.options.engine.runTurn({
        ...request,
        agent: agentName(role),
        model: this.options.models?.[role] ?? this.options.model,
        signal: this.abort.signal,
        livenessMs: request.livenessMs ?? this.limits.livenessMs,
        watch: this.load,
        ttlMs: request.ttlMs ?? this.limits.sessionTtlMs,
        onSession: (id) => {
          sessionId = id;
          this.runningSessions.add(id);
          if (role === "worker" && todoIds[0]) this.workerSessions.set(id, todoIds[0]);
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
      const spent = budgetExceeded(s, this.limits.budget);
      if (spent) this.haltWith(spent);
      return result;
    } catch (error) {
      this.persist({ type: "turn.finished", missionId: s.id, role, sessionId, todoIds, ok: false, error: (error as Error).message, inputTokens: 0, outputTokens: 0, cost: 0, durationMs: Date.now() - started });
      throw error;
    } finally {
      this.runningSessions.delete(sessionId);
      this.workerSessions.delete(sessionId);
      // A write this attempt was waiting for is not the next attempt's (it asks again in its own session).
      this.scopes.sessionEnded(sessionId);
    }
  }

  /** `renamed`: ids the Planner reused and the fresh ones they were given (journaled with the plan). */
  private addTodos(planned: PlannedTodo[], replan: boolean, check?: string, renamed: Record<string, string> = {}): void {
    const now = Date.now();
    if (check?.trim()) this.state.check = check.trim();
    const added = planned.map((p) => pendingTodo(p, replan ? "added by a replan" : "planned", now));
    this.state.todos.push(...added);
    for (const t of added) this.todoById.set(t.id, t);
    this.queue.add(added);
    this.reviews.add(added);
    this.state.integrationChecked = false;
    this.persist({ type: "plan.accepted", missionId: this.state.id, todoIds: planned.map((p) => p.id), replan, ...(Object.keys(renamed).length ? { renamed } : {}) }, added);
  }

  private async replan(): Promise<void> {
    const s = this.state;
    const limit = replanLimit(this.replans, this.limits.maxReplans);
    if (limit) throw limit;
    this.replans++;
    const graph = new TodoGraph(s.todos);
    const blocked = liveTodos(s).filter((t) => failedOrBlocked(t.status));
    const affected = [...blocked, ...graph.stuck()];
    const openIssues = s.syncIssues.filter((i) => i.open);
    const context = { existingIds: new Set(s.todos.map((t) => t.id)), replacedIds: new Set(affected.map((t) => t.id)) };
    const plan = await askPlanner(this.planning, replanPrompt(s.mission, { todos: liveTodos(s), blocked: affected, syncIssues: openIssues }), context, true);
    for (const todo of affected) this.transition(todo, "replaced", "replanned");
    this.addTodos(plan.todos, true, plan.check, plan.renamed);
  }

  private async runWorker(todo: TodoState): Promise<void> {
    todo.attempts += 1;
    this.transition(todo, "running", `attempt ${todo.attempts}`);
    // The checkpoint before its first attempt is what a revert of the TODO puts back.
    await this.changes.beforeAttempt(todo);
    try {
      const todoMd = join(this.options.store.dir(this.state.id), "todo.md");
      // Its declared files are its to write; any other write asks, and answerScope decides.
      const permission = this.scopes.rulesFor(todo.files);
      const result = await this.recovery.run("worker", [todo.id], { title: `Worker ${todo.id}: ${todo.title}`.slice(0, 80), prompt: workerPrompt(this.state.mission, todo, todoMd), schema: WorkerReport, permission });
      await this.changes.afterAttempt(todo, result.work);
      const report = result.structured as WorkerReport;
      // The report's file list is what really changed, never the Worker's say-so.
      todo.report = todo.changes?.head ? { ...report, filesChanged: todo.changes.files.map((f) => f.path) } : report;
      const unfounded = report.status === "done" ? await this.changes.unfoundedClaim(todo) : undefined;
      if (unfounded) {
        // No review request is spent on a claim the workspace contradicts: the TODO goes back, told why.
        todo.reviewIssues = [unfounded];
        retryOrGiveUp(todo, unfounded, this.limits.maxAttemptsPerTodo, this.transition);
      } else if (report.status === "done") {
        // The check's exit status, not the report, decides whether a review is worth a request.
        const failed = await this.checks.ofTodo(todo);
        if (this.halt) {
          if (todo.status === "running") this.transition(todo, "pending", "stopped");
          return;
        }
        if (failed) {
          todo.reviewIssues = [failed];
          retryOrGiveUp(todo, `acceptance check ${todo.checkResult?.status ?? "failed"}`, this.limits.maxAttemptsPerTodo, this.transition);
        } else this.transition(todo, "review", report.summary);
      } else if (report.status === "blocked") this.transition(todo, "blocked", report.notes || report.summary);
      else retryOrGiveUp(todo, `the Worker reported failure: ${report.summary}`, this.limits.maxAttemptsPerTodo, this.transition);
    } catch (error) {
      if (error instanceof TurnAbortedError || this.halt) {
        // What the stopped attempt wrote is still its TODO's: shown, and put back by a revert.
        await this.changes.afterAttempt(todo, workOf(error));
        if (todo.status === "running") this.transition(todo, "pending", "stopped");
        return;
      }
      // Recovery already retried this turn; the TODO fails and the Commander replans it.
      await this.changes.afterAttempt(todo, workOf(error));
      this.transition(todo, "failed", (error as Error).message);
    }
  }

  /**
   * An edit ask from one of this mission's Worker sessions, outside its TODO's files: the Commander
   * answers it (undefined: not a scope question, the user's to answer).
   */
  answerScope(sessionId: string, permission: string, paths: readonly string[]): Promise<ScopeAnswer> | undefined {
    const todoId = this.workerSessions.get(sessionId);
    if (!todoId || permission !== "edit") return undefined;
    // A stopping mission writes nothing more; the ask must not reach the user, who could allow it "always".
    if (this.halt) return Promise.resolve({ reply: "reject", message: "The mission stopped." });
    const files = [...paths];
    const before = this.scopes.waiting;
    const answer = this.scopes.decide(todoId, files, this.abort.signal, sessionId);
    if (!answer) return undefined; // the user's own rules ask, or the file configures the tools: the user decides
    const journal = (event: OrchestratorEvent) => {
      // Inside the event dispatch: a failure to save must halt the mission, and the ask still gets its answer.
      try {
        this.persist(event);
      } catch (error) {
        this.haltWith(haltFor(error));
      }
    };
    if (this.scopes.waiting > before) {
      const holder = files.map((f) => this.locks.holderOf(f)).find((h) => h && h !== todoId);
      journal({ type: "scope.decided", missionId: this.state.id, todoId, files, answer: "waiting", holder });
      // A holder in review may be due for it now (and may borrow the waiter's slot).
      this.wake?.();
    }
    // A granted write is made by a tool, whose part names the file: the TODO's diff covers it without more.
    void answer.then((a) => {
      if (!this.halt) journal({ type: "scope.decided", missionId: this.state.id, todoId, files, answer: a.reply === "once" ? "granted" : "refused" });
    });
    return answer;
  }

  /** One review round; the policy decides what it covers and what its verdicts do. */
  private async reviewRound(batch: TodoState[], workersRunning: number): Promise<void> {
    const s = this.state;
    const round = this.reviews.begin(batch, workersRunning);
    try {
      // The whole as the Reviewer finds it. With nothing else running, its scan begins at once,
      // before the Reviewer can run anything (a command waits for a model reply), and the Reviewer
      // does not wait for it; beside Workers it may queue behind their checkpoints, so it is awaited.
      // The diffs are between checkpoints already taken.
      const checkpoint = this.changes.beforeReview(round.iteration);
      const diffs = await this.changes.diffsFor(batch);
      if (workersRunning > 0) await checkpoint;
      const result = await this.recovery.run("reviewer", batch.map((t) => t.id), { title: `Reviewer: round ${round.iteration}`, prompt: reviewPrompt(s.mission, batch, { ...round, diffs, missionCheck: batch.length === 0 ? s.checkResult : undefined }), schema: Review });
      const review = result.structured as Review;
      // Long taken by now; awaited first, so the verdicts are applied and journaled in one step.
      const taken = await checkpoint;
      const { passed, failed } = this.reviews.apply(round, review);
      this.persist({ type: "review.round", missionId: s.id, iteration: round.iteration, passed, failed, syncIssues: review.syncIssues.length, checkpoint: taken }, batch);
    } catch (error) {
      if (error instanceof TurnAbortedError || this.halt) return;
      this.reviews.noVerdict();
      this.options.logger.warn(`Review round ${round.iteration} failed: ${(error as Error).message}`);
      this.persist({ type: "review.round", missionId: s.id, iteration: round.iteration, passed: [], failed: [], syncIssues: 0 });
    } finally {
      this.reviews.end(round);
    }
  }

  /** Every TODO status change goes through here: the ready queue, the file locks, the journal and the memory bound see it. */
  private readonly transition = (todo: TodoState, to: TodoStatus, note?: string): void => {
    const from = setTodoStatus(todo, to, note);
    this.queue.statusChanged(todo, from);
    this.persist({ type: "todo.status", missionId: this.state.id, todoId: todo.id, from, to, note }, [todo]);
    // Its files are its own until it is accepted or leaves the plan; sent back, it keeps them for its next attempt.
    if (LETS_GO_OF_FILES.has(to)) this.scopes.release(todo.id);
    else if (to === "pending" && (from === "running" || from === "review")) this.scopes.sentBack(todo.id);
    if (isClosed(todo)) this.memory.closed(todo);
  };

  private setStatus(status: MissionStatus, reason?: string): void {
    this.state.status = status;
    this.persist({ type: "mission.status", missionId: this.state.id, status, reason });
  }

  /** Journals the event with the TODOs it changed, then tells listeners: what they see is already on disk. */
  private persist(event: OrchestratorEvent, todos: readonly TodoState[] = []): void {
    this.options.store.record(this.state, event, todos);
    this.events.fire(event);
  }
}
