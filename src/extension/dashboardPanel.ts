/**
 * The dashboard webview: one panel per window, nonce CSP with default-src 'none', messages parsed
 * with zod both ways, restored after a reload by a WebviewPanelSerializer.
 */
import * as vscode from "vscode";
import { webviewHtml, webviewPanelOptions } from "./webviewHtml";
import type { Logger, MissionHost } from "../orchestrator/host/missionHost";
import { WebviewToHost, type HostToWebview } from "../shared/dashboardProtocol";
import { DashboardFeed } from "./viewModels/dashboardFeed";
import { COMMANDS, PLAN_APPROVAL_COMMANDS } from "../shared/commands";
import { Disposable, toDisposable } from "./lifecycle";

export const DASHBOARD_VIEW_TYPE = "orchestrator.dashboard";

export class DashboardPanel extends Disposable {
  private static current?: DashboardPanel;
  private readonly feed: DashboardFeed;

  static show(context: vscode.ExtensionContext, host: MissionHost, logger: Logger, focusSession?: string): void {
    if (!DashboardPanel.current) {
      const panel = vscode.window.createWebviewPanel(DASHBOARD_VIEW_TYPE, vscode.l10n.t("Orchestrator"), vscode.ViewColumn.Active, webviewPanelOptions(context.extensionUri));
      DashboardPanel.current = new DashboardPanel(panel, context, host, logger);
    } else {
      DashboardPanel.current.panel.reveal();
    }
    if (focusSession) DashboardPanel.current.feed.focus(focusSession);
  }

  static serializer(context: vscode.ExtensionContext, host: MissionHost, logger: Logger): vscode.WebviewPanelSerializer {
    return {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel) {
        panel.webview.options = webviewPanelOptions(context.extensionUri);
        DashboardPanel.current?.dispose();
        DashboardPanel.current = new DashboardPanel(panel, context, host, logger);
      },
    };
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    context: vscode.ExtensionContext,
    private readonly host: MissionHost,
    private readonly logger: Logger,
  ) {
    super();
    panel.iconPath = vscode.Uri.joinPath(context.extensionUri, "media", "orchestrator.svg");
    panel.webview.html = this.html(context);
    this._register(panel.onDidDispose(() => this.dispose()));
    this._register(panel.webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)));
    this.feed = this._register(new DashboardFeed(host.view, (message) => this.post(message)));
    this._register(panel);
    this._register(
      toDisposable(() => {
        if (DashboardPanel.current === this) DashboardPanel.current = undefined;
      }),
    );
  }

  private receive(raw: unknown): void {
    const parsed = WebviewToHost.safeParse(raw);
    if (!parsed.success) {
      this.logger.warn(`Dashboard sent an invalid message; ignored: ${parsed.error.message}`);
      return;
    }
    switch (parsed.data.type) {
      case "ready":
        this.feed.resend();
        break;
      case "focusSession":
        this.feed.focus(parsed.data.sessionId);
        break;
      case "runTask":
        void vscode.commands.executeCommand(COMMANDS.runTask);
        break;
      case "stop":
        void vscode.commands.executeCommand(COMMANDS.stop);
        break;
      case "resume":
        void vscode.commands.executeCommand(COMMANDS.resume, parsed.data.missionId);
        break;
      case "answerPlanApproval":
        // The plan the page showed: an answer to an older round (a snapshot behind) is refused.
        void vscode.commands.executeCommand(PLAN_APPROVAL_COMMANDS[parsed.data.decision], { missionId: this.host.model.missionId, round: parsed.data.round });
        break;
    }
  }
  private post(message: HostToWebview): void {
    void this.panel.webview.postMessage(message);
  }

  private html(context: vscode.ExtensionContext): string {
    return webviewHtml(this.panel.webview, context.extensionUri, { script: "webview.js", style: "dashboard.css", title: vscode.l10n.t("Orchestrator"), nonceStyles: true, live: true });
  }
}
