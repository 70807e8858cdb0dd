/**
 * Orchestrator: Ask — chat mode in a webview panel, for editors without a chat view (code-server
 * has no chat provider): a question about the workspace is answered by one read-only OpenCode
 * session, streamed as it is written, and the next question continues the conversation — after a
 * window reload too (askConversation.ts). One panel per window, nonce CSP with default-src 'none',
 * messages parsed with zod both ways.
 */
import { isAbsolute, relative, sep } from "node:path";
import * as vscode from "vscode";
import { webviewHtml, webviewPanelOptions } from "./webviewHtml";
import type { Logger } from "../orchestrator/host/missionHost";
import { AskWebviewToHost, type AskExchange, type AskHostToWebview } from "../shared/askProtocol";
import { fileUri, type ChatDeps } from "./chatParticipant";
import { untrustedMessage } from "./trust";
import { loadConversation, saveConversation, type AskConversation } from "./askConversation";
import { Disposable, toDisposable } from "./lifecycle";

export const ASK_VIEW_TYPE = "orchestrator.ask";

export class AskPanel extends Disposable {
  private static current?: AskPanel;
  private readonly exchanges: AskExchange[];
  /** The files each answer read, as the read tool got them: what openFile may open, and nothing else. */
  private readonly read: string[][];
  /** The conversation's OpenCode session, once the first answer made one. */
  private sessionId?: string;
  private answering?: AbortController;

  static show(context: vscode.ExtensionContext, deps: ChatDeps, logger: Logger, question?: string): void {
    if (!AskPanel.current) {
      const panel = vscode.window.createWebviewPanel(ASK_VIEW_TYPE, vscode.l10n.t("Orchestrator: Ask"), vscode.ViewColumn.Active, webviewPanelOptions(context.extensionUri));
      AskPanel.current = new AskPanel(panel, context, deps, logger, loadConversation(context.workspaceState));
    } else {
      AskPanel.current.panel.reveal();
    }
    if (question !== undefined) void AskPanel.current.ask(question);
  }

  /** After a window reload: the panel comes back with its conversation, which the next question continues. */
  static serializer(context: vscode.ExtensionContext, deps: ChatDeps, logger: Logger): vscode.WebviewPanelSerializer {
    return {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel) {
        panel.webview.options = webviewPanelOptions(context.extensionUri);
        AskPanel.current?.dispose();
        AskPanel.current = new AskPanel(panel, context, deps, logger, loadConversation(context.workspaceState));
      },
    };
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly context: vscode.ExtensionContext,
    private readonly deps: ChatDeps,
    private readonly logger: Logger,
    saved: AskConversation,
  ) {
    super();
    this.exchanges = saved.exchanges;
    this.read = saved.read;
    this.sessionId = saved.sessionId;
    panel.iconPath = vscode.Uri.joinPath(context.extensionUri, "media", "orchestrator.svg");
    panel.webview.html = this.html(context);
    this._register(panel.onDidDispose(() => this.dispose()));
    this._register(panel.webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)));
    this._register(panel);
    // Given back first: a disposed panel is no longer the window's, and its answer stops.
    this._register(
      toDisposable(() => {
        if (AskPanel.current === this) AskPanel.current = undefined;
        this.answering?.abort();
      }),
    );
  }

  private receive(raw: unknown): void {
    const parsed = AskWebviewToHost.safeParse(raw);
    if (!parsed.success) {
      this.logger.warn(`The Ask panel sent an invalid message; ignored: ${parsed.error.message}`);
      return;
    }
    const message = parsed.data;
    switch (message.type) {
      case "ready":
        this.sendConversation();
        break;
      case "ask":
        void this.ask(message.question);
        break;
      case "stop":
        this.answering?.abort();
        break;
      case "newConversation":
        this.answering?.abort();
        this.sessionId = undefined;
        this.exchanges.length = 0;
        this.read.length = 0;
        this.save();
        this.sendConversation();
        break;
      case "openFile": {
        const file = this.read[message.exchange]?.[message.file];
        if (file) void vscode.window.showTextDocument(fileUri(this.deps.workspace, file), { preview: true, viewColumn: vscode.ViewColumn.Beside }).then(undefined, (error: Error) => this.sendConversation(vscode.l10n.t("{0} could not be opened: {1}", file, error.message)));
        break;
      }
    }
  }

  private async ask(question: string): Promise<void> {
    if (this.answering) return this.sendConversation(vscode.l10n.t("An answer is being written: wait for it, or stop it."));
    if (!this.deps.isTrusted()) return this.sendConversation(untrustedMessage());
    const problem = this.deps.host.questionProblem(question);
    if (problem) return this.sendConversation(problem);
    const exchange: AskExchange = { question: question.trim(), answer: "", files: [], state: "answering" };
    const index = this.exchanges.push(exchange) - 1;
    this.read[index] = [];
    const controller = new AbortController();
    this.answering = controller;
    this.save();
    this.sendConversation();
    let notice: string | undefined;
    try {
      const answer = await this.deps.host.ask(question, this.deps.settings(), {
        sessionId: this.sessionId,
        signal: controller.signal,
        onText: (text) => {
          exchange.answer += text;
          this.post({ type: "answerPiece", index, text });
        },
      });
      this.sessionId = answer.sessionId;
      exchange.answer = answer.text;
      exchange.files = answer.filesRead.map((file) => this.shown(file));
      this.read[index] = answer.filesRead;
      exchange.state = "done";
      if (answer.restarted) notice = vscode.l10n.t("The earlier conversation could not be continued (its OpenCode session is gone); this answer began a new one.");
      else if (answer.demo) notice = vscode.l10n.t("Answered by the scripted demo model: no model provider is configured in OpenCode.");
    } catch (error) {
      exchange.state = controller.signal.aborted ? "stopped" : "failed";
      if (!controller.signal.aborted) exchange.error = (error as Error).message;
    } finally {
      if (this.answering === controller) this.answering = undefined;
    }
    // A new conversation begun meanwhile has its own exchanges: this one's end is not shown there.
    if (this.exchanges[index] === exchange) {
      this.save();
      this.sendConversation(notice);
    }
  }

  /** Kept for a window reload (never while an answer streams: once at the question, once at its end). */
  private save(): void {
    void saveConversation(this.context.workspaceState, { sessionId: this.sessionId, exchanges: this.exchanges, read: this.read }).then(undefined, (error: Error) => this.logger.warn(`The Ask conversation could not be kept: ${error.message}`));
  }

  /** A file as the user knows it: relative to the workspace when inside it. */
  private shown(file: string): string {
    const root = this.deps.workspace.fsPath;
    if (!isAbsolute(file)) return file;
    const rel = relative(root, file);
    return rel && !rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel) ? rel.split(sep).join("/") : file;
  }

  private sendConversation(notice?: string): void {
    this.post({ type: "conversation", exchanges: this.exchanges, busy: this.answering !== undefined, notice });
  }

  private post(message: AskHostToWebview): void {
    void this.panel.webview.postMessage(message);
  }

  private html(context: vscode.ExtensionContext): string {
    return webviewHtml(this.panel.webview, context.extensionUri, { script: "ask.js", style: "ask.css", title: vscode.l10n.t("Orchestrator: Ask") });
  }
}
