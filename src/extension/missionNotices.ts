/**
 * What the host tells the user, as VS Code notifications: the end of a mission (grouped in one
 * message, with the next step as a button), a start-up failure, a bad state file, demo mode.
 */
import * as vscode from "vscode";
import { doneText, type MissionModel } from "../shared/mission";
import type { HostNotice } from "../shared/notices";
import { INSTALL_OPENCODE } from "../orchestrator/host/missionHost";
import { plainText } from "./viewModels/plainText";
import { COMMANDS, focusView, VIEWS } from "../shared/commands";

/** Where a user learns to configure a model provider for OpenCode. */
const PROVIDERS_DOCS = "https://opencode.ai/docs/providers/";

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
const done = (m: MissionModel) => doneText(m.counts, vscode.l10n.t("TODOs done"));

function finished(m: MissionModel, stoppedByUser: boolean): void {
  if (m.status === "sealed") {
    void vscode.window.showInformationMessage(vscode.l10n.t("Orchestrator: mission sealed — {0} and reviewed.", done(m)), vscode.l10n.t("Open Dashboard")).then((c) => c && run(COMMANDS.openDashboard));
  } else if (m.status === "stopped") {
    // Stopped by the user: a note. Stopped by something the user must fix (credentials, a read-only folder): a warning that says what.
    const show = stoppedByUser ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
    const message = stoppedByUser ? vscode.l10n.t("Orchestrator: mission stopped ({0}). It can be resumed.", done(m)) : vscode.l10n.t("Orchestrator: mission stopped — {0} ({1}). It can be resumed.", m.stopReason ?? "", done(m));
    void show(plainText(message), vscode.l10n.t("Resume")).then((c) => c && run(COMMANDS.resume, m.missionId));
  } else {
    const which = m.attention.length ? vscode.l10n.t(" Failed or blocked: {0}.", m.attention.join(", ")) : "";
    const [showTodos, resume] = [vscode.l10n.t("Show"), vscode.l10n.t("Resume")];
    void vscode.window.showWarningMessage(plainText(vscode.l10n.t("Orchestrator: mission {0} — {1} ({2}).{3}", m.status ?? "", m.stopReason ?? "", done(m), which)), ...(m.resumable ? [showTodos, resume] : [showTodos])).then((c) => {
      if (c === showTodos) run(focusView(VIEWS.todos));
      if (c === resume) run(COMMANDS.resume, m.missionId);
    });
  }
}

/**
 * Shows the host's notices. Demo mode is told once per window: after that the status bar, the
 * mission's row and the dashboard say "demo model" on every mission, and the toast would only nag.
 */
export function noticeShower(): (notice: HostNotice) => void {
  let demoTold = false;
  return (notice) => {
    if (notice.kind === "demo") {
      if (demoTold) return;
      demoTold = true;
    }
    showNotice(notice);
  };
}

function showNotice(notice: HostNotice): void {
  switch (notice.kind) {
    case "demo": {
      // Short enough not to be cut off; the way on is in the buttons.
      const [configure, choose, learn] = [vscode.l10n.t("Configure a Provider"), vscode.l10n.t("Choose a Model"), vscode.l10n.t("Learn More")];
      void vscode.window.showInformationMessage(vscode.l10n.t("Orchestrator is using its demo model: OpenCode has no model provider configured."), configure, choose, learn).then((c) => {
        if (c === configure) inTerminal(vscode.l10n.t("OpenCode: configure a provider"), "opencode auth login");
        if (c === choose) openSetting("orchestrator.model");
        if (c === learn) void vscode.env.openExternal(vscode.Uri.parse(PROVIDERS_DOCS));
      });
      return;
    }
    case "slowServer":
      void vscode.window.showWarningMessage(vscode.l10n.t('Orchestrator: the attached OpenCode server takes a snapshot of the workspace at every step of every session, which makes missions with many Workers several times slower. The orchestrator keeps checkpoints of its own: set "snapshot": false in that server\'s opencode.json.'));
      return;
    case "finished":
      return finished(notice.model, notice.stoppedByUser);
    case "error":
      if (notice.opencodeMissing) {
        const [install, settings] = [vscode.l10n.t("Install OpenCode"), vscode.l10n.t("Open Settings")];
        void vscode.window.showErrorMessage(plainText(notice.message), install, settings).then(async (c) => {
          if (c === settings) openSetting("orchestrator.opencode.path");
          if (c !== install) return;
          // The user's consent to a global install, with the exact command, before anything runs.
          const go = vscode.l10n.t("Install");
          const ok = await vscode.window.showInformationMessage(vscode.l10n.t("Install OpenCode with “{0}” in a terminal?", INSTALL_OPENCODE), { modal: true }, go);
          if (ok === go) inTerminal(install, INSTALL_OPENCODE);
        });
      } else {
        void vscode.window.showErrorMessage(vscode.l10n.t("Orchestrator: {0}", plainText(notice.message)), vscode.l10n.t("Show Log")).then((c) => c && run(COMMANDS.showLog));
      }
      return;
    case "stateProblem":
      if (notice.recovered) void vscode.window.showWarningMessage(vscode.l10n.t("Orchestrator: {0}", plainText(notice.message)));
      else if (notice.missionId) {
        // The way out of a mission that cannot be read: its folder moved aside, untouched.
        const missionId = notice.missionId;
        const [aside, log] = [vscode.l10n.t("Set Mission Aside"), vscode.l10n.t("Show Log")];
        void vscode.window.showErrorMessage(vscode.l10n.t("Orchestrator: {0}", plainText(notice.message)), aside, log).then((c) => {
          if (c === aside) run(COMMANDS.setMissionAside, missionId);
          if (c === log) run(COMMANDS.showLog);
        });
      } else void vscode.window.showErrorMessage(vscode.l10n.t("Orchestrator: {0}", plainText(notice.message)));
      return;
  }
}
