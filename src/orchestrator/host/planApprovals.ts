/**
 * The plan waiting for the user, between the Commander that asks and the editor that shows it.
 * The host never decides how it is shown (a notification, the tree's buttons, the dashboard): the
 * editor listens to `changed` and answers with `decide` — the first answer counts, whichever
 * surface it came from, and the others see the request gone.
 */
import { Emitter } from "../emitter";
import type { PlanApprovalRequest, PlanDecision } from "../mission/planApproval";

// What the editor needs to show a plan and take the answer, through the front door.
export { MAX_FEEDBACK_CHARS, type PlanApprovalRequest, type PlanDecision } from "../mission/planApproval";
export { estimateBasis, estimateLine } from "../mission/planEstimate";

export class PlanApprovals {
  /** The request now waiting (undefined: none, or it was just answered or withdrawn). */
  readonly changed = new Emitter<PlanApprovalRequest | undefined>();
  private waiting?: { request: PlanApprovalRequest; answer: (decision: PlanDecision) => void };

  get pending(): PlanApprovalRequest | undefined {
    return this.waiting?.request;
  }

  /** Puts a plan to the user; resolves with the answer. A stopped mission withdraws it (the Commander halts on its own). */
  ask(request: PlanApprovalRequest, signal: AbortSignal): Promise<PlanDecision> {
    return new Promise<PlanDecision>((resolve) => {
      const withdraw = () => this.settle(request);
      signal.addEventListener("abort", withdraw, { once: true });
      this.waiting = {
        request,
        answer: (decision) => {
          signal.removeEventListener("abort", withdraw);
          resolve(decision);
        },
      };
      this.changed.fire(request);
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
