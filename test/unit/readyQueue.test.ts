import assert from "node:assert/strict";
import { test } from "node:test";
import type { TodoState, TodoStatus } from "../../src/orchestrator/domain/state";
import { setTodoStatus } from "../../src/orchestrator/domain/transitions";
import { FileLocks } from "../../src/orchestrator/todo/fileLocks";
import { ReadyQueue } from "../../src/orchestrator/todo/readyQueue";

const t = (id: string, dependsOn: string[] = [], files: string[] = [], status: TodoStatus = "pending"): TodoState => ({ id, title: id, description: "", files, dependsOn, acceptance: "", kind: "code", status, attempts: 0, sessions: [], reviewIssues: [], history: [] });
const move = (q: ReadyQueue, todo: TodoState, to: TodoStatus) => q.statusChanged(todo, setTodoStatus(todo, to));

test("starts the longest chain first, then plan order; dependents become ready as TODOs finish", () => {
  const a = t("A"), b = t("B", ["A"]), c = t("C"), d = t("D", ["B"]);
  const q = new ReadyQueue([a, b, c, d]);
  const locks = new FileLocks();
  assert.equal(q.next(locks)?.id, "A", "A heads the chain A → B → D");
  move(q, a, "running");
  assert.equal(q.next(locks)?.id, "C");
  assert.equal(q.next(locks), undefined, "B waits for A");
  move(q, a, "review");
  assert.equal(q.next(locks), undefined, "B waits on A's verdict");
  move(q, a, "done");
  assert.equal(q.next(locks)?.id, "B");
});

test("a TODO whose files are held waits and is offered again when they are free", () => {
  const x = t("X", [], ["shared.ts"]), y = t("Y", [], ["shared.ts"]);
  const q = new ReadyQueue([x, y]);
  const locks = new FileLocks();
  const first = q.next(locks)!;
  locks.tryAcquire(first.id, first.files);
  move(q, first, "running");
  assert.equal(q.next(locks), undefined);
  locks.release(first.id);
  assert.equal(q.next(locks)?.id, "Y");
});

test("retry and skip move TODOs back in and let dependents go; stale entries are dropped", () => {
  const a = t("A"), b = t("B", ["A"]);
  const q = new ReadyQueue([a, b]);
  const locks = new FileLocks();
  q.next(locks);
  move(q, a, "running");
  move(q, a, "failed");
  assert.equal(q.next(locks), undefined);
  move(q, a, "skipped");
  assert.equal(q.next(locks)?.id, "B", "a skipped dependency counts as finished");
  move(q, a, "pending"); // retry of the skipped TODO
  assert.equal(q.next(locks)?.id, "A");
  move(q, b, "running");
  assert.equal(q.next(locks), undefined);
});

test("TODOs added by a replan join the queue, depending on existing ones", () => {
  const a = t("A", [], [], "done");
  const q = new ReadyQueue([a]);
  const n = t("N", ["A"]);
  q.add([n]);
  assert.equal(q.next(new FileLocks())?.id, "N");
});
