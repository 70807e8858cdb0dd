/**
 * Entry point. Activation only wires commands and views; the OpenCode server starts on the first
 * mission. Deactivation stops the server and leaves no process behind.
 */
import * as vscode from "vscode";
import { missionProblem } from "../orchestrator/domain/missionText";
import { DashboardPanel, DASHBOARD_VIEW_TYPE } from "./dashboardPanel";
import { EngineHost, SERVER_PASSWORD_SECRET } from "./engineHost";
import { createLogChannel } from "./logChannel";
import { MissionRunner } from "./missionRunner";
import { MissionStatusBar } from "./statusBar";
import { PermissionRouter } from "./permissionRouter";
import { SessionsProvider } from "./views/sessionsView";
import { TodoTreeProvider } from "./views/todoTreeView";
import { JobsProvider, showJobTerminal } from "./views/jobsView";
import { BackgroundJobManager } from "../orchestrator/background/jobManager";
import type { RunSnapshot } from "../shared/protocol";

let host: EngineHost | undefined;

/** What activate() returns: read-only state for other extensions and for the extension-host tests. */
export interface OrchestratorApi {
  readonly snapshot: RunSnapshot;
}

export function activate(context: vscode.ExtensionContext): OrchestratorApi {
  const { channel, logger } = createLogChannel();
  const workspaceRoot = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const jobs = workspaceRoot ? new BackgroundJobManager({ workspace: workspaceRoot }) : undefined;
  host = new EngineHost(context, logger, jobs);
  const statusBar = new MissionStatusBar();
  const runner = new MissionRunner(host, statusBar, logger);
  const todoTree = new TodoTreeProvider(runner);
  const sessionsView = new SessionsProvider(runner);
  const permissions = new PermissionRouter(runner.sessions, logger);
  context.subscriptions.push(channel, statusBar, runner, todoTree, sessionsView, permissions);
  context.subscriptions.push(
    vscode.window.createTreeView("orchestrator.todos", { treeDataProvider: todoTree, showCollapseAll: true }),
    vscode.window.createTreeView("orchestrator.sessions", { treeDataProvider: sessionsView }),
    runner.onDidUseEngine((engine) => permissions.attach(engine)),
  );
  if (jobs) {
    const jobsView = new JobsProvider(jobs);
    context.subscriptions.push(
      jobsView,
      vscode.window.createTreeView("orchestrator.jobs", { treeDataProvider: jobsView }),
      vscode.commands.registerCommand("orchestrator.showJob", (id: unknown) => typeof id === "string" && showJobTerminal(jobs, id)),
      vscode.commands.registerCommand("orchestrator.killJob", (id: unknown) => typeof id === "string" && void jobs.kill(id)),
      { dispose: () => void jobs.dispose() },
    );
  }
  const folder = () => vscode.workspace.workspaceFolders?.[0];
  const todoIdOf = (arg: unknown): string | undefined => {
    // From a tree node ("todo:<mission>:<todo>") or a command argument (the TODO id).
    if (typeof arg !== "string") return undefined;
    return arg.startsWith("todo:") ? arg.split(":")[2] : arg;
  };

  context.subscriptions.push(
    vscode.commands.registerCommand("orchestrator.runTask", async (missionArg?: unknown) => {
      if (!vscode.workspace.isTrusted) {
        const choice = await vscode.window.showWarningMessage("Orchestrator runs no agents in an untrusted workspace: agents edit files and run commands. Trust this workspace to run a mission.", "Manage Workspace Trust");
        if (choice) void vscode.commands.executeCommand("workbench.trust.manage");
        return;
      }
      const folder = vscode.workspace.workspaceFolders?.[0];
      if (!folder) {
        void vscode.window.showErrorMessage("Orchestrator: open a folder first; the mission runs in the workspace.");
        return;
      }
      if (runner.isRunning) {
        const choice = await vscode.window.showInformationMessage("Orchestrator: a mission is already running.", "Stop It");
        if (choice) runner.stop();
        return;
      }
      const mission =
        typeof missionArg === "string"
          ? missionArg
          : await vscode.window.showInputBox({
              title: "Orchestrator: Run Task",
              prompt: "Describe the mission; the Orchestrator carries it to the end in this workspace.",
              placeHolder: "e.g. Build a REST API with authentication",
              ignoreFocusOut: true,
              validateInput: (value) => (value.length === 0 ? undefined : missionProblem(value)),
            });
      if (mission === undefined) return; // cancelled
      const problem = missionProblem(mission);
      if (problem) {
        void vscode.window.showWarningMessage(`Orchestrator: ${problem}`);
        return;
      }
      await runner.run(folder, mission.trim());
    }),
    vscode.commands.registerCommand("orchestrator.resume", async () => {
      const folder = vscode.workspace.workspaceFolders?.[0];
      if (!vscode.workspace.isTrusted || !folder) {
        void vscode.window.showWarningMessage("Orchestrator: open and trust a folder to resume a mission.");
        return;
      }
      if (runner.isRunning) {
        void vscode.window.showInformationMessage("Orchestrator: a mission is already running.");
        return;
      }
      const unfinished = runner.unfinished(folder);
      if (!unfinished) {
        void vscode.window.showInformationMessage("Orchestrator: no unfinished mission in this workspace.");
        return;
      }
      await runner.resume(folder, unfinished);
    }),
    vscode.commands.registerCommand("orchestrator.stop", () => runner.stop()),
    vscode.commands.registerCommand("orchestrator.retryTodo", async (arg: unknown) => {
      const id = todoIdOf(arg);
      if (id && !(await runner.retryTodo(folder(), id))) void vscode.window.showInformationMessage(`Orchestrator: TODO ${id} cannot be retried now.`);
    }),
    vscode.commands.registerCommand("orchestrator.skipTodo", async (arg: unknown) => {
      const id = todoIdOf(arg);
      if (id && !(await runner.skipTodo(folder(), id))) void vscode.window.showInformationMessage(`Orchestrator: TODO ${id} cannot be skipped now.`);
    }),
    vscode.commands.registerCommand("orchestrator.openTodoSession", (arg: unknown) => {
      const id = todoIdOf(arg);
      const todo = runner.snapshot.todos.find((t) => t.id === id);
      const sessionId = todo?.sessions.at(-1);
      if (sessionId) DashboardPanel.show(context, runner, logger, sessionId);
      else void vscode.window.showInformationMessage(`Orchestrator: TODO ${id ?? ""} has no session yet.`);
    }),
    vscode.commands.registerCommand("orchestrator.openTodoFiles", async (arg: unknown) => {
      const id = todoIdOf(arg);
      const root = folder();
      const todo = runner.snapshot.todos.find((t) => t.id === id);
      if (!root || !todo) return;
      for (const file of todo.files) {
        const uri = vscode.Uri.joinPath(root.uri, file);
        try {
          await vscode.window.showTextDocument(uri, { preview: false, preserveFocus: true });
        } catch {
          void vscode.window.showInformationMessage(`Orchestrator: ${file} does not exist yet.`);
        }
      }
    }),
    vscode.commands.registerCommand("orchestrator.openSession", (arg: unknown) => {
      const sessionId = typeof arg === "string" ? arg.replace(/^session:/, "") : undefined;
      DashboardPanel.show(context, runner, logger, sessionId);
    }),
    vscode.commands.registerCommand("orchestrator.abortSession", async (arg: unknown) => {
      const sessionId = typeof arg === "string" ? arg.replace(/^session:/, "") : undefined;
      if (sessionId) await runner.abortSession(sessionId);
    }),
    vscode.commands.registerCommand("orchestrator.showLog", () => channel.show(true)),
    vscode.commands.registerCommand("orchestrator.openDashboard", () => DashboardPanel.show(context, runner, logger)),
    vscode.commands.registerCommand("orchestrator.setServerPassword", async () => {
      const password = await vscode.window.showInputBox({ title: "OpenCode server password", prompt: "The OPENCODE_SERVER_PASSWORD of the server in orchestrator.opencode.serverUrl (kept in VS Code's secret storage).", password: true, ignoreFocusOut: true });
      if (password === undefined) return;
      await context.secrets.store(SERVER_PASSWORD_SECRET, password);
      await host?.stop();
      void vscode.window.showInformationMessage("Orchestrator: server password saved.");
    }),
    vscode.window.registerWebviewPanelSerializer(DASHBOARD_VIEW_TYPE, DashboardPanel.serializer(context, runner, logger)),
    vscode.workspace.onDidChangeConfiguration((event) => {
      // A different binary or server applies to the next mission; never restart under a running one.
      if (event.affectsConfiguration("orchestrator.opencode") && !runner.isRunning) void host?.stop();
    }),
  );
  // An unfinished mission (stopped, or cut off by a reload or a crash) is offered for resume.
  const root = folder();
  if (root && vscode.workspace.isTrusted) {
    const latest = runner.showLatest(root);
    const unfinished = latest && !["sealed", "failed"].includes(latest.status) ? latest : undefined;
    if (unfinished) {
      statusBar.resumable(unfinished.mission);
      void vscode.window.showInformationMessage(`Orchestrator: an unfinished mission was found (${unfinished.status}): "${unfinished.mission.slice(0, 80)}".`, "Resume").then((choice) => {
        if (choice) void vscode.commands.executeCommand("orchestrator.resume");
      });
    }
  }
  logger.info("Orchestrator activated");
  return {
    get snapshot() {
      return runner.snapshot;
    },
  };
}

export async function deactivate(): Promise<void> {
  await host?.stop(1500);
  host = undefined;
}
