/**
 * The front door of the core. The extension talks to this one object: it runs, resumes, stops a
 * mission, retries or skips a TODO of the mission the user is looking at, answers the agents'
 * requests and the user's questions (chat mode: `ask`) — and renders the one read model it
 * publishes (`view`). It owns the wiring: the engine pool (started lazily, a member restarted when
 * its server dies), the store, the Commander, the background jobs.
 */
import type { BackgroundJob } from "../background/jobManager";
import { BackgroundJobManager } from "../background/jobManager";
import type { OrchestratorEvent } from "../domain/events";
import { missionLabel } from "../domain/missionText";
import type { MissionState } from "../domain/state";
import { retryTodo, skipTodo } from "../domain/transitions";
import { Emitter } from "../emitter";
import type { Engine } from "../engine/engine";
import { OpencodeNotFoundError } from "../engine/errors";
import type { EnginePool } from "../engine/enginePool";
import type { RedactingLogger } from "../logger";
import { Commander, type CommanderOptions } from "../mission/commander";
import type { HistoryEntry } from "../mission/missionJournal";
import { MissionStore, StateFileError } from "../mission/missionStore";
import { CheckpointStore, type RestoreResult } from "../changes/checkpointStore";
import { Provenance } from "../provenance";
import { DEFAULT_LIMITS } from "../mission/limits";
import { JobPermission, type JobAsk } from "./jobPermission";
import { listModels, type ModelChoice } from "../engine/modelSetup";
import { configuredRules, worktreeOf } from "../engine/workspaceFacts";
import { missionSummary, type MissionSummary } from "./missionHistory";
import { OPENCODE_DEFAULT_RULES, type PermissionRule } from "../agents/commandPolicy";
import { oneLine } from "../agents/promptFence";
import { AgentRequests, type AgentRequestUpdate, type PermissionReply } from "./agentRequests";
import { EngineProvider } from "./engineProvider";
import type { HostSettings } from "./hostSettings";
import type { ModelRef } from "../domain/modelRef";
import type { PlanApproval, PlanDecision } from "../mission/planApproval";
import type { ApprovePlanMode } from "../settingsTable";
import { estimatePlan, usageProfile, type RolePrices } from "../mission/planEstimate";
import { pastMissions, rolePrices } from "./estimateInputs";
import type { Role } from "../domain/roles";
import { PlanApprovals } from "./planApprovals";
import { MissionChanges, type ChangeSet } from "./missionChanges";
import type { RevertOutcome } from "../mission/reverts";
import { MissionView } from "./missionView";
import { isResumable, phaseOf, type MissionModel } from "./readModel";
import { askWorkspace, type Answer, type AskOptions } from "./workspaceQuestions";

/** What the editor should tell the user; the host never decides how it is shown. */
export type HostNotice =
  | { kind: "demo" }
  | { kind: "slowServer" }
  | { kind: "finished"; model: MissionModel; stoppedByUser: boolean }
  | { kind: "error"; message: string; opencodeMissing: boolean }
  /** `missionId`: a mission that cannot be read; the user may set its folder aside (setAside). */
  | { kind: "stateProblem"; message: string; recovered: boolean; missionId?: string };

/** An action refused says why, in words the user can act on; a revert also names the files in the way. */
export type { ModelChoice, MissionSummary };

/** `notRestored`: files a revert left as they are, each with why (the workspace protects it). */
export type ActionResult = { ok: true; notRestored?: RestoreResult["notRestored"] } | { ok: false; reason: string; conflicts?: string[] };

export interface MissionHostOptions {
  workspace: string;
  logger: RedactingLogger;
  /** The password of an attached server (orchestrator.opencode.serverUrl), from the editor's secret storage. */
  serverPassword?: () => Promise<string | undefined>;
  /** Where the extension is installed (its bundled development copy of opencode is a fallback). */
  extensionPath?: string;
  /** The environment of the servers the host starts (tests isolate their data directories). */
  engineEnv?: NodeJS.ProcessEnv;
  /**
   * Whose missions and checkpoint stores are the user's own (provenance.ts): the extension gives the
   * user's lasting key; without one, only what this process made is.
   */
  provenance?: Provenance;
}

export class MissionHost {
  /** The read model and what changed in each update. */
  readonly view = new MissionView();
  readonly notices = new Emitter<HostNotice>();
  readonly requests = new Emitter<AgentRequestUpdate>();
  /** The plan waiting for the user's Approve, Replan or Cancel (orchestrator.approvePlan). */
  readonly approvals = new PlanApprovals();
  readonly jobs: BackgroundJobManager;
  private readonly store: MissionStore;
  private readonly checkpoints: CheckpointStore;
  private readonly changes: MissionChanges;
  private readonly engines: EngineProvider;
  private readonly agentRequests: AgentRequests;
  private readonly logger: RedactingLogger;
  private commander?: Commander;
  /** The servers the running (or last) mission used: a session's abort goes to the member that holds it. */
  private pool?: EnginePool<Engine>;
  private starting = false;
  /** A revert or its undo is writing files and state: nothing else may start meanwhile. */
  private editing = false;
  private stopRequested = false;
  /** Said once per window: the attached server's per-step snapshots. */
  private warnedSlowServer = false;
  private readonly jobSubscription: { dispose(): void };
  /** The user's permission rules as the running (or last) mission's server has them; OpenCode's defaults before any. */
  private rules: PermissionRule[] = [...OPENCODE_DEFAULT_RULES];

  constructor(private readonly options: MissionHostOptions) {
    this.logger = options.logger;
    const provenance = options.provenance ?? Provenance.ofThisProcess();
    this.store = new MissionStore(options.workspace, undefined, provenance);
    this.checkpoints = new CheckpointStore(options.workspace, { logger: options.logger, provenance });
    this.changes = new MissionChanges(this.store, this.checkpoints);
    this.jobs = new BackgroundJobManager({ workspace: options.workspace });
    this.jobSubscription = this.jobs.changed.on((job) => this.view.jobChanged(job.id));
    this.engines = new EngineProvider({ logger: options.logger, serverPassword: options.serverPassword ?? (async () => undefined), extensionPath: options.extensionPath ?? options.workspace, jobs: this.jobs, env: options.engineEnv });
    this.agentRequests = new AgentRequests((id) => this.view.sessions.describe(id), (update) => this.requests.fire(update), options.logger);
    // Background jobs and plan-given checks pass the rules the bash tool's commands pass (the user where they ask);
    // one gate for the window, so an "Always" lasts as long as the window.
    const ask: JobAsk = (permission, patterns, command) => this.agentRequests.askUser(permission === "bash" ? "An agent's background job" : `An agent's background job (${oneLine(command).slice(0, 120)})`, permission, patterns);
    this.jobs.setGate(new JobPermission(async () => this.rules, ask, options.logger, options.workspace).gate);
  }

  get model(): MissionModel {
    return this.view.model;
  }

  /** The OpenCode servers of the running (or last) mission. The views learn a session's server from the read model. */
  get servers(): EnginePool<Engine> | undefined {
    return this.pool;
  }

  get isRunning(): boolean {
    return this.starting || this.editing || this.commander !== undefined;
  }

  /**
   * Shows the workspace's latest mission (after a reload the views come back as they were). Read
   * asynchronously, in pieces: a mission started meanwhile is shown instead, and this shows nothing.
   */
  async showLatest(): Promise<MissionModel | undefined> {
    if (this.isRunning) return undefined;
    const latest = await this.store.latest(undefined, (problem) => this.stateProblem(problem));
    if (!latest) return undefined;
    try {
      const history = await this.store.history(latest.id);
      if (this.isRunning) return undefined;
      this.showState(latest, history);
    } catch (error) {
      // The state was checked; should a view still fail on it, the editor starts without it, saying why.
      this.stateProblem(new StateFileError(`Mission ${latest.id} could not be shown: ${(error as Error).message}.`, undefined, false, latest.id));
      return undefined;
    }
    return this.model;
  }

  /**
   * Moves a mission that cannot be read out of the way (its folder renamed `<id>.broken-<time>`,
   * untouched): the workspace starts clean, nothing is lost. Never the mission that runs.
   */
  setAside(missionId: string): ActionResult & { movedTo?: string } {
    if (this.isRunning && this.commander?.state.id === missionId) return { ok: false, reason: "that mission is running; stop it first." };
    if (this.view.missionId === missionId) return { ok: false, reason: "that mission is shown and readable; only a mission that cannot be read is set aside." };
    try {
      const movedTo = this.store.setAside(missionId);
      this.logger.warn(`Mission ${missionId} set aside to ${movedTo}`);
      return { ok: true, movedTo };
    } catch (error) {
      return { ok: false, reason: (error as Error).message };
    }
  }

  /** The latest mission of the workspace that can be resumed, if any (it may not be the one shown). */
  async latestUnfinished(): Promise<{ missionId: string; mission: string; status: string } | undefined> {
    const state = await this.latestOwnUnfinished();
    return state && { missionId: state.id, mission: state.mission, status: state.status };
  }

  /** The latest unfinished mission the user's own runs made: one shipped with the repository is never offered. */
  private latestOwnUnfinished(): Promise<MissionState | undefined> {
    return this.store.latest((state) => isResumable(state.status) && !this.store.notOurs(state.id), (problem) => this.stateProblem(problem));
  }

  /** `history`: the tail of its journal (MissionStore.history), read before, so that showing it is one step. */
  private showState(state: MissionState, history: readonly HistoryEntry[]): void {
    this.view.show(state, { phase: phaseOf(state.status), demo: false, startedAt: state.createdAt, finishedAt: state.updatedAt, notOurs: this.store.notOurs(state.id) }, history);
  }

  private stateProblem(problem: StateFileError): void {
    if (problem.recovered) this.logger.warn(problem.message);
    else this.logger.error(problem.message);
    this.notices.fire({ kind: "stateProblem", message: problem.message, recovered: problem.recovered, missionId: problem.recovered ? undefined : problem.missionId });
  }

  /** Every mission of the workspace, newest first, for the history view. */
  async missions(): Promise<MissionSummary[]> {
    return (await this.store.list((problem) => this.logger.warn(problem.message))).map((state) => missionSummary(state, this.store.notOurs(state.id)));
  }

  /** Shows a past mission in the views (its TODOs, changes, sessions and timeline); not while another runs. */
  async openMission(missionId: string): Promise<ActionResult> {
    if (this.view.missionId === missionId) return { ok: true };
    const running: ActionResult = { ok: false, reason: "a mission is running; stop it first, or wait for it to end." };
    if (this.isRunning) return running;
    const loaded = await this.load(missionId);
    if ("reason" in loaded) return { ok: false, reason: loaded.reason };
    const history = await this.store.history(missionId);
    // Reading took a moment: a mission may have started meanwhile.
    if (this.isRunning) return running;
    this.showState(loaded, history);
    return { ok: true };
  }

  /** The final report of a mission, if it has one. */
  async reportOf(missionId: string): Promise<string | undefined> {
    const loaded = await this.load(missionId);
    return "reason" in loaded ? undefined : loaded.report;
  }

  /** Deletes a mission (its state, journal and report; the workspace's files stay as they are). Never the running one. */
  async deleteMission(missionId: string): Promise<ActionResult> {
    if (this.commander?.state.id === missionId || (this.isRunning && this.view.missionId === missionId)) return { ok: false, reason: "that mission is running; stop it first." };
    try {
      this.store.delete(missionId);
    } catch (error) {
      return { ok: false, reason: (error as Error).message };
    }
    this.logger.info(`Mission ${missionId} deleted`);
    // The views no longer show a mission that is gone: the latest one, or nothing.
    if (this.view.missionId === missionId && !this.isRunning) {
      this.view.showNone();
      await this.showLatest();
    }
    return { ok: true };
  }

  /**
   * The models OpenCode can use now, for the user to pick one for a mission (starts OpenCode if it
   * is not running; the mission reuses it). Empty in demo mode: there is nothing to choose.
   */
  async models(settings: HostSettings): Promise<{ models: ModelChoice[]; demo: boolean }> {
    const session = await this.engines.get(this.options.workspace, settings, settings.limits.maxParallelSessions);
    const first = session.pool.members()[0]?.member;
    if (session.demo || !first) return { models: [], demo: session.demo };
    return { models: await listModels(first), demo: false };
  }

  /** Runs a new mission to its end; resolves with the final model. */
  run(mission: string, settings: HostSettings): Promise<MissionModel> {
    if (this.isRunning) return Promise.reject(new Error("A mission is already running."));
    this.view.starting(mission, Date.now());
    return this.execute(settings, mission, (options) => Commander.create(mission, options), true);
  }

  /**
   * Resumes a mission: the one named, else the one shown when it can be resumed, else (nothing
   * shown) the latest unfinished one. Never silently another mission than the user is looking at.
   */
  async resume(settings: HostSettings, missionId?: string): Promise<ActionResult> {
    const running: ActionResult = { ok: false, reason: "a mission is already running." };
    if (this.isRunning) return running;
    const id = missionId ?? this.view.missionId;
    const loaded = id ? await this.load(id) : await this.latestOwnUnfinished();
    if (!loaded) return { ok: false, reason: "no unfinished mission in this workspace." };
    if ("reason" in loaded) return { ok: false, reason: loaded.reason };
    // Its TODOs would become the agents' prompts, its checkpoints the base of what is shown and reverted.
    const notOurs = this.store.notOurs(loaded.id);
    if (notOurs) return { ok: false, reason: notOurs };
    if (!isResumable(loaded.status)) return { ok: false, reason: `the mission "${missionLabel(loaded.mission)}" ended ${loaded.status}; it cannot be resumed. Run Task starts a new one.` };
    const history = await this.store.history(loaded.id);
    // Reading took a moment: another action may have started a mission meanwhile.
    if (this.isRunning) return running;
    await this.resumeState(loaded, settings, history);
    return { ok: true };
  }

  private async load(id: string): Promise<MissionState | { reason: string }> {
    try {
      return await this.store.load(id, (problem) => this.stateProblem(problem));
    } catch (error) {
      return { reason: (error as Error).message };
    }
  }

  /** Shows the mission and starts it, in one step (nothing awaited before execute marks the host busy). */
  private resumeState(state: MissionState, settings: HostSettings, history: readonly HistoryEntry[]): Promise<MissionModel> {
    // Its sessions and timeline so far stay on screen; the resumed run adds to them.
    this.showState(state, history);
    this.view.setFacts({ phase: "starting", startedAt: Date.now(), finishedAt: undefined, error: undefined });
    return this.execute(settings, state.mission, (options) => Commander.resume(state, options));
  }

  /** Retry a TODO of the mission the user is looking at: now if it runs, else by resuming that mission. */
  retry(missionId: string, todoId: string, settings: HostSettings): Promise<ActionResult> {
    return this.edit(missionId, todoId, settings, "retried", (c) => c.retryTodo(todoId), (s) => retryTodo(s, todoId) !== undefined);
  }

  /** Skip a TODO that is not running: its dependents go on without it. */
  skip(missionId: string, todoId: string, settings: HostSettings): Promise<ActionResult> {
    return this.edit(missionId, todoId, settings, "skipped", (c) => c.skipTodo(todoId), (s) => skipTodo(s, todoId) !== undefined);
  }

  private async edit(missionId: string, todoId: string, settings: HostSettings, verb: string, live: (c: Commander) => boolean, stored: (s: MissionState) => boolean): Promise<ActionResult> {
    const refused = (why: string): ActionResult => ({ ok: false, reason: `TODO ${todoId} cannot be ${verb} now: ${why}` });
    if (this.commander?.state.id === missionId) return live(this.commander) ? { ok: true } : refused(`it is ${this.commander.state.todos.find((t) => t.id === todoId)?.status ?? "not in this mission"}.`);
    if (this.isRunning) return refused("another mission is running.");
    const loaded = await this.load(missionId);
    if ("reason" in loaded) return refused(loaded.reason);
    const notOurs = this.store.notOurs(loaded.id);
    if (notOurs) return refused(notOurs);
    const history = await this.store.history(missionId);
    // Reading took a moment: the mission (or another) may have started meanwhile.
    if (this.commander?.state.id === missionId) return live(this.commander) ? { ok: true } : refused(`it is ${this.commander.state.todos.find((t) => t.id === todoId)?.status ?? "not in this mission"}.`);
    if (this.isRunning) return refused("another mission is running.");
    if (!isResumable(loaded.status)) return refused(`its mission ended ${loaded.status}.`);
    if (!stored(loaded)) return refused(`it is ${loaded.todos.find((t) => t.id === todoId)?.status ?? "not in this mission"}.`);
    this.store.save(loaded);
    await this.resumeState(loaded, settings, history);
    return { ok: true };
  }

  /** `fresh`: a new mission, which is kept (stopped, resumable) if OpenCode cannot be started for it. */
  private async execute(settings: HostSettings, mission: string, make: (options: CommanderOptions) => Commander, fresh = false): Promise<MissionModel> {
    this.starting = true;
    this.stopRequested = false;
    const label = missionLabel(mission);
    this.logger.info(`Mission: ${label}`);
    const subscriptions: Array<{ dispose(): void }> = [];
    try {
      const session = await this.engines.get(this.options.workspace, settings, settings.limits.maxParallelSessions);
      if (this.stopRequested) {
        this.view.setFacts({ phase: "stopped", finishedAt: Date.now() });
        return this.model;
      }
      if (session.demo) this.notices.fire({ kind: "demo" });
      if (session.stepSnapshots && !this.warnedSlowServer) {
        this.warnedSlowServer = true;
        this.logger.warn("The attached OpenCode server snapshots the workspace at every step: missions with many Workers run several times slower. Set \"snapshot\": false in its configuration.");
        this.notices.fire({ kind: "slowServer" });
      }
      // The mission survives its servers: a member that dies is restarted, its turns go on in new sessions.
      const pool = session.pool;
      pool.renewRestarts();
      this.pool = pool;
      // The model picked for this mission (Run Task's quick pick or orchestrator.model); the demo model in demo mode.
      const model = session.demo ? session.model : (settings.model ?? session.model);
      // What file scopes and the job gate need of the server: its worktree (asks name files from it) and the user's rules.
      const first = pool.members()[0]?.member;
      const [worktree, rules] = await Promise.all([worktreeOf(first), configuredRules(first)]);
      // Unknown rules: jobs are asked about (none would allow them), Workers keep to their scopes alone.
      this.rules = rules ?? [];
      const approval = settings.approvePlan ? this.planApproval(settings.approvePlan, session.demo ? undefined : first, model, settings.models, () => commander.state.id) : undefined;
      const commander = make({ engine: pool, store: this.store, checkpoints: this.checkpoints, logger: this.logger, model, models: settings.models, limits: settings.limits, jobs: this.jobs, checkCommand: settings.checkCommand, scopes: { worktree, rules }, approval });
      this.commander = commander;
      // A Stop pressed while OpenCode was starting (no Commander to stop yet) stops this one.
      if (this.stopRequested) commander.stop();
      commander.state.model = model ? `${model.providerID}/${model.modelID}` : undefined;
      this.store.save(commander.state);
      // Workers' writes outside their files are the Commander's to decide, not the user's.
      this.agentRequests.decideWith((ask) => commander.answerScope(ask.sessionId, ask.permission, ask.patterns));
      this.agentRequests.setTimeout(settings.limits.permissionTimeoutMs ?? DEFAULT_LIMITS.permissionTimeoutMs);
      this.starting = false;
      if (this.view.missionId !== commander.state.id) this.view.show(commander.state, { phase: "running", demo: session.demo, startedAt: Date.now() });
      this.view.setFacts({ phase: "running", demo: session.demo });
      subscriptions.push(
        ...pool.members().map(({ member, index }) => this.follow(member, index, pool.size)),
        commander.events.on((event) => this.onEvent(event)),
        // A member started for a wider wave, or again after a crash: its events are followed too.
        pool.onMember((member, index) => subscriptions.push(this.follow(member, index, pool.size))),
      );
      const final = await commander.run();
      this.view.setFacts({ phase: phaseOf(final.status), finishedAt: Date.now() });
      this.logger.info(final.report ?? `Mission ${final.status}`);
      this.notices.fire({ kind: "finished", model: this.model, stoppedByUser: this.stopRequested });
    } catch (error) {
      // Shown in the views and a notification, and kept in the mission: no credential in it (OpenCode's start output is quoted).
      const message = this.logger.redact(error instanceof Error ? error.message : String(error));
      if (fresh && !this.commander) this.keepUnstarted(mission, message);
      this.view.setFacts({ phase: "failed", error: message, finishedAt: Date.now() });
      this.logger.error(`Mission failed: ${message}`);
      this.notices.fire({ kind: "error", message, opencodeMissing: error instanceof OpencodeNotFoundError });
    } finally {
      for (const s of subscriptions) s.dispose();
      this.starting = false;
      this.commander = undefined;
      this.agentRequests.decideWith(undefined);
      this.agentRequests.clear();
    }
    return this.model;
  }

  /**
   * OpenCode did not start for a new mission: the mission is kept, stopped with the reason, so that
   * Resume runs it once the cause is fixed (the user does not have to type it again).
   */
  private keepUnstarted(mission: string, reason: string): void {
    try {
      const state = this.store.create(mission);
      state.status = "stopped";
      state.stopReason = `OpenCode did not start: ${reason} Fix that, then Resume the mission.`;
      this.store.save(state);
      this.view.show(state, { phase: "stopped", demo: false, startedAt: state.createdAt });
    } catch (error) {
      this.logger.error(`Could not keep the mission that did not start: ${(error as Error).message}`);
    }
  }

  /**
   * How the mission's plan is estimated and put to the user: the prices are looked up once, when the
   * first plan is estimated (not on the mission's start path; a resumed mission that has its TODOs
   * never asks), the past missions for each plan (a mission that just ended counts).
   */
  private planApproval(mode: ApprovePlanMode, engine: Engine | undefined, model: ModelRef | undefined, roleModels: Partial<Record<Role, ModelRef>>, missionId: () => string): PlanApproval {
    let prices: Promise<RolePrices> | undefined;
    return {
      mode,
      estimate: async (todos) => estimatePlan(todos, usageProfile(await pastMissions(this.store, missionId())), await (prices ??= rolePrices(engine, model, roleModels))),
      decide: (request, signal) => this.approvals.ask(request, signal),
    };
  }

  /** The user's answer to the plan that waits (from whichever surface); false when none of `missionId` (and `round`) waits. */
  decidePlan(missionId: string, decision: PlanDecision, round?: number): boolean {
    const decided = this.approvals.decide(missionId, decision, round);
    // Cancel is the user's stop: the end is told as one, not as a problem to fix.
    if (decided && decision.kind === "cancel") this.stopRequested = true;
    return decided;
  }

  /**
   * Follows one member's events: session status and transcripts, and the agents' requests (answered
   * on that member). A session's events come only from its own member, so they name its server.
   */
  private follow(engine: Engine, index: number, poolSize: number): { dispose(): void } {
    const server = poolSize > 1 ? index + 1 : undefined;
    return engine.events.onAny((event) => {
      this.view.applyOpencode(event, server);
      this.agentRequests.apply(engine, event);
    });
  }

  private onEvent(event: OrchestratorEvent): void {
    this.view.applyMission(event);
    if (event.type === "todo.status") this.logger.info(`TODO ${event.todoId}: ${event.from} → ${event.to}${event.note ? ` (${event.note})` : ""}`);
    else if (event.type === "turn.started") this.logger.debug(`${event.role} session ${event.sessionId} started${event.todoIds.length ? ` for ${event.todoIds.join(", ")}` : ""}`);
    else if (event.type === "plan.rejected") this.logger.warn(`Plan sent back: ${event.problems.join(" ")}`);
    else if (event.type === "mission.status") this.logger.info(`Mission ${event.status}${event.reason ? `: ${event.reason}` : ""}`);
  }

  /** A TODO's real diff, or the whole mission's against the workspace now (no `todoId`). */
  async changesOf(missionId: string, todoId?: string): Promise<ChangeSet | { reason: string }> {
    const loaded = this.commander?.state.id === missionId ? this.commander.state : await this.load(missionId);
    if ("reason" in loaded) return loaded;
    const set = await this.changes.of(loaded, todoId);
    return typeof set === "string" ? { reason: set } : set;
  }

  /** A file's bytes at a checkpoint (the diff editor's original side); undefined where it did not exist. */
  readCheckpoint(checkpoint: string, path: string): Promise<Buffer | undefined> {
    return this.changes.read(checkpoint, path);
  }

  /** Puts back what a TODO (or, without `todoId`, the whole mission) changed. Not while the mission runs. */
  revert(missionId: string, todoId: string | undefined, force = false): Promise<ActionResult> {
    return this.editChanges(missionId, (state) => this.changes.revert(state, todoId, force));
  }

  /** Undoes the mission's latest revert. */
  undoRevert(missionId: string, force = false): Promise<ActionResult> {
    return this.editChanges(missionId, (state) => this.changes.undo(state, force));
  }

  private async editChanges(missionId: string, edit: (state: MissionState) => Promise<RevertOutcome>): Promise<ActionResult> {
    const busy: ActionResult = { ok: false, reason: "a mission is running (or a revert): stop it first, then revert." };
    if (this.isRunning) return busy;
    const loaded = await this.load(missionId);
    if ("reason" in loaded) return { ok: false, reason: loaded.reason };
    // Reading took a moment: a mission or another revert may have started meanwhile.
    if (this.isRunning) return busy;
    this.editing = true;
    let outcome: RevertOutcome;
    let history: HistoryEntry[];
    try {
      outcome = await edit(loaded);
      if (!outcome.ok) return outcome;
      // Read while still marked editing: nothing else starts before the views show the result.
      history = await this.store.history(missionId);
    } catch (error) {
      return { ok: false, reason: (error as Error).message };
    } finally {
      this.editing = false;
    }
    this.showState(loaded, history);
    return outcome.notRestored.length ? { ok: true, notRestored: outcome.notRestored } : { ok: true };
  }

  /**
   * Chat mode: answers a question about the workspace in one read-only OpenCode session, beside
   * any mission, with the missions' model; its text streams through `onText`. Pass the answer's
   * `sessionId` back to ask a follow-up in the same conversation (workspaceQuestions.ts).
   */
  async ask(question: string, settings: HostSettings, options: AskOptions = {}): Promise<Answer & { demo: boolean }> {
    const session = await this.engines.get(this.options.workspace, settings, settings.limits.maxParallelSessions);
    const limits = { model: session.model, livenessMs: settings.limits.livenessMs, ttlMs: settings.limits.sessionTtlMs };
    return { ...(await askWorkspace(session.pool, question, limits, options)), demo: session.demo };
  }

  /** Stops the running mission: every session is aborted; the mission stays resumable. */
  stop(): void {
    if (!this.isRunning) return;
    this.logger.info("Stop requested");
    this.stopRequested = true;
    this.commander?.stop();
  }

  async abortSession(sessionId: string): Promise<void> {
    if (this.view.session(sessionId)) await this.pool?.abortSession(sessionId);
  }

  replyPermission(requestId: string, reply: PermissionReply): Promise<void> {
    return this.agentRequests.replyPermission(requestId, reply);
  }

  answerQuestion(requestId: string, answers: string[][]): Promise<void> {
    return this.agentRequests.answerQuestion(requestId, answers);
  }

  rejectQuestion(requestId: string): Promise<void> {
    return this.agentRequests.rejectQuestion(requestId);
  }

  job(id: string): BackgroundJob | undefined {
    return this.jobs.get(id);
  }

  /** Lets the engine go (a setting changed); the next mission starts a new one. Never under a running mission. */
  async releaseEngine(): Promise<void> {
    if (!this.isRunning) await this.engines.stop();
  }

  /** Stops everything the host started: the mission, the servers, the demo model, the jobs. */
  async dispose(graceMs?: number): Promise<void> {
    this.stop();
    this.jobSubscription.dispose();
    await this.engines.stop(graceMs);
    await this.jobs.dispose();
    this.view.dispose();
    this.notices.dispose();
    this.requests.dispose();
    this.approvals.changed.dispose();
  }
}
