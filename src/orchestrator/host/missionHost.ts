/**
 * The front door of the core. The extension talks to this one object: it runs, resumes, stops a
 * mission, retries or skips a TODO of the mission the user is looking at, answers the agents'
 * requests and the user's questions (chat mode: `ask`) — and renders the one read model it
 * publishes (`view`). It owns the wiring: the engine pool (started lazily, a member restarted when
 * its server dies), the store, the Commander, the background jobs.
 */
import { BackgroundJobManager, type BackgroundJob } from "../background/jobManager";
import type { OrchestratorEvent } from "../domain/events";
import { missionProblem } from "../domain/missionText";
import type { MissionState } from "../domain/state";
import { retryTodo, skipTodo } from "../domain/transitions";
import { Emitter } from "../common/emitter";
import type { Engine } from "../engine/engine";
import { OpencodeNotFoundError } from "../engine/errors";
import { UnsupportedOpencodeError } from "../engine/engineVersion";
import type { EnginePool } from "../engine/enginePool";
import type { RedactingLogger } from "../common/logger";
import { Commander, type CommanderOptions } from "../mission/commander";
import type { HistoryEntry } from "../mission/missionJournal";
import { MissionStore, StateFileError } from "../mission/missionStore";
import { CheckpointStore } from "../changes/checkpointStore";
import { Provenance } from "../workspace/provenance";
import { DEFAULT_LIMITS } from "../mission/limits";
import { JobPermission, type JobAsk } from "./jobPermission";
import { listModels } from "../engine/modelSetup";
import { configuredRules, worktreeOf } from "../engine/workspaceFacts";
import { OPENCODE_DEFAULT_RULES, type PermissionRule } from "../agents/commandPolicy";
import { oneLine } from "../agents/promptFence";
import { AgentRequests } from "./agentRequests";
import { EngineProvider, type EngineLease } from "./engineProvider";
import type { HostSettings } from "./hostSettings";
import type { ModelRef } from "../domain/modelRef";
import type { PlanApproval as PlanApprovalPort } from "../mission/planApproval";
import type { ApprovePlanMode } from "../settings/settingsTable";
import { estimatePlan, plannerScaledProfile, usageProfile, type RolePrices } from "../mission/planEstimate";
import { pastMissions, rolePrices } from "./estimateInputs";
import type { Role } from "../domain/roles";
import { PlanApprovals } from "./planApprovals";
import { MissionChanges } from "./missionChanges";
import { MissionLibrary } from "./missionLibrary";
import type { RevertOutcome } from "../mission/reverts";
import { MissionView } from "./missionView";
import { canResume, isResumable, missionReverted, phaseOf } from "./readModel";
import { askWorkspace, questionProblem, type AskOptions } from "./workspaceQuestions";
import type { ActionResult, AskAnswer, MissionRef, ModelChoice, ResumeTarget } from "../../shared/actions";
import type { AgentRequestUpdate, PermissionReply } from "../../shared/agentRequests";
import type { ChangeSet } from "../../shared/changes";
import type { MissionFeed, Subscribable } from "../../shared/feed";
import type { JobModel, JobOutput } from "../../shared/job";
import { doneText, missionLabel, type MissionModel } from "../../shared/mission";
import type { MissionSummary } from "../../shared/missionSummary";
import type { HostNotice } from "../../shared/notices";
import type { PlanApprovalFeed, PlanDecision } from "../../shared/planApproval";

export type { ActionResult, HostNotice };
// The front door: what the editor (src/extension) builds the host from, besides the contract in
// src/shared — its logger, the user's provenance key, the settings as read from the editor's
// configuration, the bound of a plan's feedback. Nothing else of the core is the editor's.
export { readHostSettings, type HostSettings, type SettingLayers } from "./hostSettings";
export { RedactingLogger, type Logger } from "../common/logger";
export { Provenance } from "../workspace/provenance";
export { MAX_FEEDBACK_CHARS } from "../mission/planApproval";
export { INSTALL_OPENCODE } from "../engine/errors";

/** A job as the Jobs view shows it: a copy of its fields, never the job record itself. */
function jobModel(job: BackgroundJob): JobModel {
  return {
    id: job.id,
    command: job.command,
    pid: job.pid,
    status: job.status,
    exitCode: job.exitCode,
    reason: job.reason,
    startedAt: job.startedAt,
    endedAt: job.endedAt,
    outputChars: job.output.total,
    logFile: job.logFile,
    owner: job.owner && { missionId: job.owner.missionId, role: job.owner.role, todoIds: [...job.owner.todoIds] },
  };
}

const refOf = (state: MissionState): MissionRef => ({ missionId: state.id, mission: state.mission, status: state.status });

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
  private readonly missionView = new MissionView();
  /** What the editor renders: the read model, the sessions, the timeline, the jobs, and what changed in each update. */
  readonly view: MissionFeed = this.missionView;
  private readonly noticeEmitter = new Emitter<HostNotice>();
  /** What the editor should tell the user; the host never decides how it is shown. */
  readonly notices: Subscribable<HostNotice> = this.noticeEmitter;
  private readonly requestEmitter = new Emitter<AgentRequestUpdate>();
  /** The agents' permission and question requests, asked and gone; answered through replyPermission / answerQuestion. */
  readonly requests: Subscribable<AgentRequestUpdate> = this.requestEmitter;
  private readonly approvals = new PlanApprovals();
  /** The plan waiting for the user's Approve, Replan or Cancel (orchestrator.approvePlan); answered through answerPlanApproval. */
  readonly planApprovals: PlanApprovalFeed = this.approvals;
  private readonly jobs: BackgroundJobManager;
  private readonly store: MissionStore;
  private readonly library: MissionLibrary;
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
  /** The models of the engine leased now, listed once per engine: Run Task's pick, the default model's name and the prices read it. */
  private listed?: { pool: EnginePool<Engine>; models: Promise<ModelChoice[]> };

  constructor(private readonly options: MissionHostOptions) {
    this.logger = options.logger;
    const provenance = options.provenance ?? Provenance.ofThisProcess();
    this.store = new MissionStore(options.workspace, undefined, provenance);
    this.library = new MissionLibrary(this.store, options.logger, (problem) => this.stateProblem(problem));
    this.checkpoints = new CheckpointStore(options.workspace, { logger: options.logger, provenance });
    this.changes = new MissionChanges(this.store, this.checkpoints);
    this.jobs = new BackgroundJobManager({ workspace: options.workspace });
    this.jobSubscription = this.jobs.changed.on((job) => this.missionView.jobChanged(jobModel(job)));
    this.engines = new EngineProvider({ logger: options.logger, serverPassword: options.serverPassword ?? (async () => undefined), extensionPath: options.extensionPath ?? options.workspace, jobs: this.jobs, env: options.engineEnv });
    this.agentRequests = new AgentRequests((id) => this.missionView.who(id), (update) => this.requestEmitter.fire(update), options.logger);
    // Background jobs and plan-given checks pass the rules the bash tool's commands pass (the user where they ask);
    // one gate for the window, so an "Always" lasts as long as the window.
    const ask: JobAsk = (permission, patterns, command) => this.agentRequests.askUser(permission === "bash" ? "An agent's background job" : `An agent's background job (${oneLine(command).slice(0, 120)})`, permission, patterns);
    this.jobs.setGate(new JobPermission(async () => this.rules, ask, options.logger, options.workspace).gate);
  }

  get model(): MissionModel {
    return this.view.model;
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
    const latest = await this.library.latest();
    if (!latest) return undefined;
    try {
      const history = await this.library.history(latest.id);
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
  setAside(missionId: string): ActionResult {
    if (this.isRunning && this.commander?.state.id === missionId) return { ok: false, reason: "that mission is running; stop it first." };
    if (this.view.missionId === missionId) return { ok: false, reason: "that mission is shown and readable; only a mission that cannot be read is set aside." };
    return this.library.setAside(missionId);
  }

  /** The latest mission of the workspace the user may resume, if any (it may not be the one shown). */
  async latestUnfinished(): Promise<MissionRef | undefined> {
    const state = await this.library.latestUnfinished();
    return state && refOf(state);
  }

  /**
   * Which mission Resume acts on: the one named, else the one shown, else (nothing shown) the
   * latest unfinished one. Never silently another mission than the user is looking at: when the one
   * shown is finished for good, the answer is a refusal that offers the latest unfinished one.
   */
  async resumeTarget(missionId?: string): Promise<ResumeTarget> {
    if (this.isRunning) return { ok: false, reason: "a mission is already running." };
    const id = missionId ?? this.view.missionId;
    const loaded = id ? await this.library.load(id) : await this.library.latestUnfinished();
    if (!loaded) return { ok: false, reason: "no unfinished mission in this workspace." };
    if ("reason" in loaded) return { ok: false, reason: loaded.reason };
    // Its TODOs would become the agents' prompts, its checkpoints the base of what is shown and reverted.
    const notOurs = this.library.notOurs(loaded.id);
    if (notOurs) return { ok: false, reason: notOurs };
    if (canResume(loaded)) return { ok: true, target: refOf(loaded) };
    const reason = missionReverted(loaded)
      ? `the changes of the mission "${missionLabel(loaded.mission)}" were reverted: Undo Revert brings them back, a Retry of one of its TODOs redoes it, Run Task starts a new mission.`
      : `the mission "${missionLabel(loaded.mission)}" ended ${loaded.status}; it cannot be resumed. Run Task starts a new one.`;
    if (missionId !== undefined) return { ok: false, reason };
    const other = await this.library.latestUnfinished();
    return { ok: false, reason, offer: other && other.id !== loaded.id ? refOf(other) : undefined };
  }

  /** `history`: the tail of its journal (MissionStore.history), read before, so that showing it is one step. */
  private showState(state: MissionState, history: readonly HistoryEntry[]): void {
    this.missionView.show(state, { phase: phaseOf(state.status), demo: false, startedAt: state.createdAt, finishedAt: state.updatedAt, notOurs: this.library.notOurs(state.id) }, history);
  }

  private stateProblem(problem: StateFileError): void {
    if (problem.recovered) this.logger.warn(problem.message);
    else this.logger.error(problem.message);
    this.noticeEmitter.fire({ kind: "stateProblem", message: problem.message, recovered: problem.recovered, missionId: problem.recovered ? undefined : problem.missionId });
  }

  /**
   * Every mission of the workspace, newest first, for the history view (those not the user's own
   * say why). The mission shown is listed as the read model has it now, so the history never lags
   * the other views (its saved state is written a few times a second at most).
   */
  async missions(): Promise<MissionSummary[]> {
    const list = await this.library.list(this.commander?.state.id);
    const m = this.model;
    return list.map((entry) => (entry.missionId === m.missionId && m.status ? { ...entry, status: m.status, done: doneText(m.counts, "TODOs done"), tokens: m.tokens.input + m.tokens.output, cost: m.cost, resumable: m.resumable } : entry));
  }

  /** Shows a past mission in the views (its TODOs, changes, sessions and timeline); not while another runs. */
  async openMission(missionId: string): Promise<ActionResult> {
    if (this.view.missionId === missionId) return { ok: true };
    const running: ActionResult = { ok: false, reason: "a mission is running; stop it first, or wait for it to end." };
    if (this.isRunning) return running;
    const loaded = await this.library.load(missionId);
    if ("reason" in loaded) return { ok: false, reason: loaded.reason };
    const history = await this.library.history(missionId);
    // Reading took a moment: a mission may have started meanwhile.
    if (this.isRunning) return running;
    this.showState(loaded, history);
    return { ok: true };
  }

  /** The final report of a mission, if it has one. */
  reportOf(missionId: string): Promise<string | undefined> {
    return this.library.reportOf(missionId);
  }

  /** Deletes a mission (its state, journal and report; the workspace's files stay as they are). Never the running one. */
  async deleteMission(missionId: string): Promise<ActionResult> {
    if (this.commander?.state.id === missionId || (this.isRunning && this.view.missionId === missionId)) return { ok: false, reason: "that mission is running; stop it first." };
    const deleted = this.library.delete(missionId);
    if (!deleted.ok) return deleted;
    // The views no longer show a mission that is gone: the latest one, or nothing.
    if (this.view.missionId === missionId && !this.isRunning) {
      this.missionView.showNone();
      await this.showLatest();
    }
    return { ok: true };
  }

  /**
   * Starts (or attaches to) the engine ahead of a mission, in the background: the user opened the
   * Orchestrator view or the Run Task box, so the first mission and the model list need not wait
   * for OpenCode to start. Never throws: a start that fails is the mission's to report, with its
   * way out, when the user runs one. Resolves whether OpenCode is ready.
   */
  async warm(settings: HostSettings): Promise<boolean> {
    try {
      const started = Date.now();
      const lease = await this.engines.get(this.options.workspace, settings, settings.limits.maxParallelSessions);
      // The pick lists them at once, and the first plan's prices are known before it is ready.
      const models = await this.modelsOf(lease);
      this.logger.info(`OpenCode is ready ahead of a mission (${lease.demo ? "demo model" : `${models.length} model(s) listed`}, ${Date.now() - started} ms)`);
      return true;
    } catch (error) {
      this.logger.info(`OpenCode was not started ahead of a mission: ${this.logger.redact((error as Error).message)}`);
      return false;
    }
  }

  /**
   * The models OpenCode can use now, for the user to pick one for a mission (starts OpenCode if it
   * is not running; the mission reuses it). Empty in demo mode: there is nothing to choose.
   */
  async models(settings: HostSettings): Promise<{ models: ModelChoice[]; demo: boolean }> {
    const lease = await this.engines.get(this.options.workspace, settings, settings.limits.maxParallelSessions);
    return { models: await this.modelsOf(lease), demo: lease.demo };
  }

  /** The lease's models, listed once per engine (OpenCode's provider list takes a second, more on a busy machine). */
  private modelsOf(lease: EngineLease): Promise<ModelChoice[]> {
    const first = lease.pool.members()[0]?.member;
    if (lease.demo || !first) return Promise.resolve([]);
    if (this.listed?.pool !== lease.pool) {
      const entry = { pool: lease.pool, models: listModels(first) };
      this.listed = entry;
      // A list that failed is asked for again next time.
      entry.models.catch(() => {
        if (this.listed === entry) this.listed = undefined;
      });
    }
    return this.listed.models;
  }

  /** What is wrong with a mission's text (empty, too long), or undefined: the rule Run Task and the chat show. */
  missionProblem(mission: string): string | undefined {
    return missionProblem(mission);
  }

  /** What is wrong with a question for chat mode, or undefined. */
  questionProblem(question: string): string | undefined {
    return questionProblem(question);
  }

  /**
   * Runs a new mission to its end; resolves with the final model. Rejects, running nothing, when
   * another mission runs or the text is no mission (missionProblem says why).
   */
  run(mission: string, settings: HostSettings): Promise<MissionModel> {
    if (this.isRunning) return Promise.reject(new Error("A mission is already running."));
    const problem = missionProblem(mission);
    if (problem) return Promise.reject(new Error(problem));
    const text = mission.trim();
    this.missionView.starting(text, Date.now());
    return this.execute(settings, text, (options) => Commander.create(text, options), true);
  }

  /** Resumes the mission resumeTarget names (the one named, else the one shown, else the latest unfinished one). */
  async resume(settings: HostSettings, missionId?: string): Promise<ActionResult> {
    const target = await this.resumeTarget(missionId);
    if (!target.ok) return { ok: false, reason: target.reason };
    const loaded = await this.library.load(target.target.missionId);
    if ("reason" in loaded) return { ok: false, reason: loaded.reason };
    const history = await this.library.history(loaded.id);
    // Reading took a moment: another action may have started a mission meanwhile.
    if (this.isRunning) return { ok: false, reason: "a mission is already running." };
    await this.resumeState(loaded, settings, history);
    return { ok: true };
  }

  /** Shows the mission and starts it, in one step (nothing awaited before execute marks the host busy). */
  private resumeState(state: MissionState, settings: HostSettings, history: readonly HistoryEntry[]): Promise<MissionModel> {
    // Why it stopped last time is not why anything is as it is once it runs again.
    state.stopReason = undefined;
    // Its sessions and timeline so far stay on screen; the resumed run adds to them.
    this.showState(state, history);
    this.missionView.setFacts({ phase: "starting", startedAt: Date.now(), finishedAt: undefined, error: undefined });
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
    const loaded = await this.library.load(missionId);
    if ("reason" in loaded) return refused(loaded.reason);
    const notOurs = this.library.notOurs(loaded.id);
    if (notOurs) return refused(notOurs);
    const history = await this.library.history(missionId);
    // Reading took a moment: the mission (or another) may have started meanwhile.
    if (this.commander?.state.id === missionId) return live(this.commander) ? { ok: true } : refused(`it is ${this.commander.state.todos.find((t) => t.id === todoId)?.status ?? "not in this mission"}.`);
    if (this.isRunning) return refused("another mission is running.");
    if (!isResumable(loaded.status)) return refused(`its mission ended ${loaded.status}.`);
    if (!stored(loaded)) return refused(`it is ${loaded.todos.find((t) => t.id === todoId)?.status ?? "not in this mission"}.`);
    this.library.save(loaded);
    await this.resumeState(loaded, settings, history);
    return { ok: true };
  }

  /** `fresh`: a new mission, which is kept (stopped, resumable) if OpenCode cannot be started for it. */
  private async execute(settings: HostSettings, mission: string, make: (options: CommanderOptions) => Commander, fresh = false): Promise<MissionModel> {
    this.starting = true;
    this.stopRequested = false;
    this.missionView.setFacts({ stopping: false });
    const label = missionLabel(mission);
    this.logger.info(`Mission: ${label}`);
    const subscriptions: Array<{ dispose(): void }> = [];
    try {
      const lease = await this.engines.get(this.options.workspace, settings, settings.limits.maxParallelSessions);
      if (this.stopRequested) {
        this.missionView.setFacts({ phase: "stopped", finishedAt: Date.now(), stopping: false });
        return this.model;
      }
      if (lease.demo) this.noticeEmitter.fire({ kind: "demo" });
      if (lease.stepSnapshots && !this.warnedSlowServer) {
        this.warnedSlowServer = true;
        this.logger.warn("The attached OpenCode server snapshots the workspace at every step: missions with many Workers run several times slower. Set \"snapshot\": false in its configuration.");
        this.noticeEmitter.fire({ kind: "slowServer" });
      }
      // The mission survives its servers: a member that dies is restarted, its turns go on in new sessions.
      const pool = lease.pool;
      pool.renewRestarts();
      this.pool = pool;
      // The model picked for this mission (Run Task's quick pick or orchestrator.model); the demo model in demo mode.
      const model = lease.demo ? lease.model : (settings.model ?? lease.model);
      // The model list (cached per engine): OpenCode's default by name, and the plan's prices.
      const listing = this.modelsOf(lease).catch((): ModelChoice[] => []);
      // What file scopes and the job gate need of the server: its worktree (asks name files from it) and the user's rules.
      const first = pool.members()[0]?.member;
      const [worktree, rules, shownModel] = await Promise.all([worktreeOf(first), configuredRules(first), model ?? listing.then((models) => models.find((m) => m.isDefault))]);
      // Unknown rules: jobs are asked about (none would allow them), Workers keep to their scopes alone.
      this.rules = rules ?? [];
      const approval = settings.approvePlan ? this.planApproval(settings.approvePlan, lease.demo ? undefined : listing, model, settings.models, () => commander.state) : undefined;
      const commander = make({ engine: pool, store: this.store, checkpoints: this.checkpoints, logger: this.logger, model, models: settings.models, limits: settings.limits, jobs: this.jobs, checkCommand: settings.checkCommand, scopes: { worktree, rules }, approval });
      this.commander = commander;
      // A Stop pressed while OpenCode was starting (no Commander to stop yet) stops this one.
      if (this.stopRequested) commander.stop();
      // The model that runs it, by name, on every surface: OpenCode's default is resolved to the one it is.
      commander.state.model = shownModel ? `${shownModel.providerID}/${shownModel.modelID}` : commander.state.model;
      this.store.save(commander.state);
      // Workers' writes outside their files are the Commander's to decide, not the user's.
      this.agentRequests.decideWith((ask) => commander.answerScope(ask.sessionId, ask.permission, ask.patterns));
      this.agentRequests.setTimeout(settings.limits.permissionTimeoutMs ?? DEFAULT_LIMITS.permissionTimeoutMs);
      this.starting = false;
      if (this.view.missionId !== commander.state.id) this.missionView.show(commander.state, { phase: "running", demo: lease.demo, startedAt: Date.now() });
      this.missionView.setFacts({ phase: "running", demo: lease.demo });
      subscriptions.push(
        ...pool.members().map(({ member, index }) => this.follow(member, index, pool.size)),
        commander.events.on((event) => this.onEvent(event)),
        // A member started for a wider wave, or again after a crash: its events are followed too.
        pool.onMember((member, index) => subscriptions.push(this.follow(member, index, pool.size))),
      );
      const final = await commander.run();
      this.missionView.setFacts({ phase: phaseOf(final.status), finishedAt: Date.now(), stopping: false });
      this.logger.info(final.report ?? `Mission ${final.status}`);
      this.noticeEmitter.fire({ kind: "finished", model: this.model, stoppedByUser: this.stopRequested });
    } catch (error) {
      // Shown in the views and a notification, and kept in the mission: no credential in it (OpenCode's start output is quoted).
      const message = this.logger.redact(error instanceof Error ? error.message : String(error));
      if (fresh && !this.commander) this.keepUnstarted(mission, message);
      this.missionView.setFacts({ phase: "failed", error: message, finishedAt: Date.now(), stopping: false });
      this.logger.error(`Mission failed: ${message}`);
      // Missing, or a version that does not run: either way the way on is to install the current OpenCode.
      this.noticeEmitter.fire({ kind: "error", message, opencodeMissing: error instanceof OpencodeNotFoundError || error instanceof UnsupportedOpencodeError });
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
      this.missionView.show(state, { phase: "stopped", demo: false, startedAt: state.createdAt });
    } catch (error) {
      this.logger.error(`Could not keep the mission that did not start: ${(error as Error).message}`);
    }
  }

  /**
   * How the mission's plan is estimated and put to the user: the prices come from the engine's model
   * list (`models`: listed once per engine, while the Planner plans; a resumed mission that has its
   * TODOs never asks), the past missions for each plan (a mission that just ended counts), and,
   * before the workspace has any, this mission's Planner turns (planEstimate.ts).
   */
  private planApproval(mode: ApprovePlanMode, models: Promise<ModelChoice[]> | undefined, model: ModelRef | undefined, roleModels: Partial<Record<Role, ModelRef>>, state: () => MissionState): PlanApprovalPort {
    let prices: Promise<RolePrices> | undefined;
    return {
      mode,
      estimate: async (todos) => {
        const mission = state();
        const profile = usageProfile(await pastMissions(this.store, mission.id), plannerScaledProfile(mission.usageByRole.planner, todos));
        return estimatePlan(todos, profile, await (prices ??= rolePrices(models, model, roleModels)));
      },
      decide: (request, signal) => this.approvals.ask(request, signal),
    };
  }

  /** The user's answer to the plan approval that waits (from whichever surface); false when none of `missionId` (and `round`) waits. */
  answerPlanApproval(missionId: string, decision: PlanDecision, round?: number): boolean {
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
      this.missionView.applyOpencode(event, server);
      this.agentRequests.apply(engine, event);
    });
  }

  private onEvent(event: OrchestratorEvent): void {
    this.missionView.applyMission(event);
    if (event.type === "todo.status") this.logger.info(`TODO ${event.todoId}: ${event.from} → ${event.to}${event.note ? ` (${event.note})` : ""}`);
    else if (event.type === "turn.started") this.logger.debug(`${event.role} session ${event.sessionId} started${event.todoIds.length ? ` for ${event.todoIds.join(", ")}` : ""}`);
    else if (event.type === "plan.rejected") this.logger.warn(`Plan sent back: ${event.problems.join(" ")}`);
    else if (event.type === "mission.status") this.logger.info(`Mission ${event.status}${event.reason ? `: ${event.reason}` : ""}`);
  }

  /** A TODO's real diff, or the whole mission's against the workspace now (no `todoId`). */
  async changesOf(missionId: string, todoId?: string): Promise<ChangeSet | { reason: string }> {
    const loaded = this.commander?.state.id === missionId ? this.commander.state : await this.library.load(missionId);
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
    const loaded = await this.library.load(missionId);
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
      history = await this.library.history(missionId);
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
  async ask(question: string, settings: HostSettings, options: AskOptions = {}): Promise<AskAnswer> {
    const problem = questionProblem(question);
    if (problem) throw new Error(problem);
    const lease = await this.engines.get(this.options.workspace, settings, settings.limits.maxParallelSessions);
    const limits = { model: lease.model, livenessMs: settings.limits.livenessMs, ttlMs: settings.limits.sessionTtlMs };
    return { ...(await askWorkspace(lease.pool, question, limits, options)), demo: lease.demo };
  }

  /** Stops the running mission: every session is aborted; the mission stays resumable. */
  stop(): void {
    if (!this.isRunning) return;
    this.logger.info("Stop requested");
    this.stopRequested = true;
    // Said at once: aborting its sessions can take OpenCode a while.
    if (!this.editing) this.missionView.setFacts({ stopping: true });
    this.commander?.stop();
  }

  async abortSession(sessionId: string): Promise<void> {
    if (this.missionView.session(sessionId)) await this.pool?.abortSession(sessionId);
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

  /** A job's output from character `from` on (pass the last answer's `total` to read only what came next). */
  jobOutput(id: string, from = 0): JobOutput | undefined {
    const job = this.jobs.get(id);
    if (!job) return undefined;
    const fresh = job.output.total - from;
    return { text: fresh > 0 ? job.output.read(fresh) : "", total: job.output.total, dropped: job.output.dropped };
  }

  /** Ends a job with its whole process tree. */
  async killJob(id: string): Promise<void> {
    await this.jobs.kill(id);
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
    this.missionView.dispose();
    this.noticeEmitter.dispose();
    this.requestEmitter.dispose();
    this.approvals.changed.dispose();
  }
}
