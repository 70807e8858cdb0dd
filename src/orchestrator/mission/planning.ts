/**
 * The Planner's conversation: a plan that does not validate (a cycle, an unknown dependency, an
 * answer that does not fit the schema) goes back to the Planner, in its own session, with the exact
 * problems, up to maxPlanAttempts; then the mission halts (stopRules.noValidPlan). What the
 * orchestrator can repair itself is not sent back: a replan's reused ids get fresh ones.
 */
import { invalidPlanPrompt } from "../agents/turnPrompts";
import type { OrchestratorEvent } from "../domain/events";
import { Plan } from "../domain/schemas";
import type { MissionState } from "../domain/state";
import { StructuredResultError } from "../engine/errors";
import type { Logger } from "../logger";
import { repairPlan, type PlanContext } from "../todo/planValidation";
import { noValidPlan } from "./stopRules";
import type { TurnRecovery } from "./turnRecovery";

export interface PlanningDeps {
  state: MissionState;
  recovery: TurnRecovery;
  maxPlanAttempts: number;
  persist(event: OrchestratorEvent): void;
  logger: Logger;
}

/** A plan whose reused ids were given fresh ones: the Planner's id → the orchestrator's. */
export type AcceptedPlan = Plan & { renamed: Record<string, string> };

/** A valid plan (new TODOs whose ids are not in `context.existingIds`, and the project's check if it names one), or a MissionHalt. */
export async function askPlanner(deps: PlanningDeps, prompt: string, context: PlanContext, replan: boolean): Promise<AcceptedPlan> {
  const { state } = deps;
  let sessionId: string | undefined;
  let message = prompt;
  let problems: string[] = [];
  for (let attempt = 1; attempt <= deps.maxPlanAttempts; attempt++) {
    try {
      const result = await deps.recovery.run("planner", [], { sessionId, title: `Planner: ${state.mission.slice(0, 50)}`, prompt: message, schema: Plan }, { recoverStructured: false });
      sessionId = result.sessionId;
      const plan = result.structured as Plan;
      const repaired = repairPlan(plan.todos, context);
      problems = repaired.problems;
      if (problems.length === 0) {
        if (repaired.renamed.size) deps.logger.info(`The plan reused TODO ids; given fresh ones: ${[...repaired.renamed].map(([from, to]) => `${from} → ${to}`).join(", ")}`);
        return { ...plan, todos: repaired.todos, renamed: Object.fromEntries(repaired.renamed) };
      }
    } catch (error) {
      if (!(error instanceof StructuredResultError)) throw error;
      sessionId = error.sessionId;
      problems = [error.issues];
    }
    deps.persist({ type: "plan.rejected", missionId: state.id, problems });
    deps.logger.warn(`Plan rejected (attempt ${attempt}): ${problems.join(" ")}`);
    message = invalidPlanPrompt(problems);
  }
  throw noValidPlan(state, deps.maxPlanAttempts, problems, replan);
}
