/**
 * Between the Planner's plan and the first Worker: the plan is estimated and, where
 * orchestrator.approvePlan says so, put to the user — Approve runs it, Replan asks a new Planner
 * session with the user's feedback (and the new plan is put to the user again), Cancel stops the
 * mission before anything is spent on Workers. While it waits, the plan is the mission's
 * `proposal` (not TODOs yet: a Replan replaces it whole, with no ids left behind) and the mission
 * is `awaiting-approval`, so a reload or a Stop loses nothing: Resume puts the same plan again. A
 * Replan asked for is kept on the proposal until the new plan is there: Resume asks for it again.
 */
import type { OrchestratorEvent } from "../domain/events";
import type { Plan } from "../domain/schemas";
import type { MissionState, MissionStatus, PlanProposal } from "../domain/state";
import { MAX_FEEDBACK_CHARS, needsApproval, type PlanApproval, type PlanApprovalRequest, type PlanDecision } from "./planApproval";
import { MissionHalt, userStop } from "./stopRules";

export interface ProposalDeps {
  state: MissionState;
  approval?: PlanApproval;
  /** The threshold of orchestrator.approvePlan "aboveCost", in US dollars. */
  aboveUsd: number;
  signal: AbortSignal;
  setStatus(status: MissionStatus): void;
  persist(event: OrchestratorEvent): void;
  /** A new plan from a new Planner session, given the plan the user declined and their feedback. */
  replan(declined: PlanProposal, feedback: string): Promise<Plan>;
}

/** The plan to run: approved, or not in need of approval. Throws the MissionHalt of a Cancel or a Stop. */
export async function settlePlan(deps: ProposalDeps, first: PlanProposal): Promise<Plan> {
  const { state, approval } = deps;
  let proposal = first;
  let note: string | undefined;
  for (;;) {
    if (proposal.feedback !== undefined) {
      const outcome = await replanFor(deps, proposal, proposal.feedback);
      if ("plan" in outcome) {
        proposal = { todos: outcome.plan.todos, check: outcome.plan.check, round: proposal.round + 1 };
        note = undefined;
      } else {
        // The Planner could not answer the feedback: the plan the user had is theirs to decide again.
        proposal = { todos: proposal.todos, check: proposal.check, round: proposal.round };
        note = outcome.why;
      }
    }
    if (!approval) {
      state.proposal = null;
      return proposal;
    }
    const estimate = await approval.estimate(proposal.todos.length);
    state.estimate = estimate;
    if (!needsApproval(approval.mode, deps.aboveUsd, estimate) && note === undefined) {
      state.proposal = null;
      return proposal;
    }
    state.proposal = proposal;
    deps.setStatus("awaiting-approval");
    deps.persist({ type: "plan.proposed", missionId: state.id, todoIds: proposal.todos.map((t) => t.id), round: proposal.round, costUsd: estimate.costUsd });
    const decision = await untilDecided(approval, { missionId: state.id, mission: state.mission, proposal, estimate, ...(note ? { note } : {}) }, deps.signal);
    deps.persist({ type: "plan.decided", missionId: state.id, decision: decision.kind, ...(decision.kind === "replan" ? { feedback: decision.feedback } : {}) });
    if (decision.kind === "approve") {
      state.proposal = null;
      return proposal;
    }
    // The proposal stays: Resume puts the same plan to the user again, without a Planner's turn.
    if (decision.kind === "cancel") throw userStop("the plan was cancelled before it ran");
    proposal = { ...proposal, feedback: decision.feedback };
    state.proposal = proposal;
  }
}

/** The Replan's plan, or why there is none. A halt of the mission itself (a Stop, a dead server) goes on up. */
async function replanFor(deps: ProposalDeps, declined: PlanProposal, feedback: string): Promise<{ plan: Plan } | { why: string }> {
  deps.setStatus("planning");
  try {
    return { plan: await deps.replan(declined, feedback) };
  } catch (error) {
    if (deps.signal.aborted || !(error instanceof MissionHalt)) throw error;
    return { why: `The Planner could not plan again from your feedback (${error.reason}); the plan is as it was.` };
  }
}

/** The user's decision, or the mission's halt when it is stopped while the user reads. */
function untilDecided(approval: PlanApproval, request: PlanApprovalRequest, signal: AbortSignal): Promise<PlanDecision> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<PlanDecision>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener("abort", onAbort, { once: true });
    approval.decide(request, signal).then(
      (decision) => {
        signal.removeEventListener("abort", onAbort);
        resolve(decision.kind === "replan" ? { kind: "replan", feedback: decision.feedback.trim().slice(0, MAX_FEEDBACK_CHARS) } : decision);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error as Error);
      },
    );
  });
}
