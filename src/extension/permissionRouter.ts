/**
 * Routes the agents' permission and question requests, as the host publishes them, to the user.
 * Each names the agent, the TODO and what it wants; many at once queue ("1 of N") and never block
 * the editor: prompts are notifications and quick picks, not modal dialogs. Answers go back
 * through the host, which sends them to the engine that asked.
 */
import * as vscode from "vscode";
import type { Logger, MissionHost } from "../orchestrator/host/missionHost";
import type { AgentRequest } from "../shared/agentRequests";
import { Disposable, toDisposable } from "./lifecycle";

/** The answers to a permission, as the notification offers them. */
const permissionChoices = () => ({ once: vscode.l10n.t("Allow Once"), always: vscode.l10n.t("Always Allow"), reject: vscode.l10n.t("Reject") });

export class PermissionRouter extends Disposable {
  private readonly queue: AgentRequest[] = [];
  private showing = false;

  constructor(
    private readonly host: MissionHost,
    private readonly logger: Logger,
  ) {
    super();
    this._register(
      host.requests.on((update) => {
        if (update.type === "asked") this.enqueue(update.request);
        else {
          // Answered elsewhere (another client, or the session ended): drop it from the queue.
          const i = this.queue.findIndex((r) => r.id === update.id);
          if (i >= 0) this.queue.splice(i, 1);
        }
      }),
    );
    this._register(toDisposable(() => (this.queue.length = 0)));
  }

  private enqueue(request: AgentRequest): void {
    this.queue.push(request);
    this.logger.info(`${request.who} asks ${request.kind === "permission" ? `permission: ${request.permission} ${request.patterns.join(", ")}` : "a question"}`);
    void this.pump();
  }

  private async pump(): Promise<void> {
    if (this.showing) return;
    this.showing = true;
    try {
      for (let request = this.queue[0]; request; request = this.queue[0]) {
        const position = this.queue.length > 1 ? vscode.l10n.t(" (1 of {0})", this.queue.length) : "";
        if (request.kind === "permission") await this.askPermission(request, position);
        else await this.askQuestion(request, position);
        const i = this.queue.indexOf(request);
        if (i >= 0) this.queue.splice(i, 1);
      }
    } finally {
      this.showing = false;
    }
  }

  private async askPermission(request: Extract<AgentRequest, { kind: "permission" }>, position: string): Promise<void> {
    const choices = permissionChoices();
    const message = request.patterns.length ? vscode.l10n.t("Orchestrator{0}: {1} wants {2} on {3}.", position, request.who, request.permission, request.patterns.join(", ")) : vscode.l10n.t("Orchestrator{0}: {1} wants {2}.", position, request.who, request.permission);
    const choice = await vscode.window.showWarningMessage(message, choices.once, choices.always, choices.reject);
    if (!this.queue.includes(request)) return; // answered meanwhile
    await this.host.replyPermission(request.id, choice === choices.once ? "once" : choice === choices.always ? "always" : "reject");
  }

  private async askQuestion(request: Extract<AgentRequest, { kind: "question" }>, position: string): Promise<void> {
    const answers: string[][] = [];
    for (const q of request.questions) {
      const items = q.options.map((o) => ({ label: o.label, description: o.description }));
      const title = vscode.l10n.t("{0} asks{1}: {2}", request.who, position, q.header);
      const picked = q.multiple ? await vscode.window.showQuickPick(items, { title, placeHolder: q.question, canPickMany: true, ignoreFocusOut: true }) : await vscode.window.showQuickPick(items, { title, placeHolder: q.question, ignoreFocusOut: true }).then((p) => p && [p]);
      if (!picked) return this.host.rejectQuestion(request.id);
      answers.push(picked.map((p) => p.label));
    }
    await this.host.answerQuestion(request.id, answers);
  }
}
