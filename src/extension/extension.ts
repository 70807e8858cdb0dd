/**
 * Entry point. Activation wires the core's front door (MissionHost) to VS Code: commands, views,
 * status bar, notifications, dashboard. Every surface renders the host's one read model; the
 * OpenCode server starts on the first mission. Deactivation leaves no process behind.
 */
import * as l10n from "@vscode/l10n";
import * as vscode from "vscode";
import { MissionHost, Provenance } from "../orchestrator/host/missionHost";
import { idleModel, missionLabel, type MissionModel } from "../shared/mission";
import { ASK_VIEW_TYPE, AskPanel } from "./askPanel";
import { CHECKPOINT_SCHEME, CheckpointContentProvider, closeChangeEditors, confirmRevert, openChanges } from "./changeCommands";
import { registerChatParticipant, type ChatDeps } from "./chatParticipant";
import { DashboardPanel, DASHBOARD_VIEW_TYPE } from "./dashboardPanel";
import { createLogChannel } from "./logChannel";
import { showMissionProgress } from "./missionProgress";
import { noticeShower } from "./missionNotices";
import { PermissionRouter } from "./permissionRouter";
import { PlanApprovalPrompt, planApprovalOf } from "./planApprovalPrompt";
import { keepModelList, pickModel } from "./modelPick";
import { readSettings } from "./settings";
import { REPORT_SCHEME, ReportContentProvider, reportUri } from "./reportDocuments";
import { MissionStatusBar } from "./statusBar";
import { JobsProvider, showJobTerminal } from "./views/jobsView";
import { MissionsProvider } from "./views/missionsView";
import { SessionsProvider } from "./views/sessionsView";
import { TodoTreeProvider } from "./views/todoTreeView";
import { missionOfNode, todoRef } from "./viewModels/treeModels";
import { guardedCommands, untrustedMessage, type CommandHandler } from "./trust";
import { COMMANDS, CONTEXT_KEYS, focusView, VIEWS, type CommandName } from "../shared/commands";

/** The password of an attached server (orchestrator.opencode.serverUrl), in VS Code's secret storage. */
export const SERVER_PASSWORD_SECRET = "orchestrator.opencode.serverPassword";

let host: MissionHost | undefined;

/** What activate() returns: read-only state for other extensions and for the extension-host tests. */
export interface OrchestratorApi {
  readonly snapshot: MissionModel;
  /** The `@orchestrator` chat participant's handler (the extension-host tests drive it without a chat view). */
  readonly chat?: vscode.ChatRequestHandler;
}

/** The mission id of a history item (the Missions view hands commands its element). */
function pastMissionOf(arg: unknown): string | undefined {
  return arg && typeof arg === "object" && "missionId" in arg && typeof (arg as { missionId: unknown }).missionId === "string" ? (arg as { missionId: string }).missionId : undefined;
}

export function activate(context: vscode.ExtensionContext): OrchestratorApi {
  // The view models (no vscode import) word their text through @vscode/l10n: the same bundle as vscode.l10n.
  if (vscode.l10n.bundle) l10n.config({ contents: vscode.l10n.bundle });
  const { channel, logger } = createLogChannel();
  context.subscriptions.push(channel);
  const showLog = () => channel.show(true);
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) {
    // No folder, no mission: the commands say so instead of failing.
    const needFolder = () => void vscode.window.showErrorMessage(vscode.l10n.t("Orchestrator: open a folder first; the mission runs in the workspace."));
    context.subscriptions.push(...(Object.keys(COMMANDS) as CommandName[]).map((name) => vscode.commands.registerCommand(COMMANDS[name], name === "showLog" ? showLog : needFolder)));
    return { snapshot: idleModel() };
  }
  const h = new MissionHost({ workspace: folder.uri.fsPath, logger, serverPassword: async () => context.secrets.get(SERVER_PASSWORD_SECRET), extensionPath: context.extensionPath, provenance: userProvenance(context, logger) });
  host = h;
  const settings = () => readSettings(logger, (m) => void vscode.window.showWarningMessage(m));
  const todoTree = new TodoTreeProvider(h.view);
  const sessionsView = new SessionsProvider(h.view);
  const jobsView = new JobsProvider(h);
  const missionsView = new MissionsProvider(h, () => vscode.workspace.isTrusted);
  const approvalPrompt = new PlanApprovalPrompt(h, logger);
  const todosView = vscode.window.createTreeView(VIEWS.todos, { treeDataProvider: todoTree, showCollapseAll: true });
  /** Missions that cannot be read (their folder may be set aside), by id: the TODO view says so until they are. */
  const unreadable = new Map<string, string>();
  /** The TODO view's message, above the tree: a plan waiting for the user, and missions that cannot be read. */
  const showViewMessage = () => {
    const [first] = unreadable.values();
    const m = h.model;
    const lines = [
      m.planApproval && m.estimate ? vscode.l10n.t("The plan waits for your approval: {0}. Approve Plan, Replan… or Cancel Plan below (or click the status bar).", m.estimate.line) : "",
      first === undefined ? "" : unreadable.size === 1 ? vscode.l10n.t('A mission in this workspace cannot be read: {0} Run "Orchestrator: Set Broken Mission Aside" to move its folder out of the way, losing nothing.', first) : vscode.l10n.t('{0} missions in this workspace cannot be read: {1} Run "Orchestrator: Set Broken Mission Aside" to move their folders out of the way, losing nothing.', unreadable.size, first),
    ].filter(Boolean);
    const message = lines.length ? lines.join("\n\n") : undefined;
    if (todosView.message !== message) todosView.message = message;
  };
  const showUnreadable = showViewMessage;
  /**
   * Starts OpenCode ahead of the first mission (the user opened the view or the Run Task box), so
   * the model pick and the first Worker do not wait for it. In the background, after activation,
   * in a trusted workspace only: an untrusted one starts no agent and no server.
   */
  const warm = () => {
    if (!vscode.workspace.isTrusted || h.isRunning) return;
    // Its settings' problems are said when a mission reads them, not on opening a view.
    const quiet = readSettings(logger, (m) => logger.warn(m));
    setImmediate(() =>
      void h
        .warm(quiet)
        .then(async (ready) => {
          // The pick's list, kept: the first Run Task shows the models at once.
          if (!ready || quiet.pickModel === "never") return;
          const listed = await h.models(quiet);
          await keepModelList(context, listed);
          logger.info(`Run Task's model pick has ${listed.models.length} model(s) to show at once`);
        })
        .catch((error: unknown) => logger.warn(`The model list was not kept: ${(error as Error).message}`)),
    );
  };
  let running = false;
  // The context key the menus and the palette use: true from the press of Run Task to the end.
  const setRunning = (value: boolean) => {
    if (value === running) return;
    running = value;
    void vscode.commands.executeCommand("setContext", CONTEXT_KEYS.running, value);
  };
  context.subscriptions.push(
    new MissionStatusBar(h.view),
    todoTree,
    sessionsView,
    jobsView,
    new PermissionRouter(h, logger),
    approvalPrompt,
    todosView,
    vscode.window.createTreeView(VIEWS.sessions, { treeDataProvider: sessionsView }),
    vscode.window.createTreeView(VIEWS.jobs, { treeDataProvider: jobsView }),
    missionsView,
    vscode.window.createTreeView(VIEWS.missions, { treeDataProvider: missionsView }),
    h.notices.on(noticeShower()),
    h.notices.on((notice) => {
      if (notice.kind !== "stateProblem" || !notice.missionId) return;
      unreadable.set(notice.missionId, notice.message);
      showUnreadable();
    }),
    h.view.updates.on(() => setRunning(h.model.phase === "starting" || h.model.phase === "running")),
    h.view.updates.on(showViewMessage),
    todosView.onDidChangeVisibility((event) => event.visible && warm()),
  );
  if (todosView.visible) warm();

  /** One progress notification per mission run (new or resumed); Cancel stops it. */
  const withProgress = <T>(mission: string, work: Promise<T>): Promise<T> => {
    showMissionProgress(missionLabel(mission), h.view, work, () => h.stop());
    return work;
  };
  const refuseUntrusted = () =>
    void vscode.window.showWarningMessage(untrustedMessage(), vscode.l10n.t("Manage Workspace Trust")).then((choice) => {
      if (choice) void vscode.commands.executeCommand("workbench.trust.manage");
    });
  /** Says why an action was refused (`reason`: the host's words, or the editor's own). */
  const refuse = (reason: string) => void vscode.window.showInformationMessage(vscode.l10n.t("Orchestrator: {0}", `${reason.charAt(0).toUpperCase()}${reason.slice(1)}`));
  // Chat mode: @orchestrator where the editor has a chat view, the Ask panel everywhere.
  const chatDeps: ChatDeps = { host: h, settings, workspace: folder.uri, isTrusted: () => vscode.workspace.isTrusted };
  const chat = registerChatParticipant(context, chatDeps);

  /** Resumes the mission the host says Resume acts on (the one named, else the one shown); never silently another one. */
  const resume = async (missionId?: string): Promise<void> => {
    const answer = await h.resumeTarget(missionId);
    if (!answer.ok) {
      if (!answer.offer) return refuse(answer.reason);
      // The mission shown is finished for good: the latest unfinished one is offered, by name.
      const other = answer.offer;
      const choice = await vscode.window.showInformationMessage(vscode.l10n.t('Orchestrator: {0} Resume the earlier mission "{1}" ({2})?', answer.reason, missionLabel(other.mission, 80), other.status), vscode.l10n.t("Resume It"));
      if (choice) await resume(other.missionId);
      return;
    }
    const result = await withProgress(answer.target.mission, h.resume(settings(), answer.target.missionId));
    if (!result.ok) refuse(result.reason);
  };
  const editTodo = async (arg: unknown, action: "retry" | "skip"): Promise<void> => {
    const ref = todoRef(arg, h.view.missionId);
    if (!ref) return;
    const resumes = !h.isRunning;
    const work = action === "retry" ? h.retry(ref.missionId, ref.todoId, settings()) : h.skip(ref.missionId, ref.todoId, settings());
    // On a mission that is not running, the edit resumes it: a run like any other, with its progress.
    const result = await (resumes ? withProgress(h.model.mission ?? "", work) : work);
    if (!result.ok) refuse(result.reason);
  };

  /** The TODO a command is about, if it belongs to the mission shown (the model has only that one's). */
  const shownTodo = (arg: unknown) => {
    const ref = todoRef(arg, h.view.missionId);
    return ref?.missionId === h.view.missionId ? h.model.todos.find((t) => t.id === ref?.todoId) : undefined;
  };
  /** The mission a command names: "mission:<id>" (the TODO tree), a history item, or else the one shown. */
  const missionOf = (arg: unknown): string | undefined => missionOfNode(arg) ?? pastMissionOf(arg) ?? h.view.missionId;
  const showChanges = async (missionId: string | undefined, todoId?: string, focus?: string): Promise<void> => {
    if (!missionId) return refuse(vscode.l10n.t("no mission is shown."));
    const set = await h.changesOf(missionId, todoId);
    if ("reason" in set) return refuse(set.reason);
    await openChanges(set, folder.uri, focus, missionId);
  };

  const commands: Record<CommandName, CommandHandler> = {
    runTask: async (missionArg?: unknown) => {
      if (h.isRunning) {
        const choice = await vscode.window.showInformationMessage(vscode.l10n.t("Orchestrator: a mission is already running."), vscode.l10n.t("Stop It"));
        if (choice) h.stop();
        return;
      }
      // OpenCode starts while the user types the mission.
      warm();
      const mission =
        typeof missionArg === "string"
          ? missionArg
          : await vscode.window.showInputBox({
              title: vscode.l10n.t("Orchestrator: Run Task"),
              prompt: vscode.l10n.t("Describe the mission; the Orchestrator carries it to the end in this workspace."),
              placeHolder: vscode.l10n.t("e.g. Build a REST API with authentication"),
              ignoreFocusOut: true,
              validateInput: (value) => (value.length === 0 ? undefined : h.missionProblem(value)),
            });
      if (mission === undefined) return; // cancelled
      const problem = h.missionProblem(mission);
      if (problem) return void vscode.window.showWarningMessage(vscode.l10n.t("Orchestrator: {0}", problem));
      const chosen = settings();
      if (chosen.pickModel !== "never" && typeof missionArg !== "string") {
        const model = await pickModel(context, chosen.model, () => h.models(chosen));
        if (model === "cancelled") return;
        chosen.model = model;
      }
      await withProgress(mission, h.run(mission, chosen));
    },
    ask: (question?: unknown) => AskPanel.show(context, chatDeps, logger, typeof question === "string" ? question : undefined),
    resume: (missionId?: unknown) => resume(typeof missionId === "string" ? missionId : pastMissionOf(missionId)),
    openMission: async (arg: unknown) => {
      const id = pastMissionOf(arg);
      if (!id) return;
      const opened = await h.openMission(id);
      if (!opened.ok) return refuse(opened.reason);
      void vscode.commands.executeCommand(focusView(VIEWS.todos));
    },
    showMissionReport: async (arg: unknown) => {
      const id = pastMissionOf(arg);
      const report = id ? await h.reportOf(id) : undefined;
      if (!id || !report) return refuse(vscode.l10n.t("that mission has no report yet."));
      // A read-only document of its own: nothing to save, no Untitled copy asking on close.
      const mission = typeof arg === "object" && arg && "mission" in arg ? String((arg as { mission: unknown }).mission) : id;
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(reportUri(id, mission)), { preview: true });
    },
    deleteMission: async (arg: unknown) => {
      const id = pastMissionOf(arg);
      if (!id) return;
      const label = typeof arg === "object" && arg && "mission" in arg ? String((arg as { mission: unknown }).mission).slice(0, 80) : id;
      const remove = vscode.l10n.t("Delete");
      const ok = await vscode.window.showWarningMessage(vscode.l10n.t('Delete the mission "{0}"? Its state, journal and report are removed; the files it changed in the workspace stay as they are.', label), { modal: true }, remove);
      if (ok !== remove) return;
      const deleted = await h.deleteMission(id);
      if (!deleted.ok) return refuse(deleted.reason);
      missionsView.reload();
    },
    stop: () => h.stop(),
    showPlanApproval: () => approvalPrompt.pick(),
    approvePlan: (arg?: unknown) => approvalPrompt.decide("approve", planApprovalOf(arg)),
    replanPlan: (arg?: unknown) => approvalPrompt.decide("replan", planApprovalOf(arg)),
    cancelPlan: (arg?: unknown) => approvalPrompt.decide("cancel", planApprovalOf(arg)),
    retryTodo: (arg: unknown) => editTodo(arg, "retry"),
    skipTodo: (arg: unknown) => editTodo(arg, "skip"),
    openTodoSession: (arg: unknown) => {
      const todo = shownTodo(arg);
      const sessionId = todo?.sessions.at(-1);
      if (sessionId) DashboardPanel.show(context, h, logger, sessionId);
      else refuse(vscode.l10n.t("TODO {0} has no session yet.", todoRef(arg, h.view.missionId)?.todoId ?? ""));
    },
    openTodoFiles: async (arg: unknown) => {
      for (const file of shownTodo(arg)?.files ?? []) {
        try {
          await vscode.window.showTextDocument(vscode.Uri.joinPath(folder.uri, file), { preview: false, preserveFocus: true });
        } catch {
          refuse(vscode.l10n.t("{0} does not exist yet.", file));
        }
      }
    },
    openSession: (arg: unknown) => DashboardPanel.show(context, h, logger, typeof arg === "string" ? arg.replace(/^session:/, "") : undefined),
    abortSession: async (arg: unknown) => {
      if (typeof arg === "string") await h.abortSession(arg.replace(/^session:/, ""));
    },
    openDashboard: () => DashboardPanel.show(context, h, logger),
    showTodoChanges: async (arg: unknown, path?: unknown) => {
      const ref = todoRef(arg, h.view.missionId);
      if (ref) await showChanges(ref.missionId, ref.todoId, typeof path === "string" ? path : undefined);
    },
    reviewMissionChanges: (arg: unknown) => showChanges(missionOf(arg)),
    revertTodo: async (arg: unknown) => {
      const ref = todoRef(arg, h.view.missionId);
      if (!ref) return;
      if (!(await confirmRevert(vscode.l10n.t("Revert TODO {0}", ref.todoId), (force) => h.revert(ref.missionId, ref.todoId, force)))) return;
      await closeChangeEditors(ref.missionId);
      void vscode.window.showInformationMessage(vscode.l10n.t("Orchestrator: TODO {0} reverted. Retry it to redo it, or Undo Revert.", ref.todoId), vscode.l10n.t("Undo Revert")).then((c) => c && vscode.commands.executeCommand(COMMANDS.undoRevert, `mission:${ref.missionId}`));
    },
    revertMission: async (arg: unknown) => {
      const missionId = missionOf(arg);
      if (!missionId) return refuse(vscode.l10n.t("no mission is shown."));
      const sure = await vscode.window.showWarningMessage(vscode.l10n.t("Orchestrator: put back every file the mission changed, as it was before the mission?"), { modal: true, detail: vscode.l10n.t("The revert is recorded: Undo Revert brings the changes back.") }, vscode.l10n.t("Revert Mission"));
      if (!sure || !(await confirmRevert(vscode.l10n.t("Revert the mission"), (force) => h.revert(missionId, undefined, force)))) return;
      // The diffs on screen show changes that are gone.
      await closeChangeEditors(missionId);
      void vscode.window.showInformationMessage(vscode.l10n.t("Orchestrator: the mission's changes were reverted."), vscode.l10n.t("Undo Revert")).then((c) => c && vscode.commands.executeCommand(COMMANDS.undoRevert, `mission:${missionId}`));
    },
    undoRevert: async (arg: unknown) => {
      const missionId = missionOf(arg);
      if (!missionId) return refuse(vscode.l10n.t("no mission is shown."));
      if (!(await confirmRevert(vscode.l10n.t("Undo the revert"), (force) => h.undoRevert(missionId, force)))) return;
      await closeChangeEditors(missionId);
      void vscode.window.showInformationMessage(vscode.l10n.t("Orchestrator: the revert was undone."));
    },
    showJob: (id: unknown) => typeof id === "string" && showJobTerminal(h, id),
    killJob: (id: unknown) => typeof id === "string" && void h.killJob(id),
    setMissionAside: async (arg?: unknown) => {
      const ids = [...unreadable.keys()];
      const missionId = typeof arg === "string" ? arg : ids.length > 1 ? (await vscode.window.showQuickPick(ids.map((id) => ({ label: id, detail: unreadable.get(id) })), { title: vscode.l10n.t("Set which broken mission aside?") }))?.label : ids[0];
      if (!missionId) return refuse(vscode.l10n.t("no mission that cannot be read was found in this workspace."));
      const result = h.setAside(missionId);
      if (!result.ok) return refuse(result.reason);
      unreadable.delete(missionId);
      showUnreadable();
      void vscode.window.showInformationMessage(vscode.l10n.t("Orchestrator: mission {0} was set aside, untouched, in {1}.", missionId, result.movedTo ?? ""));
    },
    setServerPassword: async () => {
      const password = await vscode.window.showInputBox({ title: vscode.l10n.t("OpenCode server password"), prompt: vscode.l10n.t("The OPENCODE_SERVER_PASSWORD of the server in orchestrator.opencode.serverUrl (kept in VS Code's secret storage)."), password: true, ignoreFocusOut: true });
      if (password === undefined) return;
      await context.secrets.store(SERVER_PASSWORD_SECRET, password);
      await h.releaseEngine();
      void vscode.window.showInformationMessage(vscode.l10n.t("Orchestrator: server password saved."));
    },
    showLog,
  };
  context.subscriptions.push(
    // Commands that start agents or write the workspace check its trust at every call (trust.ts).
    ...guardedCommands(commands, () => vscode.workspace.isTrusted, refuseUntrusted).map(([id, fn]) => vscode.commands.registerCommand(id, fn)),
    vscode.window.registerWebviewPanelSerializer(DASHBOARD_VIEW_TYPE, DashboardPanel.serializer(context, h, logger)),
    vscode.window.registerWebviewPanelSerializer(ASK_VIEW_TYPE, AskPanel.serializer(context, chatDeps, logger)),
    // Its reads run git on the workspace's store: Restricted Mode reads nothing of it (trust.ts).
    vscode.workspace.registerTextDocumentContentProvider(CHECKPOINT_SCHEME, new CheckpointContentProvider(h, folder.uri, () => vscode.workspace.isTrusted)),
    vscode.workspace.registerTextDocumentContentProvider(REPORT_SCHEME, new ReportContentProvider(h, () => vscode.workspace.isTrusted)),
    vscode.workspace.onDidChangeConfiguration((event) => {
      // A different binary or server applies to the next mission; never restart under a running one.
      if (event.affectsConfiguration("orchestrator.opencode") || event.affectsConfiguration("orchestrator.servers") || event.affectsConfiguration("orchestrator.sandbox")) void h.releaseEngine();
    }),
  );
  // The latest mission comes back on screen; an unfinished one (stopped, or cut off by a reload or a crash) is offered.
  // Only in a trusted workspace (its state files are the workspace's), and never at the cost of activation:
  // the state is read asynchronously, after activation returns.
  const showLatest = async () => {
    try {
      const latest = await h.showLatest();
      if (latest?.resumable) {
        void vscode.window.showInformationMessage(vscode.l10n.t('Orchestrator: an unfinished mission was found ({0}): "{1}".', latest.status ?? "", missionLabel(latest.mission ?? "", 80)), vscode.l10n.t("Resume")).then((choice) => {
          if (choice) void vscode.commands.executeCommand(COMMANDS.resume, latest.missionId);
        });
      }
    } catch (error) {
      logger.error(`The workspace's missions could not be read: ${(error as Error).stack ?? error}`);
      void vscode.window.showErrorMessage(vscode.l10n.t("Orchestrator: the workspace's missions could not be read ({0}). Run Task still works.", (error as Error).message), vscode.l10n.t("Show Log")).then((c) => c && vscode.commands.executeCommand(COMMANDS.showLog));
    }
  };
  if (vscode.workspace.isTrusted) void showLatest();
  else context.subscriptions.push(vscode.workspace.onDidGrantWorkspaceTrust(() => void showLatest()));
  logger.info("Orchestrator activated");
  return {
    get snapshot() {
      return h.model;
    },
    chat,
  };
}

/**
 * The user's provenance key, in the extension's global storage (per user, outside every workspace,
 * kept across reloads): missions and checkpoint stores it marks are the user's own. Should it be
 * unreadable, this window's key is used: what it makes is its own, older missions count as not.
 */
function userProvenance(context: vscode.ExtensionContext, logger: { warn(message: string): void }): Provenance {
  try {
    return Provenance.fromKeyFile(vscode.Uri.joinPath(context.globalStorageUri, "provenance.key").fsPath);
  } catch (error) {
    logger.warn(`The provenance key could not be read (${(error as Error).message}); missions made in this window are recognised in it alone.`);
    return Provenance.ofThisProcess();
  }
}

export async function deactivate(): Promise<void> {
  await host?.dispose(1500);
  host = undefined;
}
