/**
 * A plan approval: the plan of a mission waiting for the user's Approve, Replan or Cancel
 * (orchestrator.approvePlan), and the user's answer. Each answer names the plan it was given for
 * (its round), so an answer to a plan already replaced approves nothing.
 */
import { z } from "zod";
import { EstimateView } from "./estimate";
import type { Subscribable } from "./feed";

export const PlanApproval = z.object({
  missionId: z.string(),
  mission: z.string(),
  /** 1 for the first plan, +1 per Replan. */
  round: z.number(),
  todos: z.number(),
  estimate: EstimateView,
  /** Why this plan is put again (the Replan asked for could not be made). */
  note: z.string().optional(),
});
export type PlanApproval = z.infer<typeof PlanApproval>;

export const PlanDecision = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("approve") }),
  /** `feedback`: what the new plan should do differently (the host bounds its length). */
  z.object({ kind: z.literal("replan"), feedback: z.string() }),
  z.object({ kind: z.literal("cancel") }),
]);
export type PlanDecision = z.infer<typeof PlanDecision>;

/** What the host publishes of plan approvals: the one waiting, and each change (undefined: none waits now). */
export interface PlanApprovalFeed {
  readonly changed: Subscribable<PlanApproval | undefined>;
  readonly pending: PlanApproval | undefined;
}
