/**
 * Whether a plan waits for the user before any Worker starts (orchestrator.approvePlan), and the
 * answers the user can give. The most common complaint about multi-agent tools is money burnt with
 * no estimate: by default a plan whose estimate passes orchestrator.approveAboveUsd is shown first.
 */
import type { PlanEstimate, PlanProposal } from "../domain/state";
import type { ApprovePlanMode } from "../settings/settingsTable";
import type { PlanDecision } from "../../shared/planApproval";

export type { PlanDecision } from "../../shared/planApproval";

/** A plan put to the user, with what it is estimated to take. */
export interface PlanApprovalRequest {
  missionId: string;
  mission: string;
  proposal: PlanProposal;
  estimate: PlanEstimate;
  /** Why this plan is put again (the Replan asked for could not be made). */
  note?: string;
}

/** What the Commander needs to put its plan to the user. */
export interface PlanApproval {
  mode: ApprovePlanMode;
  /** The estimate of a plan of `todos` TODOs (the host knows the model's price and the past missions). */
  estimate(todos: number): Promise<PlanEstimate>;
  /** The user's answer; the signal aborts when the mission is stopped meanwhile. */
  decide(request: PlanApprovalRequest, signal: AbortSignal): Promise<PlanDecision>;
}

/**
 * `aboveCost` runs a plan at once when OpenCode knows no price for the model: OpenCode gives local
 * and self-hosted models (and free ones) a price of 0, so no price cannot be told from free, and
 * asking before every local mission would teach the user to click Approve unread. `always` asks.
 */
export function needsApproval(mode: ApprovePlanMode, aboveUsd: number, estimate: PlanEstimate): boolean {
  if (mode === "never") return false;
  if (mode === "always") return true;
  return estimate.costUsd !== undefined && estimate.costUsd > aboveUsd;
}

/** The user's feedback is one sentence or a paragraph, not a document: it goes into the Planner's prompt. */
export const MAX_FEEDBACK_CHARS = 2_000;
