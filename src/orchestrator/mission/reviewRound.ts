/**
 * One review round, as it runs: a checkpoint of the whole as the Reviewer finds it, the batch's
 * diffs, the Reviewer's turn, and its verdicts applied and journaled in one step. What a round
 * covers and what its verdicts do is the policy's (reviewPolicy.ts).
 */
import { reviewPrompt } from "../agents/turnPrompts";
import type { OrchestratorEvent } from "../domain/events";
import { Review } from "../domain/schemas";
import type { MissionState, TodoState } from "../domain/state";
import { TurnAbortedError } from "../engine/errors";
import type { Logger } from "../common/logger";
import type { ChangeRecorder } from "./changeRecorder";
import type { ReviewPolicy } from "./reviewPolicy";
import type { TurnRecovery } from "./turnRecovery";

export interface ReviewRoundDeps {
  state: MissionState;
  reviews: ReviewPolicy;
  changes: ChangeRecorder;
  recovery: TurnRecovery;
  halted(): boolean;
  persist(event: OrchestratorEvent, todos?: readonly TodoState[]): void;
  logger: Logger;
}

/** Reviews `batch` (empty: the whole mission); `workersRunning`: Workers at work beside it. */
export async function reviewRound(deps: ReviewRoundDeps, batch: TodoState[], workersRunning: number): Promise<void> {
  const { state: s, reviews, changes } = deps;
  const round = reviews.begin(batch, workersRunning);
  // No verdict (the turn failed, or its diffs or checkpoint did): the round ends, and the policy counts it.
  const noVerdict = (error: unknown) => {
    if (error instanceof TurnAbortedError || deps.halted()) return;
    reviews.noVerdict();
    deps.logger.warn(`Review round ${round.iteration} failed: ${(error as Error).message}`);
    deps.persist({ type: "review.round", missionId: s.id, iteration: round.iteration, passed: [], failed: [], syncIssues: 0 });
  };
  try {
    // The whole as the Reviewer finds it. With nothing else running, its scan begins at once,
    // before the Reviewer can run anything (a command waits for a model reply), and the Reviewer
    // does not wait for it; beside Workers it may queue behind their checkpoints, so it is awaited.
    // The diffs are between checkpoints already taken.
    const checkpoint = changes.beforeReview(round.iteration);
    const diffs = await changes.diffsFor(batch);
    if (workersRunning > 0) await checkpoint;
    const outcome = await deps.recovery.run("reviewer", batch.map((t) => t.id), { title: `Reviewer: round ${round.iteration}`, prompt: reviewPrompt(s.mission, batch, { ...round, diffs, missionCheck: batch.length === 0 ? s.checkResult : undefined }), schema: Review });
    if (!outcome.ok) return noVerdict(outcome.error);
    const review = outcome.structured as Review;
    // Long taken by now; awaited first, so the verdicts are applied and journaled in one step.
    const taken = await checkpoint;
    const { passed, failed } = reviews.apply(round, review);
    deps.persist({ type: "review.round", missionId: s.id, iteration: round.iteration, passed, failed, syncIssues: review.syncIssues.length, checkpoint: taken }, batch);
  } catch (error) {
    noVerdict(error);
  } finally {
    reviews.end(round);
  }
}
