/**
 * The Planner's conversation: a plan that does not validate (a cycle, an unknown dependency, an
 * answer that does not fit the schema) goes back to the Planner, in its own session, with the exact
 * problems, up to maxPlanAttempts; then the mission halts (stopRules.noValidPlan).
 */
import { invalidPlanPrompt } from "../agents/turnPrompts";
import type { OrchestratorEvent } from "../domain/events";
import { Plan } from "../domain/schemas";
import type { MissionState } from "../domain/state";
import { StructuredResultError } from "../engine/errors";
import type { Logger } from "../logger";
import { planProblems } from "../todo/planValidation";
import { noValidPlan } from "./stopRules";
import type { TurnRecovery } from "./turnRecovery";

export interface PlanningDeps {
  state: MissionState;
  recovery: TurnRecovery;
  maxPlanAttempts: number;
  persist(event: OrchestratorEvent): void;
  logger: Logger;
}

/** A valid plan (new TODOs whose ids are not in `existingIds`, and the project's check if it names one), or a MissionHalt. */
export async function askPlanner(deps: PlanningDeps, prompt: string, existingIds: ReadonlySet<string>, replan: boolean): Promise<Plan> {
  const { state } = deps;
  let sessionId: string | undefined;
  let message = prompt;
  let problems: string[] = [];
  for (let attempt = 1; attempt <= deps.maxPlanAttempts; attempt++) {
    try {
      const result = await deps.recovery.run("planner", [], { sessionId, title: `Planner: ${state.mission.slice(0, 50)}`, prompt: message, schema: Plan }, { recoverStructured: false });
      sessionId = result.sessionId;
      problems = planProblems((result.structured as Plan).todos, existingIds);
      if (problems.length === 0) return result.structured as Plan;
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
