/**
 * The status-bar presence of the mission shown: progress and a stop button while it runs, Resume
 * when it can be resumed, nothing otherwise. It renders the read model and decides nothing itself.
 */
import * as vscode from "vscode";
import type { MissionFeed } from "../shared/feed";
import { missionLabel } from "../shared/mission";
import { COMMANDS, focusView, VIEWS } from "../shared/commands";
import { Disposable } from "./lifecycle";

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
    if (m.planApproval) {
      // Waiting for the user, not working: the click leads to the answers (the mission's row, with the plan).
      this.show(`approval:${m.missionId}:${m.planApproval.round}`, () => {
        this.status.command = focusView(VIEWS.todos);
        this.status.text = `$(question) ${vscode.l10n.t("Orchestrator: plan waiting for your approval")}`;
        this.status.tooltip = [vscode.l10n.t("Mission: {0}", label), m.estimate ? vscode.l10n.t("Estimate: {0}", m.estimate.line) : "", vscode.l10n.t("Click to see the plan and answer it.")].filter(Boolean).join("\n");
        this.status.accessibilityInformation = { label: vscode.l10n.t("Orchestrator plan waiting for your approval: {0}", label), role: "button" };
        this.status.show();
        this.stop.show();
      });
    } else if (m.phase === "starting" || m.phase === "running") {
      const detail = m.progress || vscode.l10n.t("planning");
      // The model in use, by its short name (the part after the provider): what the mission is spending on.
      const model = m.demo ? vscode.l10n.t("demo model") : (m.model?.split("/").slice(1).join("/") ?? "");
      this.show(`running:${detail}:${m.demo}:${model}`, () => {
        this.status.command = COMMANDS.openDashboard;
        this.status.text = `$(sync~spin) ${vscode.l10n.t("Orchestrator {0}", detail)}${model ? ` · ${model}` : ""}`;
        this.status.tooltip = [vscode.l10n.t("Mission: {0}", label), vscode.l10n.t("Model: {0}", m.demo ? vscode.l10n.t("the scripted demo model") : (m.model ?? vscode.l10n.t("OpenCode's default"))), vscode.l10n.t("Click to open the dashboard.")].join("\n");
        this.status.accessibilityInformation = { label: vscode.l10n.t("Orchestrator {0}: {1}", detail, label) };
        this.status.show();
        this.stop.show();
      });
    } else if (m.resumable) {
      this.show(`resumable:${m.missionId}`, () => {
        this.status.text = `$(debug-continue) ${vscode.l10n.t("Resume mission")}`;
        this.status.tooltip = vscode.l10n.t("Resume: {0}", label);
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
