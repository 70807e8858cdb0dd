/** The read model every surface renders: counts computed once, and what the user may do with each TODO. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { TodoStatus, type MissionState, type TodoState } from "../../src/orchestrator/domain/state";
import { canRetry, canRevert, canRevertMission, canSkip } from "../../src/orchestrator/domain/transitions";
import { MissionView } from "../../src/orchestrator/host/missionView";
import { canResume, missionReverted, todoModel } from "../../src/orchestrator/host/readModel";
import { missionSummary } from "../../src/orchestrator/host/missionHistory";
import { modelLine, type TodoModel } from "../../src/shared/mission";
import { missionNode, todoNode } from "../../src/extension/viewModels/treeModels";

const todo = (id: string, status: TodoState["status"]): TodoState => ({ id, title: id, description: "", files: [`${id}.ts`], dependsOn: [], acceptance: "ok", kind: "code", status, attempts: 1, sessions: [], reviewIssues: [], history: [{ at: 1, status }] });

function mission(status: MissionState["status"], todos: TodoState[]): MissionState {
  return { version: 1, id: "m1", mission: "Build it", createdAt: 1, updatedAt: 2, status, iteration: 1, roundsWithoutProgress: 0, todos, syncIssues: [], integrationChecked: false, usage: { inputTokens: 0, outputTokens: 0, cost: 0, turns: 0 }, usageByRole: {}, checkpoints: {}, reverts: [], journalSeq: 0 };
}

test("while only the Reviewer works, every surface says one session runs (the status bar said 0 beside the Sessions view's 1)", () => {
  const view = new MissionView();
  const state = mission("running", [todo("A", "done"), todo("B", "review"), todo("C", "skipped")]);
  view.show(state, { phase: "running", demo: false });
  view.applyMission({ type: "turn.started", missionId: "m1", role: "reviewer", sessionId: "ses_r", todoIds: ["B"] });
  const m = view.model;
  assert.equal(m.counts.runningTodos, 0, "no TODO is running");
  assert.equal(m.counts.runningSessions, 1, "but the Reviewer is");
  assert.equal(m.progress, "2/3 done (1 skipped) · 1 running", "done and skipped both finished, one progress line");
  assert.equal(missionNode(m).description, "running · 2/3 done (1 skipped) · 1 running", "the tree shows the same line");
  assert.equal(m.todos.find((t) => t.id === "B")?.role, "reviewer");
});

test("an update names exactly the TODOs that changed; a new TODO or a replaced one changes the shape", () => {
  const view = new MissionView();
  const state = mission("running", [todo("A", "pending"), todo("B", "pending")]);
  view.show(state, { phase: "running", demo: false });
  const updates: Array<{ shape: boolean; todos: readonly string[] }> = [];
  view.updates.on((u) => updates.push({ shape: u.shapeChanged, todos: u.todoIds }));
  (state.todos[0] as TodoState).status = "running";
  view.applyMission({ type: "todo.status", missionId: "m1", todoId: "A", from: "pending", to: "running" });
  (state.todos[1] as TodoState).status = "replaced";
  view.applyMission({ type: "todo.status", missionId: "m1", todoId: "B", from: "pending", to: "replaced" });
  view.applyMission({ type: "todo.status", missionId: "another", todoId: "A", from: "running", to: "done" });
  assert.deepEqual(updates, [{ shape: false, todos: ["A"] }, { shape: true, todos: ["B"] }], "another mission's event changes nothing");
  assert.deepEqual(view.model.todos.map((t) => `${t.id}:${t.status}`), ["A:running"]);
});

test("a mission finished for good offers neither Resume nor Retry nor Skip on any TODO", () => {
  for (const status of ["sealed", "failed"] as const) {
    const view = new MissionView();
    view.show(mission(status, [todo("A", "done"), todo("B", "failed"), todo("C", "pending")]), { phase: status === "sealed" ? "done" : "failed", demo: false });
    assert.equal(view.model.resumable, false, status);
    assert.ok(view.model.todos.every((t) => !t.canRetry && !t.canSkip), `${status}: no TODO action`);
  }
  const stopped = new MissionView();
  stopped.show(mission("stopped", [todo("B", "failed")]), { phase: "stopped", demo: false });
  assert.equal(stopped.model.resumable, true);
  assert.deepEqual(stopped.model.todos.map((t) => [t.canRetry, t.canSkip]), [[true, true]]);
});

/** The regex of a `viewItem =~ /…/` when clause. */
function menuRegex(when: string): RegExp {
  const match = /viewItem =~ \/(.+)\/$/.exec(when);
  assert.ok(match, when);
  return new RegExp(match[1] as string);
}

test("the TODO menus offer Retry and Skip exactly where the core allows them, in every state", () => {
  const pkg = JSON.parse(readFileSync(join(__dirname, "..", "..", "package.json"), "utf8"));
  const items: Array<{ command: string; when: string; group: string }> = pkg.contributes.menus["view/item/context"];
  const offered = (command: string, contextValue: string) => items.filter((i) => i.command === command && !i.group.startsWith("inline")).some((i) => menuRegex(i.when).test(contextValue));
  for (const status of TodoStatus.options.filter((s) => s !== "replaced")) {
    const t = todo("T", status);
    const node = todoNode("m1", todoModel(t, true, () => undefined));
    assert.equal(offered("orchestrator.retryTodo", node.contextValue), canRetry(t), `Retry on a ${status} TODO`);
    assert.equal(offered("orchestrator.skipTodo", node.contextValue), canSkip(t), `Skip on a ${status} TODO`);
  }
});

test("the views are copies made when an event names the change: nothing handed out is the Commander's live state", () => {
  const view = new MissionView();
  const state = mission("running", [todo("A", "pending"), todo("B", "pending")]);
  view.show(state, { phase: "running", demo: false });
  const shown = view.model;
  (state.todos[0] as TodoState).status = "running";
  state.usage.cost = 5;
  view.applyMission({ type: "todo.status", missionId: "m1", todoId: "A", from: "pending", to: "running" });
  // The Commander goes on changing its state; until an event names the change, the views keep what the last one said.
  state.usage.cost = 7;
  state.status = "stopped";
  (state.todos[0] as TodoState).files.push("later.ts");
  const model = view.model;
  assert.equal(model.cost, 5, "the cost as of the last event");
  assert.equal(model.status, "running");
  assert.deepEqual(model.todos.find((t) => t.id === "A")?.files, ["A.ts"], "a TODO's lists are its own");
  assert.equal(model.todos.find((t) => t.id === "A")?.status, "running");
  assert.deepEqual(shown.todos.map((t) => t.status), ["pending", "pending"], "a model handed out earlier is not changed under its reader");
  view.applyMission({ type: "mission.status", missionId: "m1", status: "stopped" });
  assert.equal(view.model.status, "stopped");
  assert.equal(view.model.cost, 7);
});

test("Revert is offered exactly where Revert acts: a mission whose only change is a replaced TODO's offers none", () => {
  const changed = (id: string, status: TodoState["status"]): TodoState => ({ ...todo(id, status), changes: { base: "c0", head: "c1", files: [{ path: `${id}.ts`, status: "modified", added: 1, removed: 0, binary: false }], touched: [`${id}.ts`] } });
  for (const [todos, expected] of [
    [[changed("A", "replaced"), todo("B", "done")], false],
    [[changed("A", "done"), todo("B", "done")], true],
    [[changed("A", "reverted")], false],
  ] as const) {
    const state = { ...mission("sealed", [...todos]), checkpoints: { start: "c0", end: "c1" } };
    const view = new MissionView();
    view.show(state, { phase: "done", demo: false });
    assert.equal(view.model.canRevert, canRevertMission(state), todos.map((t) => t.status).join(", "));
    assert.equal(view.model.canRevert, expected);
    for (const t of state.todos.filter((x) => x.status !== "replaced")) assert.equal(view.model.todos.find((m) => m.id === t.id)?.canRevert, canRevert(t), `${t.id}: the TODO's own rule`);
  }
});

test("after a reload mid-mission nothing says running: the mission and its running TODO are interrupted, resumable; the Missions view agrees", () => {
  const state = mission("running", [todo("A", "done"), todo("B", "running")]);
  const view = new MissionView();
  view.show(state, { phase: "stopped", demo: false });
  const m = view.model;
  assert.equal(m.status, "interrupted");
  assert.equal(m.resumable, true);
  assert.deepEqual(m.todos.map((t) => `${t.id}:${t.status}`), ["A:done", "B:interrupted"]);
  assert.equal(m.counts.runningTodos, 0);
  assert.equal(todoNode("m1", m.todos[1] as TodoModel).icon.id, "debug-pause", "no spinner");
  assert.match(missionNode(m).description ?? "", /^interrupted · resumable · 1\/2 done/);
  assert.equal(missionSummary(state).status, "interrupted");
  assert.equal(missionSummary(state, undefined, true).status, "running", "the mission a Commander runs now is running");
  // While it runs again, it is running.
  view.setFacts({ phase: "running" });
  assert.equal(view.model.status, "running");
  assert.equal(view.model.todos[1]?.status, "running");
});

test("the sessions a reload cut off end where their run's journal ends, not when the mission was next saved or resumed", () => {
  const state = { ...mission("running", [todo("A", "running")]), updatedAt: 90_000 };
  const view = new MissionView();
  const history = [
    { at: 1_000, event: { type: "mission.started", missionId: "m1", mission: "Build it", resumed: false } },
    { at: 2_000, event: { type: "turn.started", missionId: "m1", role: "worker", sessionId: "ses_a", todoIds: ["A"] } },
    { at: 5_000, event: { type: "todo.status", missionId: "m1", todoId: "A", from: "pending", to: "running" } },
    // The window went away here; 60 s later the user resumed (and the state was saved on the way).
    { at: 65_000, event: { type: "mission.started", missionId: "m1", mission: "Build it", resumed: true } },
    { at: 66_000, event: { type: "turn.started", missionId: "m1", role: "worker", sessionId: "ses_b", todoIds: ["A"] } },
  ];
  view.show(state, { phase: "stopped", demo: false }, history);
  const a = view.session("ses_a");
  assert.equal(a?.status, "aborted");
  assert.equal(a?.endedAt, 5_000, "ends at its run's last journal line");
  assert.equal(view.session("ses_b")?.endedAt, 66_000, "the last run's session ends at the journal's end");
});

test("Stop is said at once (stopping…, no Stop button's model), and a stop reason from before a resume is not shown while the mission runs", () => {
  const state = { ...mission("planning", []), stopReason: "stopped by the user" };
  const view = new MissionView();
  view.show(state, { phase: "running", demo: false });
  assert.equal(view.model.stopReason, undefined, "a stale reason is not why anything is as it is now");
  view.setFacts({ stopping: true });
  assert.equal(view.model.status, "stopping");
  assert.equal(view.model.progress, "stopping…");
  assert.equal(missionNode(view.model).description, "stopping…");
  state.status = "stopped";
  view.setFacts({ phase: "stopped", stopping: false });
  assert.equal(view.model.status, "stopped");
  assert.equal(view.model.stopReason, "stopped by the user");
});

test("a reverted mission is shown as reverted: Undo Revert is its action, not Resume; its checks' marks are stale", () => {
  const reverted = (t: TodoState): TodoState => ({ ...t, checkResult: { command: "npm test", status: "passed", exitCode: 0, tail: "", startedAt: 1 } as TodoState["checkResult"] });
  const state = mission("stopped", [reverted(todo("A", "reverted")), reverted(todo("B", "reverted"))]);
  state.reverts.push({ id: "R1-ab", at: 3, todoIds: ["A", "B"], mission: true, files: ["A.ts", "B.ts"], before: "c".repeat(40), statuses: { A: "done", B: "done" }, missionStatus: "sealed", undone: false });
  state.checkResult = { command: "npm test", status: "passed", exitCode: 0, tail: "", startedAt: 1 } as MissionState["checkResult"];
  const view = new MissionView();
  view.show(state, { phase: "stopped", demo: false });
  const m = view.model;
  assert.equal(m.status, "reverted");
  assert.equal(m.resumable, false, "Resume would redo what the user took out");
  assert.equal(m.canUndoRevert, true);
  assert.ok(m.todos.every((t) => t.canRetry), "a TODO can still be redone, one by one");
  assert.ok(m.todos.every((t) => t.check?.stale), "no ✓ for changes that are gone");
  assert.equal(m.check?.stale, true);
  assert.doesNotMatch(todoNode("m1", m.todos[0] as TodoModel).description ?? "", /✓/);
  assert.match(todoNode("m1", m.todos[0] as TodoModel).description ?? "", /check stale \(reverted\)/);
  assert.equal(missionSummary(state).status, "reverted");
  assert.equal(missionSummary(state).resumable, false);
  assert.equal(canResume(state), false);
  // One TODO retried since: the mission is no longer the user's revert alone; Resume goes on.
  (state.todos[0] as TodoState).status = "pending";
  assert.equal(missionReverted(state), false);
  // A TODO's revert alone: the mission stays resumable (Retry or Skip it).
  const one = mission("stopped", [todo("A", "reverted"), todo("B", "done")]);
  one.reverts.push({ id: "R1-cd", at: 3, todoIds: ["A"], mission: false, files: ["A.ts"], before: "c".repeat(40), statuses: { A: "done" }, missionStatus: "sealed", undone: false });
  assert.equal(missionReverted(one), false);
});

test("one model line: the demo model is named as such after a reload too; the pick lists OpenCode's default once", () => {
  const state = { ...mission("sealed", [todo("A", "done")]), model: "orchestrator-demo/scripted" };
  const view = new MissionView();
  view.show(state, { phase: "done", demo: false });
  assert.equal(view.model.demo, true);
  assert.equal(modelLine(view.model), "demo model");
  assert.doesNotMatch(missionNode(view.model).description ?? "", /orchestrator-demo/);
  assert.equal(missionSummary(state).model, "demo model");
  const real = new MissionView();
  real.show({ ...state, model: "acme/coder" }, { phase: "done", demo: false });
  assert.equal(modelLine(real.model), "acme/coder");
  assert.match(missionNode(real.model).description ?? "", /acme\/coder/);
});
