/**
 * Incremental readiness for the Commander's loop: counts of unfinished dependencies per TODO and
 * a heap of the TODOs that can start, best first (longest remaining path, then plan order). Each
 * status change costs O(dependents · log n) instead of a scan of the whole graph, which keeps a
 * 10,000-TODO mission's scheduling linear-ish (see docs/benchmarks.md).
 */
import type { TodoState, TodoStatus } from "../domain/state";
import type { FileLocks } from "./fileLocks";
import { isFinished, isFinishedStatus, TodoGraph } from "./todoGraph";

interface Entry {
  todo: TodoState;
  priority: number;
  order: number;
}

export class ReadyQueue {
  private readonly byId = new Map<string, TodoState>();
  private readonly dependents = new Map<string, string[]>();
  private readonly unmet = new Map<string, number>();
  private readonly priority = new Map<string, number>();
  private readonly order = new Map<string, number>();
  private heap: Entry[] = [];
  /** TODOs waiting for a review verdict. */
  readonly inReview = new Set<TodoState>();
  /** TODOs whose files kept a ready TODO from starting, as of the last `next` that found none: it waits for their verdict. */
  heldUpBy: ReadonlySet<string> = new Set();

  constructor(todos: readonly TodoState[]) {
    this.add(todos);
  }

  /** Adds TODOs (a plan or a replan) and recomputes priorities. */
  add(todos: readonly TodoState[]): void {
    for (const t of todos) {
      this.byId.set(t.id, t);
      this.order.set(t.id, this.order.size);
      for (const dep of t.dependsOn) {
        const list = this.dependents.get(dep) ?? [];
        list.push(t.id);
        this.dependents.set(dep, list);
      }
    }
    for (const t of todos) this.unmet.set(t.id, t.dependsOn.filter((d) => !isFinished(this.byId.get(d))).length);
    const graph = new TodoGraph([...this.byId.values()]);
    for (const id of this.byId.keys()) this.priority.set(id, graph.remainingPath(id));
    this.heap = [];
    for (const t of this.byId.values()) {
      if (t.status === "review") this.inReview.add(t);
      if (this.startable(t)) this.push(t);
    }
  }

  /** Call after a TODO's status changed from `from`. */
  statusChanged(todo: TodoState, from: TodoStatus): void {
    const wasFinished = isFinishedStatus(from);
    const finished = isFinished(todo);
    if (finished !== wasFinished) {
      for (const id of this.dependents.get(todo.id) ?? []) {
        const count = (this.unmet.get(id) ?? 0) + (finished ? -1 : 1);
        this.unmet.set(id, count);
        const dependent = this.byId.get(id);
        if (dependent && this.startable(dependent)) this.push(dependent);
      }
    }
    if (todo.status === "review") this.inReview.add(todo);
    else this.inReview.delete(todo);
    if (this.startable(todo)) this.push(todo);
  }

  /** The best TODO that can start now with its files free, or undefined. */
  next(locks: FileLocks): TodoState | undefined {
    const lockedOut: Entry[] = [];
    let found: TodoState | undefined;
    while (this.heap.length) {
      const entry = this.pop();
      if (!this.startable(entry.todo)) continue; // stale: its status moved on since it was queued
      if (!locks.canAcquire(entry.todo.files, entry.todo.id)) {
        lockedOut.push(entry);
        continue;
      }
      found = entry.todo;
      break;
    }
    for (const entry of lockedOut) this.pushEntry(entry);
    if (!found) this.heldUpBy = new Set(lockedOut.flatMap((e) => e.todo.files.map((f) => locks.holderOf(f) ?? "")).filter(Boolean));
    return found;
  }

  private startable(t: TodoState): boolean {
    return t.status === "pending" && (this.unmet.get(t.id) ?? 0) === 0;
  }

  private push(todo: TodoState): void {
    this.pushEntry({ todo, priority: this.priority.get(todo.id) ?? 0, order: this.order.get(todo.id) ?? 0 });
  }

  private static before(a: Entry, b: Entry): boolean {
    return a.priority > b.priority || (a.priority === b.priority && a.order < b.order);
  }

  private pushEntry(entry: Entry): void {
    const h = this.heap;
    h.push(entry);
    for (let i = h.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (!ReadyQueue.before(h[i] as Entry, h[parent] as Entry)) break;
      [h[i], h[parent]] = [h[parent] as Entry, h[i] as Entry];
      i = parent;
    }
  }

  private pop(): Entry {
    const h = this.heap;
    const top = h[0] as Entry;
    const last = h.pop() as Entry;
    if (h.length) {
      h[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let best = i;
        if (l < h.length && ReadyQueue.before(h[l] as Entry, h[best] as Entry)) best = l;
        if (r < h.length && ReadyQueue.before(h[r] as Entry, h[best] as Entry)) best = r;
        if (best === i) break;
        [h[i], h[best]] = [h[best] as Entry, h[i] as Entry];
        i = best;
      }
    }
    return top;
  }
}
