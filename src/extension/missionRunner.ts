/**
 * Runs a mission from the Run Task command and publishes its state (status bar, dashboard,
 * notifications all read the same snapshot). One mission at a time per window.
 */
import * as vscode from "vscode";
import { OpencodeNotFoundError, TurnAbortedError } from "../orchestrator/engine/errors";
import type { RedactingLogger } from "../orchestrator/logger";
import { missionLabel } from "../orchestrator/mission/missionText";
import { runSingleWorkerTurn } from "../orchestrator/mission/singleTurn";
import { idleSnapshot, type RunSnapshot } from "../shared/protocol";
import type { EngineHost } from "./engineHost";
import { readSettings } from "./settings";
import type { MissionStatusBar } from "./statusBar";

export class MissionRunner implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<RunSnapshot>();
  readonly onDidChange = this.changed.event;
  private state: RunSnapshot = idleSnapshot();
  private controller?: AbortController;

  constructor(
    private readonly host: EngineHost,
    private readonly statusBar: MissionStatusBar,
    private readonly logger: RedactingLogger,
  ) {}

  get snapshot(): RunSnapshot {
    return this.state;
  }

  get isRunning(): boolean {
    return this.controller !== undefined;
  }

  private update(patch: Partial<RunSnapshot>): void {
    this.state = { ...this.state, ...patch };
    this.changed.fire(this.state);
  }

  stop(): void {
    if (!this.controller) return;
    this.logger.info("Stop requested");
    this.controller.abort();
  }

  async run(folder: vscode.WorkspaceFolder, mission: string): Promise<void> {
    const controller = new AbortController();
    this.controller = controller;
    const label = missionLabel(mission);
    this.state = { ...idleSnapshot(), phase: "starting", mission, startedAt: Date.now() };
    this.changed.fire(this.state);
    this.statusBar.running(label, "starting OpenCode");
    this.logger.info(`Mission: ${label}`);
    try {
      const settings = readSettings(this.logger, (m) => void vscode.window.showWarningMessage(m));
      const session = await this.host.get(folder.uri.fsPath, settings);
      if (controller.signal.aborted) throw new TurnAbortedError("(not started)");
      this.update({ phase: "running", demo: session.demo });
      if (session.demo) {
        void vscode.window.showInformationMessage("Orchestrator demo mode: no model provider is configured in OpenCode, so a scripted demo model answers. Configure a provider (`opencode auth login`) or set `orchestrator.model` to run real agents.");
      }
      this.statusBar.running(label, session.demo ? "Worker running (demo model)" : "Worker running");
      const result = await runSingleWorkerTurn(session.engine, mission, {
        model: session.model,
        signal: controller.signal,
        livenessMs: settings.turnLivenessMs,
        onSession: (sessionId) => {
          this.update({ sessionId });
          this.logger.info(`Worker session ${sessionId} started`);
        },
      });
      const report = result.structured;
      const summary = report?.summary ?? result.text;
      const phase = report?.status === "done" ? "done" : "failed";
      this.update({ phase, summary, filesChanged: report?.filesChanged ?? [], finishedAt: Date.now(), tokens: { input: result.tokens.input, output: result.tokens.output }, cost: result.cost });
      this.logger.info(`Worker ${report?.status ?? "finished"} in ${result.durationMs} ms: ${summary}`);
      const files = report?.filesChanged.length ? ` Files: ${report.filesChanged.join(", ")}.` : "";
      if (phase === "done") void vscode.window.showInformationMessage(`Orchestrator: mission done. ${summary}${files}`);
      else void vscode.window.showWarningMessage(`Orchestrator: the Worker reported ${report?.status ?? "no result"}. ${summary}`, "Show Log").then((choice) => {
          if (choice) void vscode.commands.executeCommand("orchestrator.showLog");
        });
    } catch (error) {
      this.onFailure(error, controller.signal.aborted);
    } finally {
      this.controller = undefined;
      this.statusBar.hide();
    }
  }

  private onFailure(error: unknown, aborted: boolean): void {
    if (aborted || error instanceof TurnAbortedError) {
      this.update({ phase: "stopped", finishedAt: Date.now() });
      this.logger.info("Mission stopped");
      void vscode.window.showInformationMessage("Orchestrator: mission stopped.");
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    this.update({ phase: "failed", error: message, finishedAt: Date.now() });
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

  dispose(): void {
    this.stop();
    this.changed.dispose();
  }
}
