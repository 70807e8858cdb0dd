/**
 * Runs missions for the window (one at a time) through the Commander and publishes a snapshot that
 * the status bar, the dashboard and the notifications all read.
 */
import * as vscode from "vscode";
import { OpencodeNotFoundError } from "../orchestrator/engine/errors";
import type { OrchestratorEvent } from "../orchestrator/domain/events";
import type { RedactingLogger } from "../orchestrator/logger";
import { Commander, USER_STOP_REASON } from "../orchestrator/mission/commander";
import { MissionStore, StateFileError } from "../orchestrator/mission/missionStore";
import { missionLabel } from "../orchestrator/domain/missionText";
import type { MissionState } from "../orchestrator/domain/state";
import type { Engine } from "../orchestrator/engine/engine";
import { ResilientEngine } from "../orchestrator/engine/resilientEngine";
import { retryTodo, skipTodo } from "../orchestrator/domain/transitions";
import { idleSnapshot, type RunSnapshot, type TimelineEntry, type TodoSummary } from "../shared/protocol";
import { SessionRegistry } from "./viewModels/sessionRegistry";
import type { EngineHost } from "./engineHost";
import { showMissionProgress } from "./missionProgress";
import { readSettings } from "./settings";
import type { MissionStatusBar } from "./statusBar";

const TIMELINE_LIMIT = 200;
const RESUMABLE: readonly string[] = ["stopped", "incomplete", "budget-exhausted"];

export class MissionRunner implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<RunSnapshot>();
  readonly onDidChange = this.changed.event;
  private readonly sessionsChanged = new vscode.EventEmitter<string[]>();
  /** Ids of sessions whose record changed (status, tokens, transcript). */
  readonly onDidChangeSessions = this.sessionsChanged.event;
  private readonly engineChanged = new vscode.EventEmitter<Engine>();
  /** The engine a mission runs on, when it starts: for permission and question routing. */
  readonly onDidUseEngine = this.engineChanged.event;
  readonly sessions = new SessionRegistry();
  private readonly timelineEntries: TimelineEntry[] = [];
  private state: RunSnapshot = idleSnapshot();
  private commander?: Commander;
  private engine?: Engine;
  private starting = false;
  private stopRequested = false;

  constructor(
    private readonly host: EngineHost,
    private readonly statusBar: MissionStatusBar,
    private readonly logger: RedactingLogger,
  ) {}

  get snapshot(): RunSnapshot {
    return this.state;
  }

  get isRunning(): boolean {
    return this.starting || this.commander !== undefined;
  }

  get timeline(): readonly TimelineEntry[] {
    return this.timelineEntries;
  }

  /** Retry a TODO: in the running mission, or in the stored one (then resumed). */
  async retryTodo(folder: vscode.WorkspaceFolder | undefined, id: string): Promise<boolean> {
    if (this.commander) return this.commander.retryTodo(id);
    return this.editStored(folder, (state) => retryTodo(state, id) !== undefined);
  }

  async skipTodo(folder: vscode.WorkspaceFolder | undefined, id: string): Promise<boolean> {
    if (this.commander) return this.commander.skipTodo(id);
    return this.editStored(folder, (state) => skipTodo(state, id) !== undefined);
  }

  private async editStored(folder: vscode.WorkspaceFolder | undefined, edit: (state: MissionState) => boolean): Promise<boolean> {
    const state = folder && this.unfinished(folder);
    if (!folder || !state || !edit(state)) return false;
    new MissionStore(folder.uri.fsPath).save(state);
    this.publish({ ...this.state, todos: summarize(state) });
    await this.resume(folder, state);
    return true;
  }

  async abortSession(sessionId: string): Promise<void> {
    await this.engine?.abortSession(sessionId);
  }

  stop(): void {
    if (!this.isRunning) return;
    this.logger.info("Stop requested");
    this.stopRequested = true;
    this.commander?.stop();
  }

  /** Shows the folder's latest mission (after a reload the views come back as they were). */
  showLatest(folder: vscode.WorkspaceFolder): MissionState | undefined {
    if (this.isRunning) return undefined;
    const latest = new MissionStore(folder.uri.fsPath).latest(undefined, (problem) => this.reportStateProblem(problem));
    if (!latest) return undefined;
    const phase = phaseOf(latest.status);
    this.publish({
      ...idleSnapshot(),
      phase,
      mission: latest.mission,
      missionId: latest.id,
      status: latest.status,
      iteration: latest.iteration,
      todos: summarize(latest),
      report: latest.report,
      startedAt: latest.createdAt,
      finishedAt: latest.updatedAt,
      tokens: { input: latest.usage.inputTokens, output: latest.usage.outputTokens },
      cost: latest.usage.cost,
    });
    return latest;
  }

  /** The latest mission in this folder that can be resumed, if any. */
  unfinished(folder: vscode.WorkspaceFolder): MissionState | undefined {
    return new MissionStore(folder.uri.fsPath).findUnfinished((problem) => this.reportStateProblem(problem));
  }

  /** A bad state file: a warning when the journal rebuilt the mission, an error when it is lost to us. */
  private reportStateProblem(problem: StateFileError): void {
    if (problem.recovered) {
      this.logger.warn(problem.message);
      void vscode.window.showWarningMessage(`Orchestrator: ${problem.message}`);
    } else {
      this.logger.error(problem.message);
      void vscode.window.showErrorMessage(`Orchestrator: ${problem.message}`);
    }
  }

  run(folder: vscode.WorkspaceFolder, mission: string): Promise<void> {
    return this.execute(folder, (options) => Commander.create(mission, options), mission);
  }

  resume(folder: vscode.WorkspaceFolder, state: MissionState): Promise<void> {
    return this.execute(folder, (options) => Commander.resume(state, options), state.mission);
  }

  private async execute(folder: vscode.WorkspaceFolder, make: (options: ConstructorParameters<typeof Commander>[1]) => Commander, mission: string): Promise<void> {
    this.starting = true;
    this.stopRequested = false;
    let resumable = false;
    void vscode.commands.executeCommand("setContext", "orchestrator.running", true);
    const label = missionLabel(mission);
    this.publish({ ...idleSnapshot(), phase: "starting", mission, startedAt: Date.now() });
    this.statusBar.running(label, "starting OpenCode");
    this.logger.info(`Mission: ${label}`);
    try {
      const settings = readSettings(this.logger, (m) => void vscode.window.showWarningMessage(m));
      const session = await this.host.get(folder.uri.fsPath, settings);
      if (this.stopRequested) {
        this.publish({ ...this.state, phase: "stopped", finishedAt: Date.now() });
        return;
      }
      if (session.demo) {
        void vscode.window.showInformationMessage("Orchestrator demo mode: no model provider is configured in OpenCode, so a scripted demo model answers. Configure a provider (`opencode auth login`) or set `orchestrator.model` to run real agents.");
      }
      // The mission survives its server: if OpenCode dies, the next turn starts a new one.
      const resilient = new ResilientEngine(session.engine, () => this.host.restart(), this.logger);
      const commander = make({ engine: resilient, store: new MissionStore(folder.uri.fsPath), logger: this.logger, model: session.model, models: settings.models, limits: settings.limits, jobs: this.host.jobs });
      this.commander = commander;
      this.starting = false;
      this.sessions.clear();
      this.timelineEntries.length = 0;
      let engineEvents: { dispose(): void } | undefined;
      const follow = (engine: Engine) => {
        this.engine = engine;
        engineEvents?.dispose();
        engineEvents = engine.events.onAny((event) => {
          const id = this.sessions.applyOpencode(event);
          if (id) this.sessionsChanged.fire([id]);
        });
        this.engineChanged.fire(engine);
      };
      follow(session.engine);
      const subs = [
        commander.events.on((event) => this.onEvent(commander, event, label, session.demo)),
        resilient.onRestart((engine) => {
          this.logger.warn("OpenCode was restarted; the mission goes on");
          follow(engine);
        }),
        { dispose: () => engineEvents?.dispose() },
      ];
      this.publishState(commander, label, session.demo);
      const running = commander.run().finally(() => subs.forEach((d) => d.dispose()));
      showMissionProgress(label, this.onDidChange, running, () => this.stop());
      const final = await running;
      this.finish(final);
      resumable = RESUMABLE.includes(final.status);
    } catch (error) {
      this.fail(error);
    } finally {
      this.starting = false;
      this.commander = undefined;
      if (resumable) this.statusBar.resumable(label);
      else this.statusBar.hide();
      void vscode.commands.executeCommand("setContext", "orchestrator.running", false);
    }
  }

  private onEvent(commander: Commander, event: OrchestratorEvent, label: string, demo: boolean): void {
    const changedSession = this.sessions.applyMission(event);
    if (changedSession) this.sessionsChanged.fire([changedSession]);
    const line = timelineText(event);
    if (line) {
      this.timelineEntries.push({ at: Date.now(), text: line });
      if (this.timelineEntries.length > TIMELINE_LIMIT) this.timelineEntries.splice(0, this.timelineEntries.length - TIMELINE_LIMIT);
    }
    this.publishState(commander, label, demo);
    if (event.type === "todo.status") this.logger.info(`TODO ${event.todoId}: ${event.from} → ${event.to}${event.note ? ` (${event.note})` : ""}`);
    else if (event.type === "turn.started") this.logger.debug(`${event.role} session ${event.sessionId} started${event.todoIds.length ? ` for ${event.todoIds.join(", ")}` : ""}`);
    else if (event.type === "plan.rejected") this.logger.warn(`Plan sent back: ${event.problems.join(" ")}`);
    else if (event.type === "mission.status") this.logger.info(`Mission ${event.status}${event.reason ? `: ${event.reason}` : ""}`);
  }

  /** Snapshot and status bar from the Commander's state (already saved when this runs). */
  private publishState(commander: Commander, label: string, demo: boolean): void {
    const s = commander.state;
    const live = s.todos.filter((t) => t.status !== "replaced");
    const done = live.filter((t) => t.status === "done").length;
    const running = live.filter((t) => t.status === "running").length;
    this.publish({
      ...this.state,
      phase: "running",
      demo,
      missionId: s.id,
      status: s.status,
      iteration: s.iteration,
      running,
      todos: summarize(s),
      tokens: { input: s.usage.inputTokens, output: s.usage.outputTokens },
      cost: s.usage.cost,
    });
    const detail = s.status === "planning" ? "planning" : `${done}/${live.length} · ${running} running`;
    this.statusBar.running(label, demo ? `${detail} (demo model)` : detail);
  }

  private finish(final: MissionState): void {
    const phase = phaseOf(final.status);
    this.publish({ ...this.state, phase, status: final.status, report: final.report, finishedAt: Date.now(), running: 0, error: phase === "failed" ? final.stopReason : undefined });
    this.logger.info(final.report ?? `Mission ${final.status}`);
    const live = final.todos.filter((t) => t.status !== "replaced");
    const done = live.filter((t) => t.status === "done").length;
    if (final.status === "sealed") {
      void vscode.window.showInformationMessage(`Orchestrator: mission sealed — ${done}/${live.length} TODOs done and reviewed.`, "Open Dashboard").then((c) => c && vscode.commands.executeCommand("orchestrator.openDashboard"));
    } else if (final.status === "stopped") {
      // Stopped by the user: a note. Stopped by something the user must fix (credentials, a read-only folder): a warning that says what.
      const byUser = !final.stopReason || final.stopReason === USER_STOP_REASON;
      const show = byUser ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
      void show(`Orchestrator: mission stopped${byUser ? "" : ` — ${final.stopReason}`} (${done}/${live.length} done). It can be resumed.`, "Resume").then((c) => c && vscode.commands.executeCommand("orchestrator.resume"));
    } else {
      // Failures grouped in one message: what ended the mission and which TODOs did not make it.
      const failed = live.filter((t) => t.status === "failed" || t.status === "blocked").map((t) => t.id);
      const which = failed.length ? ` Failed or blocked: ${failed.join(", ")}.` : "";
      void vscode.window.showWarningMessage(`Orchestrator: mission ${final.status} — ${final.stopReason ?? ""} (${done}/${live.length} done).${which}`, "Show", "Resume").then((c) => {
        if (c === "Show") void vscode.commands.executeCommand("orchestrator.todos.focus");
        if (c === "Resume") void vscode.commands.executeCommand("orchestrator.resume");
      });
    }
  }

  private fail(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    this.publish({ ...this.state, phase: "failed", error: message, finishedAt: Date.now(), running: 0 });
    this.logger.error(`Mission failed: ${message}`);
    if (error instanceof OpencodeNotFoundError) {
      void vscode.window.showErrorMessage(message, "Open Settings").then((choice) => {
        if (choice) void vscode.commands.executeCommand("workbench.action.openSettings", "orchestrator.opencode.path");
      });
      return;
    }
    void vscode.window.showErrorMessage(`Orchestrator: ${message}`, "Show Log").then((choice) => {
      if (choice) void vscode.commands.executeCommand("orchestrator.showLog");
    });
  }

  private publish(next: RunSnapshot): void {
    this.state = next;
    this.changed.fire(next);
  }

  dispose(): void {
    this.stop();
    this.changed.dispose();
    this.sessionsChanged.dispose();
    this.engineChanged.dispose();
  }
}

/** The run phase a mission in this status shows when no Commander runs it (running/planning: cut off, so stopped). */
function phaseOf(status: MissionState["status"]): RunSnapshot["phase"] {
  if (status === "sealed") return "done";
  if (status === "stopped" || status === "running" || status === "planning") return "stopped";
  return "failed";
}

function summarize(state: MissionState): TodoSummary[] {
  return state.todos
    .filter((t) => t.status !== "replaced")
    .map((t) => ({ id: t.id, title: t.title, status: t.status, attempts: t.attempts, files: t.files, dependsOn: t.dependsOn, acceptance: t.acceptance, reviewIssues: t.reviewIssues, sessions: t.sessions, note: t.history.at(-1)?.note }));
}

/** One line for the dashboard's timeline, or nothing for events too fine to list. */
function timelineText(event: OrchestratorEvent): string | undefined {
  switch (event.type) {
    case "mission.started":
      return `${event.resumed ? "Resumed" : "Started"} mission`;
    case "mission.status":
      return `Mission ${event.status}${event.reason ? `: ${event.reason}` : ""}`;
    case "plan.accepted":
      return `${event.replan ? "Replan" : "Plan"} accepted: ${event.todoIds.join(", ")}`;
    case "plan.rejected":
      return `Plan sent back: ${event.problems.join(" ")}`;
    case "todo.status":
      return `${event.todoId}: ${event.from} → ${event.to}${event.note ? ` (${event.note})` : ""}`;
    case "review.round":
      return `Review round ${event.iteration}: ${event.passed.length} passed, ${event.failed.length} failed${event.syncIssues ? `, ${event.syncIssues} sync issue(s)` : ""}`;
    case "turn.retry":
      return `${event.role}${event.todoIds.length ? ` ${event.todoIds.join(", ")}` : ""}: ${event.note} (attempt ${event.attempt})`;
    case "limit.changed":
      return `Parallel limit now ${event.limit}`;
    case "job.started":
      return `${event.todoIds.length ? event.todoIds.join(", ") : event.role} started background ${event.jobId}`;
    default:
      return undefined;
  }
}
