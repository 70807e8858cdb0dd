import assert from "node:assert/strict";
import { test } from "node:test";
import type { PlannedTodo } from "../../src/orchestrator/domain/schemas";
import type { TodoState } from "../../src/orchestrator/domain/state";
import { FileLocks } from "../../src/orchestrator/todo/fileLocks";
import { findCycle, planProblems, repairPlan } from "../../src/orchestrator/todo/planValidation";
import { freshTodoId } from "../../src/orchestrator/domain/ids";
import { TodoGraph } from "../../src/orchestrator/todo/todoGraph";
import { workspacePath } from "../../src/orchestrator/workspace/workspacePath";

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

test("a replan that reuses ids is repaired, not sent back: fresh ids, and the plan's dependencies follow them", () => {
  const existingIds = new Set(["L1", "L2", "L3", "L4", "D", "E"]);
  const replacedIds = new Set(["L1", "L2", "L3", "L4"]);
  const { todos, renamed, problems } = repairPlan([planned("L1"), planned("L2", ["L1"]), planned("N", ["L1", "E", "D"]), planned("L3", ["L3"]), planned("D", ["D"])], { existingIds, replacedIds });
  assert.deepEqual(problems, []);
  assert.deepEqual([...renamed], [["L1", "L1.2"], ["L2", "L2.2"], ["L3", "L3.2"], ["D", "D.2"]]);
  assert.deepEqual(
    todos.map((t) => `${t.id}<-${t.dependsOn.join(",")}`),
    [
      "L1.2<-",
      "L2.2<-L1.2", // a dependency on a reused id means the new TODO of that plan
      "N<-L1.2,E,D.2", // E is not in the plan: the existing TODO; D is, so the new one
      "L3.2<-", // its own reused id names the TODO it replaces: dropped
      "D.2<-D", // its own reused id, not replaced: the old D (a TODO cannot wait for itself)
    ],
  );
});

test("what a replan cannot repair goes back, in the Planner's own ids", () => {
  const context = { existingIds: new Set(["L1", "L4"]), replacedIds: new Set(["L1", "L4"]) };
  assert.deepEqual(repairPlan([planned("L1", ["X"]), planned("L1")], context).problems, [
    // Used twice: which of the two would a dependency on it mean? Not guessed.
    'TODO id "L1" already exists in the mission; choose a new id.',
    'TODO id "L1" is used more than once.',
    'TODO id "L1" already exists in the mission; choose a new id.',
    'TODO "L1" depends on unknown TODO "X".',
  ]);
  assert.deepEqual(repairPlan([planned("A", ["L4"])], context).problems, ['TODO "A" depends on "L4", which this replan replaces: depend on the new TODO that takes its place, or on none.']);
  assert.deepEqual(repairPlan([planned("L1", ["B"]), planned("B", ["L1"])], context).problems, ["The dependencies form a cycle: L1 → B → L1."]);
});

test("fresh ids: the next free number after the id, within the 40 characters an id may have", () => {
  assert.equal(freshTodoId("L1", new Set(["L1"])), "L1.2");
  assert.equal(freshTodoId("L1", new Set(["L1", "L1.2", "L1.3"])), "L1.4");
  assert.equal(freshTodoId("L1.2", new Set(["L1.2"])), "L1.3", "a renamed id renamed again counts on");
  const long = "x".repeat(40);
  assert.equal(freshTodoId(long, new Set([long])), `${"x".repeat(38)}.2`);
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

test("a TODO's own files are free to it: sent back, it starts again with the files it kept", () => {
  const locks = new FileLocks();
  assert.ok(locks.tryAcquire("A", ["a", "b"]));
  assert.ok(locks.canAcquire(["a", "b"], "A"));
  assert.ok(!locks.canAcquire(["a"], "B"));
  assert.ok(!locks.canAcquire(["a"]));
  assert.ok(locks.tryAcquire("A", ["a", "b", "c"]));
  assert.deepEqual(new TodoGraph([state("A", "pending", [], ["a"]), state("B", "pending", [], ["b"])]).ready(locks).map((t) => t.id), ["A"]);
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
