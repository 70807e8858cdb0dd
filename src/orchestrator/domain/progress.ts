/**
 * How far a mission is, counted one way everywhere (the report, the read model, every surface):
 * done and skipped TODOs are finished, since nothing more will happen to them; skipped ones are named.
 */
export interface TodoCounts {
  /** TODOs that count (a replaced TODO left the plan). */
  total: number;
  done: number;
  skipped: number;
  /** done + skipped: the mission's progress. */
  finished: number;
  inReview: number;
  /** failed or blocked: waiting for a replan or the user. */
  failed: number;
  runningTodos: number;
}

export function countTodos(todos: Iterable<{ status: string }>): TodoCounts {
  const c: TodoCounts = { total: 0, done: 0, skipped: 0, finished: 0, inReview: 0, failed: 0, runningTodos: 0 };
  for (const t of todos) {
    if (t.status === "replaced") continue;
    c.total++;
    if (t.status === "done") c.done++;
    else if (t.status === "skipped") c.skipped++;
    else if (t.status === "review") c.inReview++;
    else if (t.status === "running") c.runningTodos++;
    else if (t.status === "failed" || t.status === "blocked") c.failed++;
  }
  c.finished = c.done + c.skipped;
  return c;
}

/** "3/4 done (1 skipped)"; `what` names the count ("TODOs done" in a sentence). */
export function doneText(c: TodoCounts, what = "done"): string {
  return `${c.finished}/${c.total} ${what}${c.skipped ? ` (${c.skipped} skipped)` : ""}`;
}
