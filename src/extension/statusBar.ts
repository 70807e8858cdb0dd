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
    this.status.name = "Orchestrator";
    this.stop.name = "Orchestrator: Stop";
    this.stop.text = "$(debug-stop) Stop";
    this.stop.tooltip = "Stop the running mission (aborts its OpenCode sessions)";
    this.stop.command = COMMANDS.stop;
    this.stop.accessibilityInformation = { label: "Stop Orchestrator mission", role: "button" };
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
        this.status.text = "$(question) Orchestrator: plan waiting for your approval";
        this.status.tooltip = `Mission: ${label}${m.estimate ? `\nEstimate: ${m.estimate.line}` : ""}\nClick to see the plan and answer it.`;
        this.status.accessibilityInformation = { label: `Orchestrator plan waiting for your approval: ${label}`, role: "button" };
        this.status.show();
        this.stop.show();
      });
    } else if (m.phase === "starting" || m.phase === "running") {
      const detail = m.progress || "planning";
      // The model in use, by its short name (the part after the provider): what the mission is spending on.
      const model = m.demo ? "demo model" : (m.model?.split("/").slice(1).join("/") ?? "");
      this.show(`running:${detail}:${m.demo}:${model}`, () => {
        this.status.command = COMMANDS.openDashboard;
        this.status.text = `$(sync~spin) Orchestrator ${detail}${model ? ` · ${model}` : ""}`;
        this.status.tooltip = `Mission: ${label}\nModel: ${m.demo ? "the scripted demo model" : (m.model ?? "OpenCode's default")}\nClick to open the dashboard.`;
        this.status.accessibilityInformation = { label: `Orchestrator ${detail}: ${label}` };
        this.status.show();
        this.stop.show();
      });
    } else if (m.resumable) {
      this.show(`resumable:${m.missionId}`, () => {
        this.status.text = "$(debug-continue) Resume mission";
        this.status.tooltip = `Resume: ${label}`;
        this.status.command = COMMANDS.resume;
        this.status.accessibilityInformation = { label: `Resume Orchestrator mission: ${label}`, role: "button" };
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
