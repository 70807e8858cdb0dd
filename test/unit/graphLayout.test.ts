/** The TODO graph's layout: every TODO placed, dependencies left to right, laid out again only on a new shape. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { dependencies, graphShape, layoutGraph, NODE_HEIGHT, NODE_WIDTH, type GraphTodo } from "../../webview/graphLayout";

const plan: GraphTodo[] = [{ id: "T1", dependsOn: [] }, { id: "T2", dependsOn: [] }, { id: "T3", dependsOn: ["T1", "T2"] }];

test("every TODO gets a box inside the picture; a dependency is left of what waits for it, parallel TODOs share a column", () => {
  const layout = layoutGraph(plan);
  assert.deepEqual(layout.nodes.map((n) => n.id), ["T1", "T2", "T3"]);
  for (const n of layout.nodes) assert.ok(n.x >= 0 && n.y >= 0 && n.x + NODE_WIDTH <= layout.width && n.y + NODE_HEIGHT <= layout.height, `${n.id} inside`);
  const at = Object.fromEntries(layout.nodes.map((n) => [n.id, n]));
  assert.equal(at.T1?.x, at.T2?.x, "T1 and T2 can run at once: one column");
  assert.ok((at.T3?.x ?? 0) >= (at.T1?.x ?? 0) + NODE_WIDTH, "T3 comes after them");
  assert.deepEqual(layout.edges.map((e) => `${e.from}>${e.to}`), ["T1>T3", "T2>T3"]);
  for (const e of layout.edges) assert.ok(e.points.length >= 2, "an arrow has a path");
});

test("dependencies on TODOs not shown (replaced by a replan), on themselves or twice are not drawn", () => {
  assert.deepEqual(dependencies([{ id: "A", dependsOn: ["gone", "A"] }, { id: "B", dependsOn: ["A", "A"] }]), [{ from: "A", to: "B" }]);
  assert.equal(layoutGraph([{ id: "A", dependsOn: ["gone"] }]).edges.length, 0);
});

test("the shape changes with the TODOs and their dependencies, not with anything else", () => {
  const shape = graphShape(plan);
  assert.equal(graphShape(plan.map((t) => ({ ...t, status: "done", title: "renamed" }))), shape, "a status or a title: recolour only");
  assert.notEqual(graphShape([...plan, { id: "T4", dependsOn: [] }]), shape, "a TODO added");
  assert.notEqual(graphShape([plan[0] as GraphTodo, plan[1] as GraphTodo, { id: "T3", dependsOn: ["T1"] }]), shape, "a dependency dropped");
});

test("a large plan (200 TODOs) is laid out whole with no two boxes overlapping", () => {
  const todos: GraphTodo[] = Array.from({ length: 200 }, (_, i) => ({ id: `T${i}`, dependsOn: i < 20 ? [] : [`T${i - 20}`, `T${i % 7}`] }));
  const layout = layoutGraph(todos);
  assert.equal(layout.nodes.length, 200);
  assert.equal(layout.edges.length, dependencies(todos).length);
  const overlap = (a: { x: number; y: number }, b: { x: number; y: number }) => Math.abs(a.x - b.x) < NODE_WIDTH && Math.abs(a.y - b.y) < NODE_HEIGHT;
  for (const [i, a] of layout.nodes.entries()) for (const b of layout.nodes.slice(i + 1)) assert.ok(!overlap(a, b), `${a.id} and ${b.id} overlap`);
});

test("an empty plan is an empty picture of the minimum size", () => {
  const layout = layoutGraph([]);
  assert.deepEqual([layout.nodes, layout.edges], [[], []]);
});
