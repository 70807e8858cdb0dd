/** What the Commander records of each TODO's changes, on real checkpoints of a temp folder, and what it costs in git runs. */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { CheckpointStore } from "../../src/orchestrator/changes/checkpointStore";
import type { TodoState } from "../../src/orchestrator/domain/state";
import { memoryLogger } from "../../src/orchestrator/logger";
import { ChangeRecorder } from "../../src/orchestrator/mission/changeRecorder";
import { MissionStore } from "../../src/orchestrator/mission/missionStore";

const todo = (id: string): TodoState => ({ id, title: id, description: "", files: [`${id}.txt`], dependsOn: [], acceptance: "ok", kind: "code", status: "running", attempts: 1, sessions: [], reviewIssues: [], history: [] });

/** A real store that counts the checkpoints it took (coalesced calls share one) and the diffs it ran. */
function countingStore(workspace: string) {
  const store = new CheckpointStore(workspace);
  const taken = new Set<string>();
  const calls = {
    get checkpoint() {
      return taken.size;
    },
    diff: 0,
  };
  return {
    calls,
    checkpoint: async (label: string) => {
      const id = await store.checkpoint(label);
      taken.add(id);
      return id;
    },
    diff: (from: string, to: string | "worktree", paths?: readonly string[]) => (calls.diff++, store.diff(from, to, paths)),
  };
}

test("a wave of 20 Workers costs a few checkpoints and one diff, and each TODO still gets only its own file", async () => {
  const workspace = mkdtempSync(join(tmpdir(), "recorder-"));
  try {
    const store = countingStore(workspace);
    const recorder = new ChangeRecorder(workspace, store, memoryLogger());
    const state = new MissionStore(workspace).create("Wave");
    await recorder.missionStart(state);
    const wave = Array.from({ length: 20 }, (_, i) => todo(`T${i}`));
    await Promise.all(wave.map((t) => recorder.beforeAttempt(t)));
    assert.ok(store.calls.checkpoint <= 3, `${store.calls.checkpoint} checkpoints for the mission start and 20 starts`);
    for (const t of wave) writeFileSync(join(workspace, `${t.id}.txt`), `${t.id}\n`);
    const before = { checkpoint: store.calls.checkpoint, diff: store.calls.diff };
    await Promise.all(wave.map((t) => recorder.afterAttempt(t, undefined)));
    assert.ok(store.calls.checkpoint - before.checkpoint <= 2, "the 20 finishes share their checkpoints");
    assert.ok(store.calls.diff - before.diff <= 2, `${store.calls.diff - before.diff} diffs for the wave: one per pair of checkpoints, not one per TODO`);
    for (const t of wave) assert.deepEqual(t.changes?.files.map((f) => `${f.path}:${f.status}`), [`${t.id}.txt:added`]);
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
});

test("on a chain, the next TODO starts from the checkpoint just taken; one that ran alone owns what its commands wrote", async () => {
  const workspace = mkdtempSync(join(tmpdir(), "recorder-"));
  try {
    const store = countingStore(workspace);
    let now = 1_000;
    const recorder = new ChangeRecorder(workspace, store, memoryLogger(), () => now);
    const a = todo("A");
    await recorder.beforeAttempt(a);
    writeFileSync(join(workspace, "A.txt"), "A\n");
    writeFileSync(join(workspace, "package-lock.json"), "{}\n"); // written by a command: no tool part names it
    await recorder.afterAttempt(a, undefined);
    assert.deepEqual(a.changes?.files.map((f) => f.path).sort(), ["A.txt", "package-lock.json"]);
    await recorder.beforeReview(1);
    const taken = store.calls.checkpoint;
    now += 500;
    const b = todo("B");
    await recorder.beforeAttempt(b);
    assert.equal(store.calls.checkpoint, taken, "B reuses the checkpoint before the review: nothing ran since");
    await recorder.afterAttempt(b, undefined);
    now += 10_000;
    const c = todo("C");
    await recorder.beforeAttempt(c);
    assert.ok(store.calls.checkpoint > taken + 1, "too old a checkpoint is not reused");
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
});
