/**
 * What the host tells the user, as VS Code notifications: the end of a mission (grouped in one
 * message, with the next step as a button), a start-up failure, a bad state file, demo mode.
 */
import * as vscode from "vscode";
import type { HostNotice } from "../orchestrator/host/missionHost";
import { doneText } from "../orchestrator/domain/progress";
import type { MissionModel } from "../orchestrator/host/readModel";

const run = (command: string, ...args: unknown[]) => void vscode.commands.executeCommand(command, ...args);

/** "3/4 TODOs done (1 skipped)": the read model's counts, in the words of every other surface. */
const done = (m: MissionModel) => doneText(m.counts, "TODOs done");

function finished(m: MissionModel, stoppedByUser: boolean): void {
  if (m.status === "sealed") {
    void vscode.window.showInformationMessage(`Orchestrator: mission sealed — ${done(m)} and reviewed.`, "Open Dashboard").then((c) => c && run("orchestrator.openDashboard"));
  } else if (m.status === "stopped") {
    // Stopped by the user: a note. Stopped by something the user must fix (credentials, a read-only folder): a warning that says what.
    const show = stoppedByUser ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
    void show(`Orchestrator: mission stopped${stoppedByUser ? "" : ` — ${m.stopReason ?? ""}`} (${done(m)}). It can be resumed.`, "Resume").then((c) => c && run("orchestrator.resume", m.missionId));
  } else {
    const which = m.attention.length ? ` Failed or blocked: ${m.attention.join(", ")}.` : "";
    const actions = m.resumable ? ["Show", "Resume"] : ["Show"];
    void vscode.window.showWarningMessage(`Orchestrator: mission ${m.status} — ${m.stopReason ?? ""} (${done(m)}).${which}`, ...actions).then((c) => {
      if (c === "Show") run("orchestrator.todos.focus");
      if (c === "Resume") run("orchestrator.resume", m.missionId);
    });
  }
}

export function showNotice(notice: HostNotice): void {
  switch (notice.kind) {
    case "demo":
      void vscode.window.showInformationMessage("Orchestrator demo mode: no model provider is configured in OpenCode, so a scripted demo model answers. Configure a provider (`opencode auth login`) or set `orchestrator.model` to run real agents.");
      return;
    case "slowServer":
      void vscode.window.showWarningMessage('Orchestrator: the attached OpenCode server takes a snapshot of the workspace at every step of every session, which makes missions with many Workers several times slower. The orchestrator keeps checkpoints of its own: set "snapshot": false in that server\'s opencode.json.');
      return;
    case "finished":
      return finished(notice.model, notice.stoppedByUser);
    case "error":
      if (notice.opencodeMissing) {
        void vscode.window.showErrorMessage(notice.message, "Open Settings").then((c) => c && run("workbench.action.openSettings", "orchestrator.opencode.path"));
      } else {
        void vscode.window.showErrorMessage(`Orchestrator: ${notice.message}`, "Show Log").then((c) => c && run("orchestrator.showLog"));
      }
      return;
    case "stateProblem":
      if (notice.recovered) void vscode.window.showWarningMessage(`Orchestrator: ${notice.message}`);
      else if (notice.missionId) {
        // The way out of a mission that cannot be read: its folder moved aside, untouched.
        const missionId = notice.missionId;
        void vscode.window.showErrorMessage(`Orchestrator: ${notice.message}`, "Set Mission Aside", "Show Log").then((c) => {
          if (c === "Set Mission Aside") run("orchestrator.setMissionAside", missionId);
          if (c === "Show Log") run("orchestrator.showLog");
        });
      } else void vscode.window.showErrorMessage(`Orchestrator: ${notice.message}`);
      return;
  }
}
