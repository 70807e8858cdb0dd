/**
 * The Reviewer's part of the loop: when a review starts, which TODOs it covers, when it is the
 * integration check or the final review of the whole, and what its verdicts do to the TODOs, the
 * sync issues and the progress count.
 *
 * Reviews run side by side, each in a session slot like a Worker's: a branch whose next TODO waits
 * on a verdict is reviewed at once, beside the other branches' Workers and reviews. Such an early
 * round is not an iteration of its own (maxIterations counts waves). The review of the whole runs
 * alone.
 */
import type { Review } from "../domain/schemas";
import type { MissionState, TodoState, TodoStatus } from "../domain/state";
import { doneCount, liveTodos } from "../domain/transitions";
import { isFinished } from "../todo/todoGraph";
import { checkIssue } from "./acceptanceChecks";
import type { CommanderLimits } from "./limits";

export interface ReviewRound {
  /** The TODOs it gives verdicts on; empty for a review of the whole mission. */
  readonly batch: readonly TodoState[];
  /** The Commander iteration it belongs to (maxIterations counts these). */
  readonly iteration: number;
  /** It covers every unfinished TODO and nothing else runs: if all pass, the Reviewer has seen the whole. */
  readonly final: boolean;
  /** Most of the mission is done: it also runs the project's integration check. */
  readonly integration: boolean;
}

export type Transition = (todo: TodoState, to: TodoStatus, note: string) => void;

/** A failed attempt: another one while attempts remain, else the TODO fails and waits for a replan. */
export function retryOrGiveUp(todo: TodoState, note: string, maxAttempts: number, transition: Transition): void {
  if (todo.attempts >= maxAttempts) transition(todo, "failed", `${note} (after ${todo.attempts} attempts)`);
  else transition(todo, "pending", note);
}

/**
 * What the next Worker is told of a rejection: the issues and the review's summary. Never empty,
 * since an empty list would read as "not rejected" and the Worker would repeat the same attempt.
 */
export function rejectionOf(issues: readonly string[], summary: string): string[] {
  const said = summary.trim() ? [...issues, `Reviewer's summary: ${summary.trim()}`] : [...issues];
  return said.length ? said : ["The Reviewer rejected it without saying why: check the acceptance criterion again."];
}

export class ReviewPolicy {
  /** TODOs a running review covers: no other review takes them. */
  private readonly underReview = new Set<TodoState>();
  private readonly dependents = new Map<string, TodoState[]>();
  private running = 0;
  private integrationRunning = false;
  private ended = false;

  constructor(
    private readonly state: MissionState,
    private readonly limits: Pick<CommanderLimits, "integrationThreshold" | "maxAttemptsPerTodo">,
    private readonly transition: Transition,
  ) {
    this.add(state.todos);
  }

  /** A round ended in this run: only then is the no-progress count judged (a resume gets its round). */
  get roundEnded(): boolean {
    return this.ended;
  }

  /** New TODOs (a plan or a replan): whose verdict each waits on. */
  add(todos: readonly TodoState[]): void {
    for (const t of todos) {
      for (const dep of t.dependsOn) {
        const list = this.dependents.get(dep);
        if (list) list.push(t);
        else this.dependents.set(dep, [t]);
      }
    }
  }

  /**
   * The TODOs a review should cover now, or undefined. Asked only when a session slot is free and
   * no Worker can start. A review starts early, beside Workers and other reviews, for TODOs whose
   * verdict pending work waits on — their dependents, or work that waits for their files
   * (`awaitedFiles`: a TODO keeps its files until it is accepted); the rest wait until nothing
   * runs, so one round covers the whole wave (and may be the final one).
   */
  due(inReview: ReadonlySet<TodoState>, workersRunning: number, awaitedFiles: ReadonlySet<string> = new Set()): TodoState[] | undefined {
    const awaiting: TodoState[] = [];
    let waitedOn = workersRunning === 0 && this.running === 0;
    for (const t of inReview) {
      if (this.underReview.has(t)) continue;
      awaiting.push(t);
      waitedOn ||= awaitedFiles.has(t.id) || (this.dependents.get(t.id) ?? []).some((d) => d.status === "pending");
    }
    return awaiting.length && waitedOn ? awaiting : undefined;
  }

  /**
   * Whether a round begun now counts as an iteration: one per wave (nothing else runs). An early round
   * beside Workers or other reviews does not, or parallel branches would use up maxIterations between
   * them; early rounds stay bounded anyway (each passes a TODO or spends one of its attempts).
   */
  countsAsIteration(workersRunning: number): boolean {
    return workersRunning === 0 && this.running === 0;
  }

  /** Opens a round: counts the iteration (for a wave) and decides what kind of review it is. */
  begin(batch: readonly TodoState[], workersRunning: number): ReviewRound {
    const s = this.state;
    if (this.countsAsIteration(workersRunning)) s.iteration += 1;
    const live = liveTodos(s);
    const inBatch = new Set(batch);
    // The whole is judged only alone: no other review in flight and every unfinished TODO in this batch.
    const final = this.running === 0 && live.every((t) => isFinished(t) || inBatch.has(t));
    // One integration check at a time: two whole test suites at once in one workspace trip over each other.
    const integration = !s.integrationChecked && !this.integrationRunning && (doneCount(s) + batch.length) / Math.max(1, live.length) >= this.limits.integrationThreshold;
    this.running++;
    this.integrationRunning ||= integration;
    for (const t of batch) this.underReview.add(t);
    return { batch, iteration: Math.max(1, s.iteration), final, integration };
  }

  /** Applies the Reviewer's verdicts: pass → done; fail → another attempt, told why, or failed. */
  apply(round: ReviewRound, review: Review): { passed: string[]; failed: string[] } {
    const s = this.state;
    const byId = new Map(round.batch.map((t) => [t.id, t]));
    const passed: string[] = [];
    const failed: string[] = [];
    for (const verdict of review.verdicts) {
      const todo = byId.get(verdict.todoId);
      if (!todo || todo.status !== "review") continue;
      // A check the orchestrator ran outweighs any verdict: a pass over a failing check is a fail.
      const check = todo.checkResult;
      if (verdict.verdict === "pass" && check && (check.status === "failed" || check.status === "timed-out" || check.status === "error")) {
        todo.reviewIssues = [checkIssue(check)];
        failed.push(todo.id);
        retryOrGiveUp(todo, `its check ${check.status}`, this.limits.maxAttemptsPerTodo, this.transition);
      } else if (verdict.verdict === "pass") {
        todo.reviewIssues = [];
        this.transition(todo, "done", "passed review");
        passed.push(todo.id);
      } else {
        todo.reviewIssues = rejectionOf(verdict.issues, review.summary);
        failed.push(todo.id);
        retryOrGiveUp(todo, `review failed: ${todo.reviewIssues.join("; ")}`, this.limits.maxAttemptsPerTodo, this.transition);
      }
    }
    const allPassed = round.batch.every((t) => t.status === "done");
    // Checked again at the end: a user's Retry during the round reopens work the Reviewer did not see.
    const sawWhole = round.final && allPassed && liveTodos(s).every(isFinished);
    if (sawWhole) {
      // The Reviewer saw the whole: its sync issues replace the open ones.
      for (const issue of s.syncIssues) issue.open = false;
      s.integrationChecked = review.syncIssues.length === 0;
    }
    for (const issue of review.syncIssues) s.syncIssues.push({ id: `S${s.syncIssues.length + 1}`, ...issue, open: true });
    // Progress is this round's own: another branch's pass in the meantime is not this round's.
    s.roundsWithoutProgress = passed.length > 0 || sawWhole ? 0 : s.roundsWithoutProgress + 1;
    return { passed, failed };
  }

  /** The review turn failed for good: a round without progress. */
  noVerdict(): void {
    this.state.roundsWithoutProgress += 1;
  }

  /** Closes a round, whatever its outcome: its TODOs may be reviewed again. */
  end(round: ReviewRound): void {
    this.running--;
    if (round.integration) this.integrationRunning = false;
    for (const t of round.batch) this.underReview.delete(t);
    this.ended = true;
  }
}
