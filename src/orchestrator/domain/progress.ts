/**
 * How far a mission is, counted one way everywhere (the report, the read model, every surface):
 * done and skipped TODOs are finished, since nothing more will happen to them; skipped ones are named.
 * The counts' shape and their wording are the contract's (src/shared/mission.ts).
 */
import type { TodoCounts } from "../../shared/mission";
import { failedOrBlocked } from "./todoStatus";

export { doneText, type TodoCounts } from "../../shared/mission";

export function countTodos(todos: Iterable<{ status: string }>): TodoCounts {
  const c: TodoCounts = { total: 0, done: 0, skipped: 0, finished: 0, inReview: 0, failed: 0, runningTodos: 0 };
  for (const t of todos) {
    if (t.status === "replaced") continue;
    c.total++;
    if (t.status === "done") c.done++;
    else if (t.status === "skipped") c.skipped++;
    else if (t.status === "review") c.inReview++;
    else if (t.status === "running") c.runningTodos++;
    else if (failedOrBlocked(t.status)) c.failed++;
  }
  c.finished = c.done + c.skipped;
  return c;
}
