/**
 * The dashboard webview: one panel per window, nonce CSP with default-src 'none', messages parsed
 * with zod both ways, restored after a reload by a WebviewPanelSerializer.
 */
import { randomBytes } from "node:crypto";
import * as vscode from "vscode";
import type { Logger } from "../orchestrator/logger";
import { WebviewToHost, type HostToWebview, type RunSnapshot, type TimelineEntry } from "../shared/protocol";
import { Coalescer } from "./viewModels/coalescer";
import type { SessionRegistry } from "./viewModels/sessionRegistry";
import { sortSessions } from "./viewModels/treeModels";

export const DASHBOARD_VIEW_TYPE = "orchestrator.dashboard";

export interface DashboardSource {
  readonly snapshot: RunSnapshot;
  readonly onDidChange: vscode.Event<RunSnapshot>;
  readonly sessions: SessionRegistry;
  readonly onDidChangeSessions: vscode.Event<string[]>;
  readonly timeline: readonly TimelineEntry[];
}

export class DashboardPanel implements vscode.Disposable {
  private static current?: DashboardPanel;
  private readonly disposables: vscode.Disposable[] = [];
  private focused?: string;
  /** Snapshots and transcripts are posted a few times a second at most, however busy the mission. */
  private readonly updates = new Coalescer<"snapshot" | "transcript">((changed) => this.flush(changed), 200);

  static show(context: vscode.ExtensionContext, source: DashboardSource, logger: Logger, focusSession?: string): void {
    if (!DashboardPanel.current) {
      const panel = vscode.window.createWebviewPanel(DASHBOARD_VIEW_TYPE, "Orchestrator", vscode.ViewColumn.Active, DashboardPanel.options(context));
      DashboardPanel.current = new DashboardPanel(panel, context, source, logger);
    } else {
      DashboardPanel.current.panel.reveal();
    }
    if (focusSession) DashboardPanel.current.focus(focusSession);
  }

  static serializer(context: vscode.ExtensionContext, source: DashboardSource, logger: Logger): vscode.WebviewPanelSerializer {
    return {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel) {
        panel.webview.options = DashboardPanel.options(context);
        DashboardPanel.current?.dispose();
        DashboardPanel.current = new DashboardPanel(panel, context, source, logger);
      },
    };
  }

  private static options(context: vscode.ExtensionContext): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(context.extensionUri, "dist"), vscode.Uri.joinPath(context.extensionUri, "media")] };
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    context: vscode.ExtensionContext,
    private readonly source: DashboardSource,
    private readonly logger: Logger,
  ) {
    panel.iconPath = vscode.Uri.joinPath(context.extensionUri, "media", "orchestrator.svg");
    panel.webview.html = this.html(context);
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)),
      source.onDidChange(() => this.updates.mark("snapshot")),
      source.onDidChangeSessions((ids) => {
        this.updates.mark("snapshot");
        if (this.focused && ids.includes(this.focused)) this.updates.mark("transcript");
      }),
      { dispose: () => this.updates.dispose() },
    );
  }

  private focus(sessionId: string): void {
    this.focused = sessionId;
    this.updates.mark("transcript");
  }

  private flush(changed: ReadonlySet<"snapshot" | "transcript"> | "all"): void {
    if (changed === "all" || changed.has("snapshot")) this.postSnapshot();
    if ((changed === "all" || changed.has("transcript")) && this.focused) {
      const record = this.source.sessions.get(this.focused);
      this.post({ type: "transcript", sessionId: this.focused, lines: (record?.transcript ?? []).map(({ kind, text, tool, toolStatus }) => ({ kind, text, tool, toolStatus })) });
    }
  }

  private postSnapshot(): void {
    const sessions = sortSessions(this.source.sessions.list()).map((s) => ({
      id: s.id, role: s.role, todoIds: s.todoIds, status: s.status, startedAt: s.startedAt, endedAt: s.endedAt, inputTokens: s.inputTokens, outputTokens: s.outputTokens, cost: s.cost,
      detail: s.status === "retry" ? s.retryMessage : s.error,
    }));
    this.post({ type: "snapshot", snapshot: this.source.snapshot, sessions, timeline: this.source.timeline.slice(-100) });
  }

  private receive(raw: unknown): void {
    const parsed = WebviewToHost.safeParse(raw);
    if (!parsed.success) {
      this.logger.warn(`Dashboard sent an invalid message; ignored: ${parsed.error.message}`);
      return;
    }
    switch (parsed.data.type) {
      case "ready":
        this.updates.markAll();
        break;
      case "focusSession":
        if (this.source.sessions.has(parsed.data.sessionId)) this.focus(parsed.data.sessionId);
        break;
      case "runTask":
        void vscode.commands.executeCommand("orchestrator.runTask");
        break;
      case "stop":
        void vscode.commands.executeCommand("orchestrator.stop");
        break;
      case "resume":
        void vscode.commands.executeCommand("orchestrator.resume");
        break;
    }
  }

  private post(message: HostToWebview): void {
    void this.panel.webview.postMessage(message);
  }

  private html(context: vscode.ExtensionContext): string {
    const webview = this.panel.webview;
    const nonce = randomBytes(16).toString("base64");
    const script = webview.asWebviewUri(vscode.Uri.joinPath(context.extensionUri, "dist", "webview.js"));
    const style = webview.asWebviewUri(vscode.Uri.joinPath(context.extensionUri, "media", "dashboard.css"));
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${webview.cspSource} 'nonce-${nonce}'; font-src ${webview.cspSource}; img-src ${webview.cspSource}; script-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style}">
<title>Orchestrator</title>
</head>
<body>
<main id="app" aria-live="polite"></main>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
  }

  dispose(): void {
    if (DashboardPanel.current === this) DashboardPanel.current = undefined;
    this.panel.dispose();
    while (this.disposables.length) this.disposables.pop()?.dispose();
  }
}
