import assert from "node:assert/strict";
import { test } from "node:test";
import type { PlannedTodo } from "../../src/orchestrator/domain/schemas";
import type { TodoState } from "../../src/orchestrator/domain/state";
import { FileLocks } from "../../src/orchestrator/todo/fileLocks";
import { findCycle, planProblems } from "../../src/orchestrator/todo/planValidation";
import { TodoGraph } from "../../src/orchestrator/todo/todoGraph";
import { workspacePath } from "../../src/orchestrator/todo/workspacePath";

const planned = (id: string, dependsOn: string[] = [], files: string[] = []): PlannedTodo => ({ id, title: id, description: "", files, dependsOn, acceptance: "ok", kind: "code" });
const state = (id: string, status: TodoState["status"], dependsOn: string[] = [], files: string[] = []): TodoState => ({ ...planned(id, dependsOn, files), status, attempts: 0, sessions: [], reviewIssues: [], history: [] });

test("a valid plan has no problems", () => {
  assert.deepEqual(planProblems([planned("A"), planned("B", ["A"]), planned("C", ["A", "B"])]), []);
});

test("bad plans are described exactly", () => {
  assert.deepEqual(planProblems([]), ["The plan has no TODOs."]);
  assert.deepEqual(planProblems([planned("A"), planned("A")]), ['TODO id "A" is used more than once.']);
  assert.deepEqual(planProblems([planned("A", ["Z"])]), ['TODO id "A" depends on unknown TODO "Z".'.replace('TODO id "A"', 'TODO "A"')]);
  assert.deepEqual(planProblems([planned("A", ["A"])]), ['TODO "A" depends on itself.']);
  assert.deepEqual(planProblems([planned("A", ["C"]), planned("B", ["A"]), planned("C", ["B"])]), ["The dependencies form a cycle: A → C → B → A."]);
});

test("a replan may depend on existing TODOs but not reuse their ids", () => {
  const existing = new Set(["A", "B"]);
  assert.deepEqual(planProblems([planned("C", ["A"])], existing), []);
  assert.deepEqual(planProblems([planned("B")], existing), ['TODO id "B" already exists in the mission; choose a new id.']);
});

test("cycle search survives a long chain without recursion limits", () => {
  const chain = Array.from({ length: 20_000 }, (_, i) => planned(`T${i}`, i ? [`T${i - 1}`] : []));
  assert.equal(findCycle(chain), undefined);
});

test("ready TODOs: dependencies done, files free, longest remaining path first", () => {
  const todos = [state("A", "done"), state("B", "pending", ["A"]), state("C", "pending", ["A"]), state("D", "pending", ["C"]), state("E", "pending", ["X"]), state("X", "running")];
  const graph = new TodoGraph(todos);
  assert.deepEqual(graph.ready().map((t) => t.id), ["C", "B"], "C leads a longer chain (C → D)");
  assert.equal(graph.remainingPath("A"), 2);
  const locks = new FileLocks();
  todos[2]!.files = ["src/c.ts"];
  locks.tryAcquire("other", ["./src//c.ts"]);
  assert.deepEqual(new TodoGraph(todos).ready(locks).map((t) => t.id), ["B"], "a held file keeps C waiting");
});

test("blocked TODOs make their dependents stuck; replaced ones leave the graph", () => {
  const todos = [state("A", "blocked"), state("B", "pending", ["A"]), state("C", "pending", ["B"]), state("D", "pending"), state("Z", "replaced")];
  const graph = new TodoGraph(todos);
  assert.deepEqual(graph.stuck().map((t) => t.id), ["B", "C"]);
  assert.equal(graph.allDone(), false);
  assert.equal(new TodoGraph([state("A", "done"), state("Z", "replaced")]).allDone(), true);
});

test("file locks are all-or-nothing and released per TODO", () => {
  const locks = new FileLocks();
  assert.ok(locks.tryAcquire("A", ["a", "b"]));
  assert.ok(!locks.tryAcquire("B", ["c", "b"]));
  assert.equal(locks.holderOf("c"), undefined, "nothing of a failed acquire is kept");
  locks.release("A");
  assert.ok(locks.tryAcquire("B", ["c", "b"]));
  assert.equal(locks.size, 2);
});

test("remaining path of a 10,000-long chain is computed without stack overflow", () => {
  const todos = Array.from({ length: 10_000 }, (_, i) => state(`T${i}`, "pending", i ? [`T${i - 1}`] : []));
  assert.equal(new TodoGraph(todos).remainingPath("T0"), 10_000);
});

test("one file spelled two ways is one file to the locks", () => {
  assert.equal(workspacePath("src/./x.js", undefined, false), "src/x.js");
  assert.equal(workspacePath("./src//a/../x.js/", undefined, false), "src/x.js");
  assert.equal(workspacePath("src\\x.js", undefined, false), "src/x.js");
  assert.equal(workspacePath("/w/src/x.js", "/w", false), "src/x.js");
  assert.equal(workspacePath("SRC/X.js", undefined, true), "src/x.js", "folded where the file system folds case");
  assert.equal(workspacePath("SRC/X.js", undefined, false), "SRC/X.js");
  const locks = new FileLocks("/w");
  assert.ok(locks.tryAcquire("A", ["src/./x.js"]));
  for (const spelling of ["src/x.js", "./src//x.js", "src/a/../x.js", "/w/src/x.js"]) assert.equal(locks.canAcquire([spelling]), false, spelling);
  locks.release("A");
  assert.ok(locks.canAcquire(["src/x.js"]));
});
