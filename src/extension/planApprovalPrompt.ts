/**
 * The plan waiting for the user (orchestrator.approvePlan), shown the VS Code way: one
 * notification with the estimate and Approve / Replan… / Cancel, and the same three as buttons on
 * the mission's row in the TODO view (where the proposed TODOs are listed) and in the palette, so
 * a notification closed by mistake loses nothing. The first answer from any of them counts.
 */
import * as vscode from "vscode";
import type { MissionHost } from "../orchestrator/host/missionHost";
import type { Logger } from "../orchestrator/logger";
import { estimateBasis, estimateLine, MAX_FEEDBACK_CHARS, type PlanApprovalRequest, type PlanDecision } from "../orchestrator/host/planApprovals";

export const PLAN_CHOICES = { approve: "Approve", replan: "Replan…", cancel: "Cancel Mission" } as const;

/** The context key of the menus: a plan waits for the user's answer now. */
const AWAITING = "orchestrator.awaitingApproval";

export class PlanApprovalPrompt implements vscode.Disposable {
  private readonly subscription: { dispose(): void };

  constructor(
    private readonly host: MissionHost,
    private readonly logger: Logger,
  ) {
    this.subscription = host.approvals.changed.on((request) => {
      void vscode.commands.executeCommand("setContext", AWAITING, request !== undefined);
      if (request) void this.show(request);
    });
  }

  private async show(request: PlanApprovalRequest): Promise<void> {
    const { estimate, proposal } = request;
    this.logger.info(`Plan ${proposal.round > 1 ? `(round ${proposal.round}) ` : ""}waits for approval: ${estimateLine(estimate)}`);
    // The plan itself is the TODO view's: shown beside the question (a toast hides after a while; the row's buttons stay).
    void vscode.commands.executeCommand("orchestrator.todos.focus");
    const choice = await vscode.window.showInformationMessage(`Orchestrator: the plan is ready — ${estimateLine(estimate)}. ${estimateBasis(estimate)} Its TODOs are in the TODO view.`, PLAN_CHOICES.approve, PLAN_CHOICES.replan, PLAN_CHOICES.cancel);
    // Closed without a choice: the plan still waits, with its buttons on the mission's row.
    if (!choice || this.host.approvals.pending !== request) return;
    await this.decide(choice === PLAN_CHOICES.approve ? "approve" : choice === PLAN_CHOICES.replan ? "replan" : "cancel");
  }

  /** The user's answer from a notification, a button or the palette; Replan asks for the feedback first. */
  async decide(kind: PlanDecision["kind"]): Promise<void> {
    const request = this.host.approvals.pending;
    if (!request) return void vscode.window.showInformationMessage("Orchestrator: no plan is waiting for approval.");
    let decision: PlanDecision;
    if (kind === "replan") {
      const feedback = await vscode.window.showInputBox({
        title: "Orchestrator: Replan",
        prompt: "What should the new plan do differently? The Planner plans the mission again with this.",
        placeHolder: "e.g. Keep it to the API; no frontend. Use SQLite, not Postgres.",
        ignoreFocusOut: true,
        validateInput: (value) => (value.trim().length === 0 ? "Say what to change (or press Escape to keep the plan waiting)." : value.length > MAX_FEEDBACK_CHARS ? `At most ${MAX_FEEDBACK_CHARS} characters.` : undefined),
      });
      // Escape: nothing decided; the plan keeps waiting, the notification comes back.
      if (feedback === undefined) return this.host.approvals.pending === request ? void this.show(request) : undefined;
      decision = { kind: "replan", feedback };
    } else {
      decision = { kind };
    }
    if (!this.host.decidePlan(request.missionId, decision)) void vscode.window.showInformationMessage("Orchestrator: the plan was already answered.");
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
