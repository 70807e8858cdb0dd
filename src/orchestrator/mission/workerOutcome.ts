/**
 * A Worker's attempt, from its turn to what follows its report. The turn runs in a fresh session
 * whose rules let it write its TODO's declared files (any other write asks: scopeAnswers.ts), under
 * the recovery policy (turnRecovery.ts). Its work joins the TODO's record of changes first, whatever the
 * outcome (a stopped or failed attempt wrote files too: they are shown, and a revert puts them
 * back). Then the report decides: a "done" the workspace contradicts (no change, a declared file
 * missing) goes back to a Worker, told why, before any review request is spent; a "done" whose
 * acceptance check fails goes back with the check's output; what passes both goes to review.
 * "blocked" waits for a replan; "failed" goes back while attempts remain. A turn the recovery
 * policy gave up on fails its TODO (the Commander replans it); a stopped one goes back to pending.
 */
import { workerPrompt } from "../agents/turnPrompts";
import { WorkerReport } from "../domain/schemas";
import type { MissionState, TodoState } from "../domain/state";
import { TurnAbortedError } from "../engine/errors";
import type { TurnOutcome } from "../engine/turn";
import type { ChangeRecorder } from "./changeRecorder";
import type { MissionChecks } from "./missionChecks";
import { retryOrGiveUp, type Transition } from "./reviewPolicy";
import type { ScopeAnswers } from "./scopeAnswers";
import type { TurnRecovery } from "./turnRecovery";

export interface WorkerOutcomeDeps {
  state: MissionState;
  /** The mission's todo.md, which the Worker may read for context. */
  todoMd: string;
  recovery: TurnRecovery;
  scopes: Pick<ScopeAnswers, "rulesFor">;
  changes: ChangeRecorder;
  checks: MissionChecks;
  maxAttemptsPerTodo: number;
  transition: Transition;
  /** Whether the mission is halting: an attempt it stopped goes back to pending, whatever it said. */
  halted(): boolean;
}

/** One attempt of a TODO: its Worker's turn, then what follows. */
export async function workerAttempt(deps: WorkerOutcomeDeps, todo: TodoState): Promise<void> {
  todo.attempts += 1;
  deps.transition(todo, "running", `attempt ${todo.attempts}`);
  // The checkpoint before its first attempt is what a revert of the TODO puts back.
  await deps.changes.beforeAttempt(todo);
  // Its declared files are its to write; any other write asks, and the scope answers decide.
  const permission = deps.scopes.rulesFor(todo.files);
  const outcome = await deps.recovery.run("worker", [todo.id], { title: `Worker ${todo.id}: ${todo.title}`.slice(0, 80), prompt: workerPrompt(deps.state.mission, todo, deps.todoMd), schema: WorkerReport, permission });
  await settle(deps, todo, outcome);
}

async function settle(deps: WorkerOutcomeDeps, todo: TodoState, outcome: TurnOutcome<WorkerReport>): Promise<void> {
  await deps.changes.afterAttempt(todo, outcome.work);
  try {
    if (outcome.ok) await followReport(deps, todo, outcome.structured as WorkerReport);
    else failedAttempt(deps, todo, outcome.error);
  } catch (error) {
    // Its evidence could not be weighed (a check that could not run): the TODO fails, as a failed turn's does.
    failedAttempt(deps, todo, error as Error);
  }
}

/** A turn that did not answer: stopped by the mission (back to pending), or given up on by the recovery policy (failed, and replanned). */
function failedAttempt(deps: WorkerOutcomeDeps, todo: TodoState, error: Error): void {
  if (error instanceof TurnAbortedError || deps.halted()) stopped(todo, deps.transition);
  else deps.transition(todo, "failed", error.message);
}

async function followReport(deps: WorkerOutcomeDeps, todo: TodoState, report: WorkerReport): Promise<void> {
  const { changes, transition } = deps;
  // The report's file list is what really changed, never the Worker's say-so.
  todo.report = todo.changes?.head ? { ...report, filesChanged: todo.changes.files.map((f) => f.path) } : report;
  if (report.status === "blocked") return transition(todo, "blocked", report.notes || report.summary);
  if (report.status === "failed") return retryOrGiveUp(todo, `the Worker reported failure: ${report.summary}`, deps.maxAttemptsPerTodo, transition);
  const unfounded = await changes.unfoundedClaim(todo);
  if (unfounded) {
    // No review request is spent on a claim the workspace contradicts: the TODO goes back, told why.
    todo.reviewIssues = [unfounded];
    return retryOrGiveUp(todo, unfounded, deps.maxAttemptsPerTodo, transition);
  }
  // The check's exit status, not the report, decides whether a review is worth a request.
  const failed = await deps.checks.ofTodo(todo);
  if (deps.halted()) return stopped(todo, transition);
  if (failed) {
    todo.reviewIssues = [failed];
    return retryOrGiveUp(todo, `acceptance check ${todo.checkResult?.status ?? "failed"}`, deps.maxAttemptsPerTodo, transition);
  }
  transition(todo, "review", report.summary);
}

/** The mission stopped the attempt: the TODO waits for the next run, its files still its own. */
function stopped(todo: TodoState, transition: Transition): void {
  if (todo.status === "running") transition(todo, "pending", "stopped");
}
