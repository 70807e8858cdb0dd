/**
 * The status-bar presence of the mission shown: progress and a stop button while it runs, the plan
 * waiting for the user (a click opens its answers), "stopping…" from the press of Stop, Resume when
 * it can be resumed, Undo Revert when its changes were reverted, nothing otherwise. It renders the
 * read model and decides nothing itself.
 */
import * as vscode from "vscode";
import type { MissionFeed } from "../shared/feed";
import { missionLabel, modelLine } from "../shared/mission";
import { COMMANDS } from "../shared/commands";
import { Disposable } from "./lifecycle";
import { missionNodeId } from "./viewModels/treeModels";

export class MissionStatusBar extends Disposable {
  private readonly status = this._register(vscode.window.createStatusBarItem("orchestrator.status", vscode.StatusBarAlignment.Left, 100));
  private readonly stop = this._register(vscode.window.createStatusBarItem("orchestrator.stop", vscode.StatusBarAlignment.Left, 99));
  private shown = "";

  constructor(private readonly view: MissionFeed) {
    super();
    this.status.name = vscode.l10n.t("Orchestrator");
    this.stop.name = vscode.l10n.t("Orchestrator: Stop");
    this.stop.text = `$(debug-stop) ${vscode.l10n.t("Stop")}`;
    this.stop.tooltip = vscode.l10n.t("Stop the running mission (aborts its OpenCode sessions)");
    this.stop.command = COMMANDS.stop;
    this.stop.accessibilityInformation = { label: vscode.l10n.t("Stop Orchestrator mission"), role: "button" };
    this._register(view.updates.on(() => this.render()));
    this.render();
  }

  private render(): void {
    const m = this.view.model;
    const label = missionLabel(m.mission ?? "");
    const model = modelLine(m, vscode.l10n.t("demo model"));
    if (m.planApproval) {
      // Waiting for the user, not working: the click opens the three answers with the estimate.
      this.show(`approval:${m.missionId}:${m.planApproval.round}`, () => {
        this.status.command = COMMANDS.showPlanApproval;
        this.status.text = `$(question) ${vscode.l10n.t("Orchestrator: plan waiting for your approval")}`;
        this.status.tooltip = [vscode.l10n.t("Mission: {0}", label), m.estimate ? vscode.l10n.t("Estimate: {0}", m.estimate.line) : "", vscode.l10n.t("Click to Approve, Replan or Cancel the plan.")].filter(Boolean).join("\n");
        this.status.accessibilityInformation = { label: vscode.l10n.t("Orchestrator plan waiting for your approval: {0}", label), role: "button" };
        this.status.show();
        this.stop.show();
      });
    } else if (m.status === "stopping") {
      // Said at once: aborting the sessions can take OpenCode a few seconds; Stop was pressed already.
      this.show(`stopping:${m.missionId}`, () => {
        this.status.command = COMMANDS.openDashboard;
        this.status.text = `$(loading~spin) ${vscode.l10n.t("Orchestrator stopping…")}`;
        this.status.tooltip = vscode.l10n.t("Stopping: {0}", label);
        this.status.accessibilityInformation = { label: vscode.l10n.t("Orchestrator stopping: {0}", label) };
        this.status.show();
        this.stop.hide();
      });
    } else if (m.phase === "starting" || m.phase === "running") {
      const detail = m.progress || vscode.l10n.t("planning");
      this.show(`running:${detail}:${model}`, () => {
        this.status.command = COMMANDS.openDashboard;
        this.status.text = `$(sync~spin) ${vscode.l10n.t("Orchestrator {0}", detail)}${model ? ` · ${model}` : ""}`;
        this.status.tooltip = [vscode.l10n.t("Mission: {0}", label), model ? vscode.l10n.t("Model: {0}", model) : "", vscode.l10n.t("Click to open the dashboard.")].filter(Boolean).join("\n");
        this.status.accessibilityInformation = { label: vscode.l10n.t("Orchestrator {0}: {1}", detail, label) };
        this.status.show();
        this.stop.show();
      });
    } else if (m.status === "reverted" && m.canUndoRevert && m.missionId) {
      // Resume would redo the work the user just took out: what they may want is their changes back.
      const missionId = m.missionId;
      this.show(`reverted:${missionId}`, () => {
        this.status.text = `$(discard) ${vscode.l10n.t("Mission reverted · Undo Revert")}`;
        this.status.tooltip = vscode.l10n.t("The changes of “{0}” were reverted. Click to bring them back (Undo Revert); Retry a TODO in the TODO view to redo it.", label);
        this.status.command = { command: COMMANDS.undoRevert, title: vscode.l10n.t("Undo Revert"), arguments: [missionNodeId(missionId)] };
        this.status.accessibilityInformation = { label: vscode.l10n.t("Orchestrator mission reverted: Undo Revert: {0}", label), role: "button" };
        this.status.show();
        this.stop.hide();
      });
    } else if (m.resumable) {
      this.show(`resumable:${m.missionId}:${m.status}`, () => {
        this.status.text = `$(debug-continue) ${vscode.l10n.t("Resume mission")}`;
        this.status.tooltip = vscode.l10n.t("Resume ({0}): {1}", m.status ?? "", label);
        this.status.command = COMMANDS.resume;
        this.status.accessibilityInformation = { label: vscode.l10n.t("Resume Orchestrator mission: {0}", label), role: "button" };
        this.status.show();
        this.stop.hide();
      });
    } else {
      this.show("hidden", () => {
        this.status.hide();
        this.stop.hide();
        this.status.command = COMMANDS.showLog;
      });
    }
  }

  /** Touches the items only when what they show changed: session events arrive many times a second. */
  private show(key: string, apply: () => void): void {
    if (key === this.shown) return;
    this.shown = key;
    apply();
  }
}
