/** The status-bar presence of a running mission: what runs, and a stop button. Hidden when idle. */
import * as vscode from "vscode";

export class MissionStatusBar implements vscode.Disposable {
  private readonly status = vscode.window.createStatusBarItem("orchestrator.status", vscode.StatusBarAlignment.Left, 100);
  private readonly stop = vscode.window.createStatusBarItem("orchestrator.stop", vscode.StatusBarAlignment.Left, 99);

  constructor() {
    this.status.name = "Orchestrator";
    this.status.command = "orchestrator.showLog";
    this.stop.name = "Orchestrator: Stop";
    this.stop.text = "$(debug-stop) Stop";
    this.stop.tooltip = "Stop the running mission (aborts its OpenCode sessions)";
    this.stop.command = "orchestrator.stop";
    this.stop.accessibilityInformation = { label: "Stop Orchestrator mission", role: "button" };
  }

  running(label: string, detail: string): void {
    this.status.command = "orchestrator.openDashboard";
    this.status.text = `$(sync~spin) Orchestrator ${detail}`;
    this.status.tooltip = `Mission: ${label}\nClick to open the dashboard.`;
    this.status.accessibilityInformation = { label: `Orchestrator ${detail}: ${label}` };
    this.status.show();
    this.stop.show();
  }

  /** After a stop (or an incomplete end): offer to resume. */
  resumable(label: string): void {
    this.status.text = "$(debug-continue) Resume mission";
    this.status.tooltip = `Resume: ${label}`;
    this.status.command = "orchestrator.resume";
    this.status.accessibilityInformation = { label: `Resume Orchestrator mission: ${label}`, role: "button" };
    this.status.show();
    this.stop.hide();
  }

  hide(): void {
    this.status.hide();
    this.stop.hide();
    this.status.command = "orchestrator.showLog";
  }

  dispose(): void {
    this.status.dispose();
    this.stop.dispose();
  }
}
