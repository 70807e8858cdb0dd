/**
 * Routes OpenCode's permission and question requests to the user. Each request names the agent,
 * the TODO and what it wants; many at once queue ("1 of N") and never block the editor: prompts
 * are notifications and quick picks, not modal dialogs.
 */
import * as vscode from "vscode";
import type { EventPermissionAsked, EventQuestionAsked } from "@opencode-ai/sdk/v2";
import type { Engine } from "../orchestrator/engine/engine";
import type { Logger } from "../orchestrator/logger";
import type { SessionRegistry } from "./viewModels/sessionRegistry";

type Request = { kind: "permission"; engine: Engine; event: EventPermissionAsked["properties"] } | { kind: "question"; engine: Engine; event: EventQuestionAsked["properties"] };

export const PERMISSION_CHOICES = { once: "Allow Once", always: "Always Allow", reject: "Reject" } as const;

export class PermissionRouter implements vscode.Disposable {
  private readonly queue: Request[] = [];
  private showing = false;
  private subscription?: { dispose(): void };

  constructor(
    private readonly sessions: SessionRegistry,
    private readonly logger: Logger,
  ) {}

  /** Listens to the engine a mission runs on (one at a time). */
  attach(engine: Engine): void {
    this.subscription?.dispose();
    this.subscription = engine.events.onAny((event) => {
      if (event.type === "permission.asked") this.enqueue({ kind: "permission", engine, event: event.properties });
      else if (event.type === "question.asked") this.enqueue({ kind: "question", engine, event: event.properties });
      else if (event.type === "permission.replied" || event.type === "question.replied" || event.type === "question.rejected") {
        // Answered elsewhere (another client, or the session ended): drop it from the queue.
        const i = this.queue.findIndex((r) => r.event.id === event.properties.requestID);
        if (i >= 0) this.queue.splice(i, 1);
      }
    });
  }

  private who(sessionId: string): string {
    const s = this.sessions.get(sessionId);
    if (!s) return "An agent";
    const role = s.role.charAt(0).toUpperCase() + s.role.slice(1);
    return s.todoIds.length ? `${role} (TODO ${s.todoIds.join(", ")})` : role;
  }

  private enqueue(request: Request): void {
    this.queue.push(request);
    this.logger.info(`${this.who(request.event.sessionID)} asks ${request.kind === "permission" ? `permission: ${request.event.permission} ${request.event.patterns.join(", ")}` : "a question"}`);
    void this.pump();
  }

  private async pump(): Promise<void> {
    if (this.showing) return;
    this.showing = true;
    try {
      for (let request = this.queue[0]; request; request = this.queue[0]) {
        const position = this.queue.length > 1 ? ` (1 of ${this.queue.length})` : "";
        if (request.kind === "permission") await this.askPermission(request.engine, request.event, position);
        else await this.askQuestion(request.engine, request.event, position);
        const i = this.queue.indexOf(request);
        if (i >= 0) this.queue.splice(i, 1);
      }
    } finally {
      this.showing = false;
    }
  }

  private async askPermission(engine: Engine, event: EventPermissionAsked["properties"], position: string): Promise<void> {
    const what = `${event.permission}${event.patterns.length ? ` on ${event.patterns.join(", ")}` : ""}`;
    const choice = await vscode.window.showWarningMessage(`Orchestrator${position}: ${this.who(event.sessionID)} wants ${what}.`, PERMISSION_CHOICES.once, PERMISSION_CHOICES.always, PERMISSION_CHOICES.reject);
    if (!this.queue.some((r) => r.event.id === event.id)) return; // answered meanwhile
    const reply = choice === PERMISSION_CHOICES.once ? "once" : choice === PERMISSION_CHOICES.always ? "always" : "reject";
    await engine.client.permission.reply({ requestID: event.id, reply }).catch((error: unknown) => this.logger.warn(`Permission reply failed: ${String(error)}`));
    this.logger.info(`Permission ${event.id}: ${reply}`);
  }

  private async askQuestion(engine: Engine, event: EventQuestionAsked["properties"], position: string): Promise<void> {
    const answers: string[][] = [];
    for (const q of event.questions) {
      const items = q.options.map((o) => ({ label: o.label, description: o.description }));
      const title = `${this.who(event.sessionID)} asks${position}: ${q.header}`;
      if (q.multiple) {
        const picked = await vscode.window.showQuickPick(items, { title, placeHolder: q.question, canPickMany: true, ignoreFocusOut: true });
        if (!picked) return this.reject(engine, event.id);
        answers.push(picked.map((p) => p.label));
      } else {
        const picked = await vscode.window.showQuickPick(items, { title, placeHolder: q.question, ignoreFocusOut: true });
        if (!picked) return this.reject(engine, event.id);
        answers.push([picked.label]);
      }
    }
    await engine.client.question.reply({ requestID: event.id, answers }).catch((error: unknown) => this.logger.warn(`Question reply failed: ${String(error)}`));
  }

  private async reject(engine: Engine, requestId: string): Promise<void> {
    await engine.client.question.reject({ requestID: requestId }).catch(() => undefined);
  }

  dispose(): void {
    this.subscription?.dispose();
    this.queue.length = 0;
  }
}
