/**
 * The plan waiting for the user, between the Commander that asks and the editor that shows it.
 * The host never decides how it is shown (a notification, the tree's buttons, the dashboard): the
 * editor listens to `changed` and answers through the host — the first answer counts, whichever
 * surface it came from, and the others see the plan approval gone.
 */
import { Emitter } from "../common/emitter";
import type { PlanApprovalRequest } from "../mission/planApproval";
import type { PlanApproval, PlanDecision } from "../../shared/planApproval";
import { estimateView } from "./readModel";

/** The plan approval as the editor shows it. */
function planApprovalView(request: PlanApprovalRequest): PlanApproval {
  return { missionId: request.missionId, mission: request.mission, round: request.proposal.round, todos: request.proposal.todos.length, estimate: estimateView(request.estimate), note: request.note };
}

export class PlanApprovals {
  /** The plan approval now waiting (undefined: none, or it was just answered or withdrawn). */
  readonly changed = new Emitter<PlanApproval | undefined>();
  private waiting?: { request: PlanApprovalRequest; view: PlanApproval; answer: (decision: PlanDecision) => void };

  get pending(): PlanApproval | undefined {
    return this.waiting?.view;
  }

  /** Puts a plan to the user; resolves with the answer. A stopped mission withdraws it (the Commander halts on its own). */
  ask(request: PlanApprovalRequest, signal: AbortSignal): Promise<PlanDecision> {
    return new Promise<PlanDecision>((resolve) => {
      const withdraw = () => this.settle(request);
      signal.addEventListener("abort", withdraw, { once: true });
      const view = planApprovalView(request);
      this.waiting = {
        request,
        view,
        answer: (decision) => {
          signal.removeEventListener("abort", withdraw);
          resolve(decision);
        },
      };
      this.changed.fire(view);
    });
  }

  /**
   * The user's answer to the plan of `missionId` (of its `round`, when the surface knows which plan it
   * showed); false when no such plan waits: answered already, withdrawn, or replaced by a newer round.
   */
  decide(missionId: string, decision: PlanDecision, round?: number): boolean {
    const waiting = this.waiting;
    if (!waiting || waiting.request.missionId !== missionId) return false;
    if (round !== undefined && round !== waiting.request.proposal.round) return false;
    this.settle(waiting.request);
    waiting.answer(decision);
    return true;
  }

  private settle(request: PlanApprovalRequest): void {
    if (this.waiting?.request !== request) return;
    this.waiting = undefined;
    this.changed.fire(undefined);
  }
}
