/**
 * A mission's files are read back as untrusted input: every journal record and the state after
 * replay are validated, ids name their folder, and no path leads out of the state folder. A bad
 * mission is reported with the reason (naming it, so it can be set aside) and never thrown past
 * the store; the other missions of the workspace still load.
 */
import assert from "node:assert/strict";
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterEach, beforeEach, test } from "node:test";
import type { TodoState } from "../../src/orchestrator/domain/state";
import { MissionStore, StateFileError, StateWriteError } from "../../src/orchestrator/mission/missionStore";
import { findUnfinished } from "../support/missions";

let workspace: string;
let outside: string;
beforeEach(() => {
  workspace = mkdtempSync(join(tmpdir(), "journal-"));
  outside = mkdtempSync(join(tmpdir(), "outside-"));
});
afterEach(() => {
  rmSync(workspace, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

const todo = (id: string, status: TodoState["status"] = "pending"): TodoState => ({ id, title: id, description: "", files: [], dependsOn: [], acceptance: "ok", kind: "code", status, attempts: 0, sessions: [], reviewIssues: [], history: [] });

/** A stopped mission with one TODO, journaled (two records) and snapshotted. */
function storedMission(store: MissionStore) {
  const state = store.create("Build it");
  store.record(state, { type: "mission.started", missionId: state.id, mission: state.mission, resumed: false });
  state.todos.push(todo("A"));
  store.record(state, { type: "plan.accepted", missionId: state.id, todoIds: ["A"], replan: false }, state.todos);
  state.status = "stopped";
  store.record(state, { type: "mission.status", missionId: state.id, status: "stopped" });
  store.save(state);
  return state;
}

/** A valid record's JSON with `change` applied: what a tampered or corrupted journal line holds. */
function recordWith(state: { id: string }, seq: number, change: (record: Record<string, unknown>) => void): string {
  const record: Record<string, unknown> = { seq, at: Date.now(), event: { type: "todo.status", missionId: state.id }, mission: { status: "running", iteration: 1, roundsWithoutProgress: 0, integrationChecked: false, usage: { inputTokens: 0, outputTokens: 0, cost: 0, turns: 0 }, usageByRole: {}, syncIssues: [] } };
  change(record);
  return JSON.stringify(record);
}

const BAD_LINES: Array<[string, (id: string) => string, RegExp]> = [
  ["a null line", () => "null", /expected object, received null/],
  ['"todos": 5', (id) => recordWith({ id }, 9, (r) => (r.todos = 5)), /todos: .*expected array, received number/],
  ['{"todos": null}', (id) => recordWith({ id }, 9, (r) => (r.todos = null)), /todos: .*expected array, received null/],
  ['"status": "pwned"', (id) => recordWith({ id }, 9, (r) => ((r.mission as Record<string, unknown>).status = "pwned")), /mission\.status: Invalid option/],
  ["a header that names another id", (id) => recordWith({ id }, 9, (r) => ((r.mission as Record<string, unknown>).id = "../../../../tmp/x")), /mission: Unrecognized key: "id"/],
  ["a header that replaces the TODO list", (id) => recordWith({ id }, 9, (r) => ((r.mission as Record<string, unknown>).todos = null)), /Unrecognized key: "todos"/],
  ["a TODO record of the wrong shape", (id) => recordWith({ id }, 9, (r) => (r.todos = [{ id: "B", status: "done" }])), /todos\.0\./],
  ["a number for a line", () => "5", /expected object, received number/],
];

for (const [name, line, reason] of BAD_LINES) {
  test(`a journal with ${name} is rejected with the line and the reason; nothing is changed`, async () => {
    const store = new MissionStore(workspace, 60_000);
    const state = storedMission(store);
    const journal = join(store.dir(state.id), "events.jsonl");
    appendFileSync(journal, `${line(state.id)}\n`);
    const before = readFileSync(journal, "utf8");
    const snapshot = readFileSync(join(store.dir(state.id), "mission.json"), "utf8");
    await assert.rejects(
      () => new MissionStore(workspace).load(state.id),
      (e: unknown) => {
        assert.ok(e instanceof StateFileError, `a StateFileError, not ${String(e)}`);
        assert.match(e.message, new RegExp(`events\\.jsonl line 4 is not a journal record \\(`));
        assert.match(e.message, reason);
        assert.equal(e.missionId, state.id, "it names the mission, so the user can set it aside");
        assert.equal(e.recovered, false);
        return true;
      },
    );
    assert.equal(readFileSync(journal, "utf8"), before, "the journal is kept as it is");
    assert.equal(readFileSync(join(store.dir(state.id), "mission.json"), "utf8"), snapshot, "the snapshot is not overwritten");
  });
}

test("a bad mission is reported by the scan, never thrown; the other missions still load", async () => {
  const store = new MissionStore(workspace, 60_000);
  const good = storedMission(store);
  const bad = storedMission(store);
  appendFileSync(join(store.dir(bad.id), "events.jsonl"), "null\n");
  const problems: StateFileError[] = [];
  const found = await findUnfinished(new MissionStore(workspace), (p) => problems.push(p));
  assert.equal(found?.id, good.id);
  assert.deepEqual(problems.map((p) => p.missionId), [bad.id]);
});

test("a torn line (a crash mid-write) is still tolerated anywhere; a record after it is applied", async () => {
  const store = new MissionStore(workspace, 60_000);
  const state = storedMission(store);
  const journal = join(store.dir(state.id), "events.jsonl");
  appendFileSync(journal, '{"seq": 4, "mission": {"stat\n');
  appendFileSync(journal, `${recordWith(state, 5, (r) => (r.todos = [{ ...todo("A", "done"), attempts: 1 }]))}\n`);
  const loaded = await new MissionStore(workspace).load(state.id);
  assert.deepEqual(loaded.todos.map((t) => `${t.id}:${t.status}`), ["A:done"]);
  assert.equal(loaded.journalSeq, 5);
});

test("the state after replay is validated too: TODO ids of one format, each once", async () => {
  const store = new MissionStore(workspace, 60_000);
  const state = storedMission(store);
  appendFileSync(join(store.dir(state.id), "events.jsonl"), `${recordWith(state, 4, (r) => (r.todos = [todo("../etc")]))}\n`);
  await assert.rejects(() => new MissionStore(workspace).load(state.id), (e: unknown) => e instanceof StateFileError && /not a valid state: TODO id "\.\.\/etc" is not an id/.test(e.message) && e.missionId === state.id);
});

test("a mission id is one format: no path is read or written for anything else", async () => {
  const store = new MissionStore(workspace);
  for (const id of ["../../../../tmp/x", "..", "a/b", "", "20250101-000000-abcd/../x"]) {
    assert.throws(() => store.dir(id), StateFileError, id);
    await assert.rejects(() => store.load(id), StateFileError, id);
  }
  const state = store.create("x");
  assert.throws(() => store.save({ ...state, id: "../../outside" }), StateFileError);
  assert.deepEqual(await store.history("../x"), []);
});

test('a state file whose "id" leads outside the state folder is never written there', async () => {
  const store = new MissionStore(workspace, 60_000);
  const state = storedMission(store);
  const target = join(outside, "x");
  const hostile = relative(store.root, target);
  assert.match(hostile, /^\.\.\//);
  writeFileSync(join(store.dir(state.id), "mission.json"), JSON.stringify({ ...state, id: hostile }));
  const problems: StateFileError[] = [];
  const loaded = await new MissionStore(workspace).load(state.id, (p) => problems.push(p));
  // The snapshot does not fit its folder: moved aside, untouched, and the mission rebuilt from its journal.
  assert.equal(loaded.id, state.id);
  assert.match(problems[0]?.message ?? "", /names mission "\.\.\/.*", not the folder it is in/);
  new MissionStore(workspace).save(loaded);
  assert.equal(existsSync(target), false, "nothing was written outside the workspace");
  assert.deepEqual(readdirSync(outside), []);
});

test("a mission folder that is a link out of the workspace is neither read nor written", async () => {
  const store = new MissionStore(workspace, 60_000);
  const state = storedMission(store);
  // A workspace (a cloned repository) that ships its own mission folder, linked elsewhere.
  const planted = "20250101-000000-beef";
  mkdirSync(join(outside, "m"));
  writeFileSync(join(outside, "m", "mission.json"), JSON.stringify({ ...state, id: planted }));
  symlinkSync(join(outside, "m"), join(store.root, planted));
  await assert.rejects(() => new MissionStore(workspace).load(planted), (e: unknown) => e instanceof StateFileError && /is a symbolic link/.test(e.message) && e.missionId === planted);
  assert.throws(() => new MissionStore(workspace).save({ ...state, id: planted }), StateWriteError);
  assert.deepEqual(readdirSync(join(outside, "m")), ["mission.json"], "nothing was written through the link");
});

test("a journal that is a link is not appended to; a todo.md that is a link is replaced, not followed", () => {
  const store = new MissionStore(workspace, 60_000);
  const state = storedMission(store);
  const victim = join(outside, "victim");
  writeFileSync(victim, "precious\n");
  const journal = join(store.dir(state.id), "events.jsonl");
  rmSync(journal);
  symlinkSync(victim, journal);
  assert.throws(() => store.record(state, { type: "x" }), StateWriteError);
  rmSync(join(store.dir(state.id), "todo.md"));
  symlinkSync(victim, join(store.dir(state.id), "todo.md"));
  store.save(state);
  assert.equal(readFileSync(victim, "utf8"), "precious\n", "the file behind the links is untouched");
  assert.match(readFileSync(join(store.dir(state.id), "todo.md"), "utf8"), /Build it/);
});

test("setting a mission aside moves its whole folder, untouched, out of every later scan", async () => {
  const store = new MissionStore(workspace, 60_000);
  const state = storedMission(store);
  appendFileSync(join(store.dir(state.id), "events.jsonl"), "null\n");
  const files = Object.fromEntries(readdirSync(store.dir(state.id)).map((f) => [f, readFileSync(join(store.dir(state.id), f), "utf8")]));
  const aside = store.setAside(state.id, Date.UTC(2025, 0, 2, 3, 4, 5));
  assert.equal(aside, `${store.dir(state.id)}.broken-20250102T030405000Z`);
  assert.deepEqual(Object.fromEntries(readdirSync(aside).map((f) => [f, readFileSync(join(aside, f), "utf8")])), files, "every file kept as it was");
  const problems: StateFileError[] = [];
  assert.equal(await new MissionStore(workspace).latest(undefined, (p) => problems.push(p)), undefined);
  assert.deepEqual(problems, [], "a folder set aside is no mission");
  assert.throws(() => store.setAside(state.id), StateWriteError, "there is nothing left to set aside");
});
