/**
 * The plan waiting for the user (orchestrator.approvePlan), shown the VS Code way: one
 * notification with the estimate and Approve / Replan… / Cancel Plan, and the same three in plain
 * sight wherever the user looks next — rows under the mission in the TODO view (with the estimate
 * in the view's message, above the proposed TODOs), a quick pick from the status bar, buttons in
 * the dashboard, commands in the palette — so a notification closed by mistake, or one that went
 * to the notification centre, loses nothing. Every answer goes through the
 * commands (which check workspace trust); the first one counts, and an answer names the plan it was
 * given for, so a stale button never approves a newer plan the user has not seen.
 */
import * as vscode from "vscode";
import { MAX_FEEDBACK_CHARS, type Logger, type MissionHost } from "../orchestrator/host/missionHost";
import { CONTEXT_KEYS, focusView, PLAN_APPROVAL_COMMANDS, VIEWS } from "../shared/commands";
import type { PlanApproval, PlanDecision } from "../shared/planApproval";
import { plainText } from "./viewModels/plainText";
import { missionOfNode } from "./viewModels/treeModels";
import { Disposable } from "./lifecycle";

/** The answers to a plan approval, as the notification offers them. */
const planChoices = () => ({ approve: vscode.l10n.t("Approve"), replan: vscode.l10n.t("Replan…"), cancel: vscode.l10n.t("Cancel Plan") });


/** Which plan approval an answer is for: from the notification or the dashboard ({ missionId, round }), a tree row ("mission:<id>"), or the palette (the one waiting). */
export interface PlanApprovalTarget {
  missionId?: string;
  round?: number;
}

export function planApprovalOf(arg: unknown): PlanApprovalTarget {
  const fromTree = missionOfNode(arg);
  if (fromTree) return { missionId: fromTree };
  if (!arg || typeof arg !== "object") return {};
  const { missionId, round } = arg as { missionId?: unknown; round?: unknown };
  return { missionId: typeof missionId === "string" ? missionId : undefined, round: typeof round === "number" ? round : undefined };
}

export class PlanApprovalPrompt extends Disposable {

  constructor(
    private readonly host: MissionHost,
    private readonly logger: Logger,
  ) {
    super();
    this._register(
      host.planApprovals.changed.on((approval) => {
        void vscode.commands.executeCommand("setContext", CONTEXT_KEYS.awaitingApproval, approval !== undefined);
        if (approval) void this.show(approval);
      }),
    );
  }

  private async show(approval: PlanApproval): Promise<void> {
    const { estimate, round } = approval;
    this.logger.info(`Plan ${round > 1 ? `(round ${round}) ` : ""}waits for approval: ${estimate.line}`);
    // The plan itself is the TODO view's: shown beside the question (a toast hides after a while; the row's buttons stay).
    void vscode.commands.executeCommand(focusView(VIEWS.todos));
    const choices = planChoices();
    const why = approval.note ? `${plainText(approval.note)} ` : "";
    const choice = await vscode.window.showInformationMessage(vscode.l10n.t("Orchestrator: {0}the plan is ready — {1}. {2} Its TODOs are in the TODO view.", why, estimate.line, estimate.basis), choices.approve, choices.replan, choices.cancel);
    // Closed without a choice: the plan still waits, with its buttons on the mission's row.
    if (!choice) return;
    const kind = choice === choices.approve ? "approve" : choice === choices.replan ? "replan" : "cancel";
    await vscode.commands.executeCommand(PLAN_APPROVAL_COMMANDS[kind], { missionId: approval.missionId, round } satisfies PlanApprovalTarget);
  }

  /** The three answers in a quick pick (the status bar's click, the palette), with the estimate; Escape leaves the plan waiting. */
  async pick(): Promise<void> {
    const approval = this.host.planApprovals.pending;
    if (!approval) return void vscode.window.showInformationMessage(vscode.l10n.t("Orchestrator: no plan is waiting for your approval."));
    const choices = planChoices();
    const items: Array<vscode.QuickPickItem & { answer: PlanDecision["kind"] }> = [
      { answer: "approve", label: `$(check) ${choices.approve}`, description: vscode.l10n.t("run the plan"), detail: approval.estimate.line },
      { answer: "replan", label: `$(refresh) ${choices.replan}`, description: vscode.l10n.t("say what to change; the Planner plans again") },
      { answer: "cancel", label: `$(close) ${choices.cancel}`, description: vscode.l10n.t("stop the mission before any Worker; Resume asks again") },
    ];
    const chosen = await vscode.window.showQuickPick(items, {
      title: vscode.l10n.t("Orchestrator: the plan waits for your approval — {0}", approval.estimate.line),
      placeHolder: vscode.l10n.t("{0} Its TODOs are in the TODO view.", approval.estimate.basis),
      ignoreFocusOut: true,
    });
    if (chosen) await vscode.commands.executeCommand(PLAN_APPROVAL_COMMANDS[chosen.answer], { missionId: approval.missionId, round: approval.round } satisfies PlanApprovalTarget);
  }

  /** The user's answer, from any surface; Replan asks for the feedback first. */
  async decide(kind: PlanDecision["kind"], target: PlanApprovalTarget = {}): Promise<void> {
    const approval = this.host.planApprovals.pending;
    const stale = () => void vscode.window.showInformationMessage(vscode.l10n.t("Orchestrator: that plan is no longer waiting (answered, withdrawn by a Stop, or replaced by a newer one)."));
    if (!approval) return stale();
    const missionId = target.missionId ?? approval.missionId;
    const round = target.round ?? approval.round;
    if (missionId !== approval.missionId || round !== approval.round) return stale();
    let decision: PlanDecision;
    if (kind === "replan") {
      const feedback = await vscode.window.showInputBox({
        title: vscode.l10n.t("Orchestrator: Replan"),
        prompt: vscode.l10n.t("What should the new plan do differently? The Planner plans the mission again with this."),
        placeHolder: vscode.l10n.t("e.g. Keep it to the API; no frontend. Use SQLite, not Postgres."),
        ignoreFocusOut: true,
        validateInput: (value) => (value.trim().length === 0 ? vscode.l10n.t("Say what to change (or press Escape to keep the plan waiting).") : value.length > MAX_FEEDBACK_CHARS ? vscode.l10n.t("At most {0} characters.", MAX_FEEDBACK_CHARS) : undefined),
      });
      // Escape: nothing decided; the plan keeps waiting, the notification comes back.
      if (feedback === undefined) return this.host.planApprovals.pending === approval ? void this.show(approval) : undefined;
      decision = { kind: "replan", feedback };
    } else {
      decision = { kind };
    }
    if (!this.host.answerPlanApproval(missionId, decision, round)) stale();
  }
}
