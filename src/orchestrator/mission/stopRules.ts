/**
 * Why a mission stopped: every rule that ends one short of its seal, with the status it ends with.
 * The Commander's loop asks these rules; none of them is decided anywhere else.
 *
 *   rule               status             when the loop asks it
 *   userStop           stopped            the user pressed stop
 *   recoveryHalt       stopped            a turn failed in a way no retry can fix (credentials, configuration)
 *   haltFor            stopped            the mission's state could not be written (StateWriteError)
 *                      failed             any other error nobody foresaw
 *   noValidPlan        failed             the very first plan never came
 *                      stopped            a replan (or any plan once work is done) never came
 *   budgetExceeded     budget-exhausted   after each turn: the token or cost budget is spent
 *   iterationLimit     incomplete         before a wave's review round: maxIterations iterations have run
 *   noProgress         incomplete         two review rounds in a row passed nothing, and nothing else is in flight
 *   replanLimit        incomplete         before a replan: maxReplans replans have not unblocked it
 *   revertedTodos      stopped            nothing else can run and the user reverted TODOs: they wait for Retry or Skip
 *   deadDependencies   incomplete         nothing runs, nothing can, and nothing is broken to replan
 *
 * Only "failed" is final (TERMINAL_STATUSES); every other status can be resumed. The one good
 * ending, sealed, is the Commander's: every TODO done, no sync issue open, the whole reviewed.
 */
import { doneCount } from "../domain/transitions";
import type { MissionState, MissionStatus } from "../domain/state";
import type { CommanderLimits } from "./limits";
import { StateWriteError } from "./missionStore";

/** Ends the loop with a status; not an error of the mission. */
export class MissionHalt extends Error {
  constructor(
    readonly status: MissionStatus,
    readonly reason: string,
  ) {
    super(reason);
  }
}

export const USER_STOP_REASON = "stopped by the user";

export function userStop(reason = USER_STOP_REASON): MissionHalt {
  return new MissionHalt("stopped", reason);
}

/** Credentials or configuration: nothing runs until the user fixes them, then Resume goes on. */
export function recoveryHalt(reason: string): MissionHalt {
  return new MissionHalt("stopped", reason);
}

/**
 * The halt an error causes. A state folder that cannot be written can become writable again, so
 * the mission stops resumably; anything unforeseen fails it.
 */
export function haltFor(error: unknown): MissionHalt {
  if (error instanceof MissionHalt) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new MissionHalt(error instanceof StateWriteError ? "stopped" : "failed", message);
}

/**
 * The Planner gave no valid plan in all its attempts. A mission that never had a plan has nothing
 * to resume; one with a plan (a replan failed) keeps its work and stops resumably. The reason is
 * the user's to read: what was wrong with the plan in their words, and what to do (the Planner's
 * own wording, "choose a new id", went back to the Planner and is in the journal and the log).
 */
export function noValidPlan(state: MissionState, attempts: number, problems: string[], replan: boolean): MissionHalt {
  const reason = `The Planner could not make a plan that can run, in ${attempts} attempts: ${planFaults(problems)}.`;
  if (!replan && doneCount(state) === 0) return new MissionHalt("failed", `${reason} Run Task again, perhaps saying more about what to build and in which files`);
  return new MissionHalt("stopped", `${reason} Resume re-plans (the Planner tries again); the work done is kept`);
}

/** What was wrong with the plans, as a user reads it: each kind of fault once, in the order met. */
export function planFaults(problems: readonly string[]): string {
  const faults: string[] = [];
  const add = (fault: string) => faults.includes(fault) || faults.push(fault);
  for (const problem of problems) {
    if (/has no TODOs/.test(problem)) add("the plan had no steps");
    else if (/used more than once|already exists in the mission/.test(problem)) add("it gave two steps the same name");
    else if (/depends on itself|form a cycle/.test(problem)) add("its steps waited on each other in a circle, so none could start");
    else if (/depends on unknown TODO|which this replan replaces/.test(problem)) add("a step waited on one that is not in the plan");
    else add("its answer was not a plan the orchestrator can read");
  }
  return faults.join("; ") || "its answer was not a plan the orchestrator can read";
}

export function budgetExceeded(state: MissionState, budget: CommanderLimits["budget"]): MissionHalt | undefined {
  if (!budget) return undefined;
  const tokens = state.usage.inputTokens + state.usage.outputTokens;
  if (budget.maxTokens !== undefined && tokens >= budget.maxTokens) return new MissionHalt("budget-exhausted", `token budget reached (${tokens} of ${budget.maxTokens})`);
  if (budget.maxCostUsd !== undefined && state.usage.cost >= budget.maxCostUsd) return new MissionHalt("budget-exhausted", `cost budget reached ($${state.usage.cost.toFixed(4)} of $${budget.maxCostUsd})`);
  return undefined;
}

/** maxIterations counts iterations (a wave and its review round): one more may not start. */
export function iterationLimit(state: MissionState, maxIterations: number): MissionHalt | undefined {
  return state.iteration >= maxIterations ? new MissionHalt("incomplete", `reached maxIterations (${maxIterations})`) : undefined;
}

/**
 * Two review rounds in a row passed nothing. Judged only when nothing else is in flight — a Worker
 * or a review of another branch may still be progress — and only after a round of this run, so a
 * resumed mission gets its round.
 */
export function noProgress(state: MissionState, context: { roundEnded: boolean; inFlight: number }): MissionHalt | undefined {
  if (!context.roundEnded || context.inFlight > 0 || state.roundsWithoutProgress < 2) return undefined;
  return new MissionHalt("incomplete", "two review rounds without progress");
}

export function replanLimit(replans: number, maxReplans: number): MissionHalt | undefined {
  return replans >= maxReplans ? new MissionHalt("incomplete", `still blocked after ${replans} replans`) : undefined;
}

export function deadDependencies(): MissionHalt {
  return new MissionHalt("incomplete", "no TODO can run: their dependencies will never be done");
}

/** The user reverted these TODOs: the mission does not redo (or replan) them on its own. */
export function revertedTodos(ids: readonly string[]): MissionHalt {
  return new MissionHalt("stopped", `${ids.length === 1 ? "TODO" : "TODOs"} ${ids.join(", ")} ${ids.length === 1 ? "was" : "were"} reverted by the user: Retry to have ${ids.length === 1 ? "it" : "them"} redone, or Skip`);
}
