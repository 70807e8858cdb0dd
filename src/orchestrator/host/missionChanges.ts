/**
 * The changes of a mission as the user reviews and reverts them: each TODO's real diff (between the
 * checkpoints before and after it), the whole mission's (its start checkpoint against the workspace
 * now), a file's bytes at a checkpoint for the diff editor, and revert / undo of either.
 */
import type { MissionState } from "../domain/state";
import type { MissionStore } from "../mission/missionStore";
import { revertChanges, undoRevert, type RestoringCheckpoints, type RevertOutcome } from "../mission/reverts";
import type { ChangeSet } from "../../shared/changes";

export class MissionChanges {
  constructor(
    private readonly store: MissionStore,
    private readonly checkpoints: RestoringCheckpoints & { read(checkpoint: string, path: string): Promise<Buffer | undefined> },
  ) {}

  /** One TODO's diff as recorded, or the whole mission's against the workspace now. */
  async of(state: MissionState, todoId?: string): Promise<ChangeSet | string> {
    if (todoId !== undefined) {
      const todo = state.todos.find((t) => t.id === todoId);
      const changes = todo?.changes;
      if (!todo || !changes?.head) return `TODO ${todoId} has no recorded changes.`;
      return { title: `${todo.id}: ${todo.title}`, original: changes.base, modified: changes.head, files: changes.files.map((f) => ({ ...f })) };
    }
    const start = state.checkpoints.start;
    if (!start) return "this mission has no checkpoint to compare with (it ran before checkpoints existed, or git was missing).";
    const paths = [...new Set(state.todos.flatMap((t) => t.changes?.touched ?? []))];
    const files = paths.length ? await this.checkpoints.diff(start, "worktree", paths) : [];
    return { title: `Mission changes: ${state.mission.slice(0, 60)}`, original: start, modified: "worktree", files };
  }

  read(checkpoint: string, path: string): Promise<Buffer | undefined> {
    return this.checkpoints.read(checkpoint, path);
  }

  revert(state: MissionState, todoId: string | undefined, force: boolean): Promise<RevertOutcome> {
    return revertChanges(this.store, this.checkpoints, state, todoId, force);
  }

  undo(state: MissionState, force: boolean): Promise<RevertOutcome> {
    return undoRevert(this.store, this.checkpoints, state, force);
  }
}
