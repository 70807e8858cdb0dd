/** What the Commander records of each TODO's changes, on real checkpoints of a temp folder, and what it costs in git runs. */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { reviewPrompt } from "../../src/orchestrator/agents/turnPrompts";
import { CheckpointStore } from "../../src/orchestrator/changes/checkpointStore";
import type { TodoState } from "../../src/orchestrator/domain/state";
import { memoryLogger } from "../../src/orchestrator/common/logger";
import { ChangeRecorder } from "../../src/orchestrator/mission/changeRecorder";
import { MissionStore } from "../../src/orchestrator/mission/missionStore";

const todo = (id: string): TodoState => ({ id, title: id, description: "", files: [`${id}.txt`], dependsOn: [], acceptance: "ok", kind: "code", status: "running", attempts: 1, sessions: [], reviewIssues: [], history: [] });

/** A real store that counts the checkpoints it took (coalesced calls share one; an unchanged workspace gives the last again) and the diffs it ran. */
function countingStore(workspace: string) {
  const store = new CheckpointStore(workspace);
  const taken = new Set<string>();
  const calls = {
    get checkpoint() {
      return taken.size;
    },
    diff: 0,
    patch: 0,
    patches: 0,
  };
  /** Every checkpoint asked for, by label (the store takes one for those that coincide, and gives the last again when nothing changed). */
  const asked: string[] = [];
  return {
    calls,
    asked,
    checkpoint: async (label: string) => {
      asked.push(label);
      const id = await store.checkpoint(label);
      taken.add(id);
      return id;
    },
    diff: (from: string, to: string | "worktree", paths?: readonly string[]) => (calls.diff++, store.diff(from, to, paths)),
    patch: (from: string, to: string, paths: readonly string[], maxBytes?: number) => (calls.patch++, store.patch(from, to, paths, maxBytes)),
    patches: (from: string, to: string, paths: readonly string[]) => (calls.patches++, store.patches(from, to, paths)),
  };
}

/** A temp workspace with a counting store and a recorder on it (`now`: the recorder's clock), removed after `body`. */
async function withRecorder(body: (r: { workspace: string; store: ReturnType<typeof countingStore>; recorder: ChangeRecorder }) => Promise<void>, now?: () => number): Promise<void> {
  const workspace = mkdtempSync(join(tmpdir(), "recorder-"));
  try {
    const store = countingStore(workspace);
    await body({ workspace, store, recorder: new ChangeRecorder(workspace, store, memoryLogger(), now) });
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
}

test("a wave of 20 Workers costs a few checkpoints and one diff, and each TODO still gets only its own file", () =>
  withRecorder(async ({ workspace, store, recorder }) => {
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
  }));

test("on a chain, the next TODO starts from the checkpoint just taken; one that ran alone owns what its commands wrote", () => {
  let now = 1_000;
  return withRecorder(async ({ workspace, store, recorder }) => {
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
    assert.ok(!store.asked.includes("before B"));
    await recorder.afterAttempt(b, undefined);
    now += 10_000;
    const c = todo("C");
    await recorder.beforeAttempt(c);
    assert.equal(store.asked.at(-1), "before C", "too old a checkpoint is not reused");
  }, () => now);
});

test("a wave dispatched together after a quiet checkpoint starts from it; an attempt dispatched while others run does not", () =>
  withRecorder(async ({ workspace, store, recorder }) => {
    const state = new MissionStore(workspace).create("Wave");
    await recorder.missionStart(state);
    const taken = store.calls.checkpoint;
    const wave = Array.from({ length: 10 }, (_, i) => todo(`T${i}`));
    await Promise.all(wave.map((t) => recorder.beforeAttempt(t)));
    assert.equal(store.calls.checkpoint, taken, "the wave starts from the mission's first checkpoint: nothing was written since");
    assert.ok(wave.every((t) => t.changes?.base === state.checkpoints.start));
    writeFileSync(join(workspace, "T0.txt"), "T0\n");
    const late = todo("L");
    await recorder.beforeAttempt(late);
    assert.equal(store.calls.checkpoint, taken + 1, "one dispatched later gets a checkpoint of its own: the wave may have written");
    assert.notEqual(late.changes?.base, state.checkpoints.start);
    await Promise.all(wave.map((t) => recorder.afterAttempt(t, undefined)));
    assert.deepEqual(wave[0]?.changes?.files.map((f) => f.path), ["T0.txt"]);
    await recorder.afterAttempt(late, undefined);
    assert.deepEqual(late.changes?.files, [], "what the wave wrote before the late attempt began is not its");
  }));

test("the Reviewer's diffs of a wave cost one git run per pair of checkpoints, each TODO's as its own diff would read", () =>
  withRecorder(async ({ workspace, store, recorder }) => {
    const wave = Array.from({ length: 12 }, (_, i) => todo(`T${i}`));
    await Promise.all(wave.map((t) => recorder.beforeAttempt(t)));
    // Long enough that the batch's budget runs out: the last TODOs get less, then nothing.
    for (const t of wave) writeFileSync(join(workspace, `${t.id}.txt`), `${t.id} line\n`.repeat(300));
    await Promise.all(wave.map((t) => recorder.afterAttempt(t, undefined)));
    const diffs = await recorder.diffsFor(wave);
    const pairs = new Set(wave.map((t) => `${t.changes?.base}..${t.changes?.head}`)).size;
    assert.equal(store.calls.patches, pairs, `${store.calls.patches} git runs for ${pairs} pair(s) of checkpoints`);
    assert.equal(store.calls.patch, 0, "no TODO read its diff on its own");
    // What one diff per TODO gave, with the same bounds: 6,000 bytes a TODO, 24,000 in all.
    let budget = 24_000;
    for (const t of wave) {
      if (budget <= 0) {
        assert.equal(diffs.has(t.id), false, `${t.id}: the batch's budget is spent`);
        continue;
      }
      const c = t.changes as { base: string; head: string };
      const alone = await store.patch(c.base, c.head, [`${t.id}.txt`], Math.min(6_000, budget));
      assert.equal(diffs.get(t.id), alone, `${t.id}'s diff`);
      assert.match(alone, new RegExp(`^\\+${t.id} line$`, "m"));
      budget -= Buffer.byteLength(alone);
    }
  }));

test("Workers that end one after another share the checkpoint asked for after their last writes; one that wrote since, or cannot tell, asks for its own", () => {
  let now = 10_000;
  return withRecorder(async ({ workspace, store, recorder }) => {
    const state = new MissionStore(workspace).create("Wave");
    await recorder.missionStart(state);
    const [a, b, c, d, e] = ["A", "B", "C", "D", "E"].map(todo) as [TodoState, TodoState, TodoState, TodoState, TodoState];
    await Promise.all([a, b, c, d, e].map((t) => recorder.beforeAttempt(t)));
    for (const t of [a, b, d, e]) writeFileSync(join(workspace, `${t.id}.txt`), `${t.id}\n`);
    const work = (settledAt?: number) => ({ filesChanged: [], commands: [], jobIds: [], lastText: "", settledAt });
    now = 20_000;
    // A asks first; B ends while A's checkpoint is being taken, its last write long before A asked.
    await Promise.all([recorder.afterAttempt(a, work(19_000)), recorder.afterAttempt(b, work(19_900))]);
    assert.equal(b.changes?.head, a.changes?.head, "B shares A's checkpoint");
    // C's last write ended 10 ms before A asked: too close to tell, and here it did write after. D
    // cannot tell. E's tool calls ended long before, but it started a background job, which may write later.
    writeFileSync(join(workspace, "C.txt"), "C\n");
    await Promise.all([recorder.afterAttempt(c, work(19_990)), recorder.afterAttempt(d, work(undefined)), recorder.afterAttempt(e, { ...work(10_000), jobIds: ["job-1"] })]);
    assert.deepEqual(store.asked.filter((label) => label.startsWith("after")), ["after A", "after C", "after D", "after E"], "B asked for none");
    assert.notEqual(c.changes?.head, a.changes?.head);
    for (const t of [a, b, c, d, e]) assert.deepEqual(t.changes?.files.map((f) => f.path), [`${t.id}.txt`], `${t.id}'s own file is in its diff`);
  }, () => now);
});

test("a declared file missing after a 'done' is work not delivered; one the TODO deleted is a change; a pattern is not judged; one left as it was is named to the Reviewer", () =>
  withRecorder(async ({ workspace, recorder }) => {
    writeFileSync(join(workspace, "old.txt"), "to be removed\n");
    writeFileSync(join(workspace, "README.md"), "as it was\n");
    mkdirSync(join(workspace, "lib"));
    const half = { ...todo("H"), files: ["h1.txt", "./h2.txt", "lib/", "src/*.ts"] };
    const deleter = { ...todo("D"), files: ["old.txt", "README.md"] };
    const check = { ...todo("C"), kind: "check" as const, files: ["report.txt"] };
    await Promise.all([half, deleter, check].map((t) => recorder.beforeAttempt(t)));
    writeFileSync(join(workspace, "h1.txt"), "half of it\n");
    writeFileSync(join(workspace, "lib", "x.js"), "x\n");
    rmSync(join(workspace, "old.txt"));
    await Promise.all([half, deleter, check].map((t) => recorder.afterAttempt(t, undefined)));

    assert.equal(
      await recorder.unfoundedClaim(half),
      "You reported done, but a file the TODO declared does not exist: h2.txt. Create it, then report; if the TODO cannot have it, report blocked and say why.",
      "h2.txt is missing; the folder has its file; src/*.ts names no one file",
    );
    assert.equal(await recorder.unfoundedClaim(deleter), undefined, "old.txt existed and the TODO deleted it: its record shows it");
    assert.equal(await recorder.unfoundedClaim(check), undefined, "a check changes nothing and creates nothing");
    writeFileSync(join(workspace, "h2.txt"), "the other half\n");
    assert.equal(await recorder.unfoundedClaim(half), undefined);

    const prompt = reviewPrompt("Mission", [deleter], { integration: false, final: false });
    assert.match(prompt, /Changed \(the orchestrator's own record, not the Worker's word\): old\.txt \+0 −1 \(deleted\)\n/);
    assert.match(prompt, /\nDeclared, unchanged: README\.md \(judge whether the TODO needed them changed\)\n/);
    assert.doesNotMatch(prompt, /Outside its declared files/);
  }));
