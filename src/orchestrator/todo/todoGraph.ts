/**
 * The mission's TODO graph: which TODOs are ready, and in what order to start them (longest
 * remaining path first, so the critical chain never waits behind short side tasks).
 */
import type { TodoState } from "../domain/state";
import { failedOrBlocked } from "../domain/todoStatus";
import type { FileLocks } from "./fileLocks";

/** TODOs that still count: a replaced TODO left the graph. */
const live = (todos: readonly TodoState[]) => todos.filter((t) => t.status !== "replaced");
/** Done, or skipped by the user: nothing more will happen to it. */
export const isFinishedStatus = (status: string | undefined) => status === "done" || status === "skipped";
export const isFinished = (todo: Pick<TodoState, "status"> | undefined) => isFinishedStatus(todo?.status);

export class TodoGraph {
  private readonly byId: Map<string, TodoState>;
  private readonly dependents = new Map<string, string[]>();
  private readonly depth = new Map<string, number>();

  constructor(private readonly todos: readonly TodoState[]) {
    this.byId = new Map(live(todos).map((t) => [t.id, t]));
    for (const t of this.byId.values()) {
      for (const dep of t.dependsOn) {
        const list = this.dependents.get(dep) ?? [];
        list.push(t.id);
        this.dependents.set(dep, list);
      }
    }
  }

  get(id: string): TodoState | undefined {
    return this.byId.get(id);
  }

  /** Length of the longest chain of not-done TODOs that starts here (this TODO included). */
  remainingPath(id: string): number {
    const cached = this.depth.get(id);
    if (cached !== undefined) return cached;
    // Iterative post-order: a 10,000-TODO chain must not overflow the stack.
    const stack: Array<{ id: string; expanded: boolean }> = [{ id, expanded: false }];
    while (stack.length) {
      const top = stack[stack.length - 1] as { id: string; expanded: boolean };
      if (this.depth.has(top.id)) {
        stack.pop();
        continue;
      }
      const next = this.dependents.get(top.id) ?? [];
      if (!top.expanded) {
        top.expanded = true;
        for (const d of next) if (!this.depth.has(d)) stack.push({ id: d, expanded: false });
        continue;
      }
      stack.pop();
      const self = isFinished(this.byId.get(top.id)) ? 0 : 1;
      this.depth.set(top.id, self + Math.max(0, ...next.map((d) => this.depth.get(d) ?? 0)));
    }
    return this.depth.get(id) ?? 0;
  }

  dependenciesDone(todo: TodoState): boolean {
    return todo.dependsOn.every((dep) => isFinished(this.byId.get(dep)));
  }

  /** Pending TODOs whose dependencies are done and whose files are free, best first. */
  ready(locks?: FileLocks): TodoState[] {
    return live(this.todos)
      .filter((t) => t.status === "pending" && this.dependenciesDone(t) && (!locks || locks.canAcquire(t.files, t.id)))
      .sort((a, b) => this.remainingPath(b.id) - this.remainingPath(a.id) || this.todos.indexOf(a) - this.todos.indexOf(b));
  }

  /** Every live TODO is done (or skipped). */
  allDone(): boolean {
    return live(this.todos).every(isFinished);
  }

  /** Pending TODOs that can never become ready because a dependency is blocked or failed for good. */
  stuck(): TodoState[] {
    const dead = new Set(live(this.todos).filter((t) => failedOrBlocked(t.status)).map((t) => t.id));
    let grew = true;
    while (grew) {
      grew = false;
      for (const t of this.byId.values()) {
        if (!dead.has(t.id) && !isFinished(t) && t.dependsOn.some((d) => dead.has(d))) {
          dead.add(t.id);
          grew = true;
        }
      }
    }
    return live(this.todos).filter((t) => dead.has(t.id) && t.status === "pending");
  }
}
