/**
 * What the host tells the user, as VS Code notifications: the end of a mission (grouped in one
 * message, with the next step as a button), a start-up failure, a bad state file, demo mode.
 */
import * as vscode from "vscode";
import { doneText, type MissionModel } from "../shared/mission";
import type { HostNotice } from "../shared/notices";
import { plainText } from "./viewModels/plainText";
import { COMMANDS, focusView, VIEWS } from "../shared/commands";

/** Where a user learns to configure a model provider for OpenCode. */
const PROVIDERS_DOCS = "https://opencode.ai/docs/providers/";
/** OpenCode's own npm package: the install the Install OpenCode action runs, in a terminal the user sees. */
const INSTALL_OPENCODE = "npm install -g opencode-ai";

/** Runs a command in a terminal the user sees (and may stop): never behind their back. */
function inTerminal(name: string, command: string): void {
  const terminal = vscode.window.createTerminal({ name });
  terminal.show();
  terminal.sendText(command);
}

/** The Settings editor on one setting; in a remote window (code-server) machine settings live under its Remote tab. */
function openSetting(id: string): void {
  if (vscode.env.remoteName) run("workbench.action.openRemoteSettings", { query: id });
  else run("workbench.action.openSettings", id);
}

const run = (command: string, ...args: unknown[]) => void vscode.commands.executeCommand(command, ...args);

/** "3/4 TODOs done (1 skipped)": the read model's counts, in the words of every other surface. */
const done = (m: MissionModel) => doneText(m.counts, "TODOs done");

function finished(m: MissionModel, stoppedByUser: boolean): void {
  if (m.status === "sealed") {
    void vscode.window.showInformationMessage(`Orchestrator: mission sealed — ${done(m)} and reviewed.`, "Open Dashboard").then((c) => c && run(COMMANDS.openDashboard));
  } else if (m.status === "stopped") {
    // Stopped by the user: a note. Stopped by something the user must fix (credentials, a read-only folder): a warning that says what.
    const show = stoppedByUser ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
    void show(plainText(`Orchestrator: mission stopped${stoppedByUser ? "" : ` — ${m.stopReason ?? ""}`} (${done(m)}). It can be resumed.`), "Resume").then((c) => c && run(COMMANDS.resume, m.missionId));
  } else {
    const which = m.attention.length ? ` Failed or blocked: ${m.attention.join(", ")}.` : "";
    const actions = m.resumable ? ["Show", "Resume"] : ["Show"];
    void vscode.window.showWarningMessage(plainText(`Orchestrator: mission ${m.status} — ${m.stopReason ?? ""} (${done(m)}).${which}`), ...actions).then((c) => {
      if (c === "Show") run(focusView(VIEWS.todos));
      if (c === "Resume") run(COMMANDS.resume, m.missionId);
    });
  }
}

export function showNotice(notice: HostNotice): void {
  switch (notice.kind) {
    case "demo":
      // Short enough not to be cut off; the way on is in the buttons.
      void vscode.window.showInformationMessage("Orchestrator is using its demo model: OpenCode has no model provider configured.", "Configure a Provider", "Choose a Model", "Learn More").then((c) => {
        if (c === "Configure a Provider") inTerminal("OpenCode: configure a provider", "opencode auth login");
        if (c === "Choose a Model") openSetting("orchestrator.model");
        if (c === "Learn More") void vscode.env.openExternal(vscode.Uri.parse(PROVIDERS_DOCS));
      });
      return;
    case "slowServer":
      void vscode.window.showWarningMessage('Orchestrator: the attached OpenCode server takes a snapshot of the workspace at every step of every session, which makes missions with many Workers several times slower. The orchestrator keeps checkpoints of its own: set "snapshot": false in that server\'s opencode.json.');
      return;
    case "finished":
      return finished(notice.model, notice.stoppedByUser);
    case "error":
      if (notice.opencodeMissing) {
        void vscode.window.showErrorMessage(plainText(notice.message), "Install OpenCode", "Open Settings").then(async (c) => {
          if (c === "Open Settings") openSetting("orchestrator.opencode.path");
          if (c !== "Install OpenCode") return;
          // The user's consent to a global install, with the exact command, before anything runs.
          const ok = await vscode.window.showInformationMessage(`Install OpenCode with “${INSTALL_OPENCODE}” in a terminal?`, { modal: true }, "Install");
          if (ok === "Install") inTerminal("Install OpenCode", INSTALL_OPENCODE);
        });
      } else {
        void vscode.window.showErrorMessage(`Orchestrator: ${plainText(notice.message)}`, "Show Log").then((c) => c && run(COMMANDS.showLog));
      }
      return;
    case "stateProblem":
      if (notice.recovered) void vscode.window.showWarningMessage(`Orchestrator: ${plainText(notice.message)}`);
      else if (notice.missionId) {
        // The way out of a mission that cannot be read: its folder moved aside, untouched.
        const missionId = notice.missionId;
        void vscode.window.showErrorMessage(`Orchestrator: ${plainText(notice.message)}`, "Set Mission Aside", "Show Log").then((c) => {
          if (c === "Set Mission Aside") run(COMMANDS.setMissionAside, missionId);
          if (c === "Show Log") run(COMMANDS.showLog);
        });
      } else void vscode.window.showErrorMessage(`Orchestrator: ${plainText(notice.message)}`);
      return;
  }
}
