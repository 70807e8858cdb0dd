/** Revert and its undo on real checkpoints of a temp folder: what is put back, what changes state, what is refused. */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { CheckpointStore } from "../../src/orchestrator/changes/checkpointStore";
import type { TodoState } from "../../src/orchestrator/domain/state";
import { canRevert, canRevertMission, retryTodo } from "../../src/orchestrator/domain/transitions";
import { MissionStore } from "../../src/orchestrator/mission/missionStore";
import { revertChanges, undoRevert } from "../../src/orchestrator/mission/reverts";

const todo = (id: string, status: TodoState["status"], files: string[]): TodoState => ({ id, title: id, description: "", files, dependsOn: [], acceptance: "ok", kind: "code", status, attempts: 1, sessions: [], reviewIssues: [], history: [{ at: 1, status }] });

test("Revert Mission puts back a replaced TODO's files without reviving it; Undo is refused once a reverted TODO was retried", async () => {
  const workspace = mkdtempSync(join(tmpdir(), "reverts-"));
  try {
    writeFileSync(join(workspace, "a.txt"), "v0\n");
    const checkpoints = new CheckpointStore(workspace);
    const store = new MissionStore(workspace);
    const start = await checkpoints.checkpoint("mission start");
    writeFileSync(join(workspace, "a.txt"), "by T1, later replaced\n");
    writeFileSync(join(workspace, "b.txt"), "by T2\n");
    const end = await checkpoints.checkpoint("mission end");
    const state = store.create("Mission");
    const t1 = todo("T1", "replaced", ["a.txt"]);
    const t2 = todo("T2", "done", ["b.txt"]);
    t1.changes = { base: start, head: end, touched: ["a.txt"], files: await checkpoints.diff(start, end, ["a.txt"]) };
    t2.changes = { base: start, head: end, touched: ["b.txt"], files: await checkpoints.diff(start, end, ["b.txt"]) };
    Object.assign(state, { status: "sealed", todos: [t1, t2], integrationChecked: true, checkpoints: { start, end } });

    const reverted = await revertChanges(store, checkpoints, state, undefined);
    assert.equal(reverted.ok, true);
    assert.equal(readFileSync(join(workspace, "a.txt"), "utf8"), "v0\n", "the replaced TODO's file went back too");
    assert.ok(!existsSync(join(workspace, "b.txt")));
    assert.deepEqual(state.todos.map((t) => `${t.id}:${t.status}`), ["T1:replaced", "T2:reverted"], "a replaced TODO stays out of the plan");
    assert.equal(state.status, "stopped");
    assert.equal(state.integrationChecked, false, "the whole must be reviewed again");

    assert.ok(retryTodo(state, "T2"));
    assert.equal(state.todos[1]?.changes, undefined, "a retried TODO starts its changes afresh");
    const undo = await undoRevert(store, checkpoints, state);
    assert.deepEqual(undo, { ok: false, reason: "T2 was retried or skipped since the revert; revert it again instead." });
    assert.ok(!existsSync(join(workspace, "b.txt")), "nothing was brought back");
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
});

test("Revert acts exactly where canRevert (what every surface offers) says it may", async () => {
  const workspace = mkdtempSync(join(tmpdir(), "reverts-"));
  try {
    writeFileSync(join(workspace, "a.txt"), "v0\n");
    const checkpoints = new CheckpointStore(workspace);
    const store = new MissionStore(workspace);
    const start = await checkpoints.checkpoint("mission start");
    writeFileSync(join(workspace, "a.txt"), "by T1\n");
    const end = await checkpoints.checkpoint("mission end");
    const state = store.create("Mission");
    const changed = todo("T1", "done", ["a.txt"]);
    changed.changes = { base: start, head: end, touched: ["a.txt"], files: await checkpoints.diff(start, end, ["a.txt"]) };
    const unrecorded = todo("T2", "done", ["b.txt"]);
    Object.assign(state, { status: "sealed", todos: [changed, unrecorded], integrationChecked: true, checkpoints: { start } });

    assert.equal(canRevert(unrecorded), false);
    assert.deepEqual(await revertChanges(store, checkpoints, state, "T2"), { ok: false, reason: "it changed no file (or its changes were not recorded)." });
    assert.equal(canRevertMission(state), false, "no end checkpoint: nothing to compare the workspace with");
    assert.equal((await revertChanges(store, checkpoints, state, undefined)).ok, false);

    state.checkpoints.end = end;
    assert.equal(canRevert(changed), true);
    assert.equal(canRevertMission(state), true);
    assert.equal((await revertChanges(store, checkpoints, state, "T1")).ok, true);
    assert.equal(canRevert(changed), false);
    assert.deepEqual(await revertChanges(store, checkpoints, state, "T1"), { ok: false, reason: "it is already reverted." });
    assert.equal(canRevertMission(state), false);
    assert.deepEqual(await revertChanges(store, checkpoints, state, undefined), { ok: false, reason: "the mission changed no file that is not reverted already." });
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
});
