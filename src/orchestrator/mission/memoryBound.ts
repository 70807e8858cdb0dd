/**
 * The memory bound of a long mission: at most maxTasksInMemory closed TODO records stay whole.
 * Older ones go to archive/ (where they stay readable) and a stub stays in the state, enough for
 * the graph, the views and resume.
 */
import type { MissionState, TodoState } from "../domain/state";
import { isFinished } from "../todo/todoGraph";
import type { MissionStore } from "./missionStore";

/** Finished, or replaced by a replan: its record can leave memory. */
export const isClosed = (todo: TodoState) => isFinished(todo) || todo.status === "replaced";

export class MemoryBound {
  /** Closed TODOs whose full record is still in memory, oldest first. */
  private readonly whole: TodoState[] = [];

  constructor(
    private readonly state: MissionState,
    private readonly store: Pick<MissionStore, "archive" | "archived">,
    private readonly maxTasksInMemory: number,
  ) {}

  /** Call when a TODO closed: the oldest records past the bound are archived. */
  closed(todo: TodoState): void {
    this.whole.push(todo);
    if (this.whole.length <= this.maxTasksInMemory) return;
    // A record reopened since (a user's Retry) is no longer closed: it stays whole.
    const old = this.whole.splice(0, this.whole.length - this.maxTasksInMemory).filter(isClosed);
    this.store.archive(this.state, old);
    for (const t of old) {
      t.archived = true;
      t.description = "";
      t.acceptance = "";
      t.reviewIssues = [];
      t.sessions = [];
      t.history = t.history.slice(-1);
      if (t.report) t.report = { ...t.report, summary: t.report.summary.slice(0, 200), checksRun: [], notes: "", filesChanged: [] };
    }
  }

  /** Brings a stub's full record back before the user edits it. */
  restore(todo: TodoState | undefined): void {
    if (todo?.archived) Object.assign(todo, this.store.archived(this.state.id, todo.id) ?? {}, { archived: false });
  }
}
