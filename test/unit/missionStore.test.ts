import assert from "node:assert/strict";
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, test } from "node:test";
import { MissionStore, StateFileError, StateWriteError } from "../../src/orchestrator/mission/missionStore";
import type { TodoState } from "../../src/orchestrator/domain/state";
import { findUnfinished } from "../support/missions";

let workspace: string;
beforeEach(() => {
  workspace = mkdtempSync(join(tmpdir(), "store-"));
});
afterEach(() => {
  rmSync(workspace, { recursive: true, force: true });
});

test("a mission round-trips through mission.json, with todo.md and its provenance mark beside it", async () => {
  const store = new MissionStore(workspace);
  const state = store.create("Build it");
  assert.equal(state.status, "planning");
  assert.deepEqual(await store.load(state.id), state);
  assert.match(readFileSync(join(store.dir(state.id), "todo.md"), "utf8"), /Build it/);
  assert.deepEqual(readdirSync(store.dir(state.id)).sort(), ["mission.json", "provenance", "todo.md"], "no temp file is left behind");
  assert.equal(store.notOurs(state.id), undefined, "the mission this store made is the user's own");
});

test("the unfinished mission found is the latest one not finished for good", async () => {
  const store = new MissionStore(workspace);
  const old = store.create("old");
  const sealed = store.create("sealed");
  sealed.status = "sealed";
  store.save(sealed);
  old.status = "stopped";
  store.save(old);
  assert.equal((await findUnfinished(store))?.id, old.id);
});

test("a corrupt mission.json is moved aside with a clear error, never overwritten", async () => {
  const store = new MissionStore(workspace);
  const state = store.create("x");
  const file = join(store.dir(state.id), "mission.json");
  writeFileSync(file, "{ not json");
  await assert.rejects(() => store.load(state.id), (e: unknown) => e instanceof StateFileError && /is not valid JSON/.test(e.message) && !!e.movedTo && readFileSync(e.movedTo, "utf8") === "{ not json");
  assert.equal(existsSync(file), false);
  const reported: string[] = [];
  assert.equal(await findUnfinished(new MissionStore(workspace), (e) => reported.push(e.message)), undefined);
});

test("a mission.json from a newer version is recognised and kept; its journal is never used to rebuild it", async () => {
  const store = new MissionStore(workspace);
  const state = store.create("x");
  store.record(state, { type: "mission.started", missionId: state.id, mission: "x", resumed: false });
  store.save(state);
  const file = join(store.dir(state.id), "mission.json");
  const newer = JSON.stringify({ ...state, version: 99 });
  writeFileSync(file, newer);
  await assert.rejects(() => store.load(state.id), (e: unknown) => e instanceof StateFileError && /newer version of the Orchestrator \(state version 99/.test(e.message) && readFileSync(e.movedTo ?? "", "utf8") === newer);
  const problems: StateFileError[] = [];
  assert.equal(await findUnfinished(new MissionStore(workspace), (p) => problems.push(p)), undefined, "not rebuilt from the newer journal on a later scan");
  assert.deepEqual(problems, []);
  assert.equal(existsSync(file), false, "no old-format mission.json written over the newer version's folder");
});

test("a state file that does not fit the schema names the fields", async () => {
  const store = new MissionStore(workspace);
  const state = store.create("x");
  writeFileSync(join(store.dir(state.id), "mission.json"), JSON.stringify({ ...state, todos: [{ id: 1 }] }));
  await assert.rejects(() => store.load(state.id), /does not match the mission schema: todos\.0/);
});

test("a write that fails is a StateWriteError, not a silent loss", () => {
  const store = new MissionStore(workspace);
  const state = store.create("x");
  // A file where the mission folder should be fails for every user, root included.
  rmSync(store.dir(state.id), { recursive: true });
  writeFileSync(store.dir(state.id), "in the way");
  assert.throws(() => store.save(state), (e: unknown) => e instanceof StateWriteError && /The mission stops/.test(e.message));
});

test("transitions journaled after the last snapshot are replayed on load; a torn last record is ignored", async () => {
  const store = new MissionStore(workspace, 60_000); // no snapshot will be written in this test
  const state = store.create("journal");
  const todo: TodoState = { id: "T1", title: "t", description: "", files: [], dependsOn: [], acceptance: "ok", kind: "code", status: "pending", attempts: 0, sessions: [], reviewIssues: [], history: [] };
  state.todos.push(todo);
  store.record(state, { type: "plan.accepted" }, [todo]);
  todo.status = "done";
  todo.attempts = 1;
  state.iteration = 3;
  store.record(state, { type: "todo.status" }, [todo]);
  appendFileSync(join(store.dir(state.id), "events.jsonl"), '{"seq": 3, "mission": {"status": "sea');
  // A crash now: mission.json is still the snapshot from create().
  assert.equal(JSON.parse(readFileSync(join(store.dir(state.id), "mission.json"), "utf8")).todos.length, 0);
  const loaded = await new MissionStore(workspace).load(state.id);
  assert.deepEqual(loaded.todos.map((t) => `${t.id}:${t.status}:${t.attempts}`), ["T1:done:1"]);
  assert.equal(loaded.iteration, 3);
  assert.equal(loaded.journalSeq, 2);
});

test("snapshots are coalesced: many transitions, one write, and save() writes now", () => {
  const store = new MissionStore(workspace, 60_000);
  const state = store.create("coalesce");
  for (let i = 0; i < 100; i++) {
    state.iteration = i;
    store.record(state, { type: "x" });
  }
  assert.equal(JSON.parse(readFileSync(join(store.dir(state.id), "mission.json"), "utf8")).iteration, 0);
  store.save(state);
  assert.equal(JSON.parse(readFileSync(join(store.dir(state.id), "mission.json"), "utf8")).iteration, 99);
  assert.equal(readFileSync(join(store.dir(state.id), "events.jsonl"), "utf8").trim().split("\n").length, 100);
});

test("the state folder is ignored by git, so its churn stays out of diffs and OpenCode's snapshots", () => {
  execFileSync("git", ["init", "-q"], { cwd: workspace });
  const store = new MissionStore(workspace);
  const state = store.create("ignored");
  const ignored = execFileSync("git", ["check-ignore", join(store.dir(state.id), "mission.json")], { cwd: workspace, encoding: "utf8" });
  assert.match(ignored, /mission\.json/);
  assert.equal(execFileSync("git", ["status", "--porcelain"], { cwd: workspace, encoding: "utf8" }), "");
});

test("a corrupt mission.json is moved aside and the mission rebuilt from its journal, nothing lost", async () => {
  const store = new MissionStore(workspace, 0);
  const state = store.create("Rebuild me");
  store.record(state, { type: "mission.started", missionId: state.id, mission: state.mission, resumed: false });
  const todo = (id: string, status: TodoState["status"]): TodoState => ({ id, title: id, description: "d", files: [], dependsOn: [], acceptance: "a", kind: "code", status, attempts: 1, sessions: ["s"], reviewIssues: [], history: [{ at: 1, status }] });
  state.todos.push(todo("A", "pending"), todo("B", "pending"));
  store.record(state, { type: "plan.accepted" }, state.todos);
  state.todos[0] = todo("A", "done");
  state.iteration = 2;
  state.usage.turns = 7;
  store.record(state, { type: "todo.status" }, [state.todos[0] as TodoState]);
  store.save(state);
  const file = join(store.dir(state.id), "mission.json");
  writeFileSync(file, '{"version":1,"id":"tr'); // torn by a crash or a bad disk
  const problems: StateFileError[] = [];
  const found = await findUnfinished(new MissionStore(workspace), (p) => problems.push(p));
  assert.equal(problems.length, 1);
  assert.equal(problems[0]?.recovered, true);
  assert.match(problems[0]?.message ?? "", /is not valid JSON .* moved to .*unreadable.* rebuilt from its journal \(3 records\); nothing was lost/);
  assert.equal(readFileSync(problems[0]?.movedTo ?? "", "utf8"), '{"version":1,"id":"tr', "the bad file is kept as it was");
  assert.ok(found);
  assert.equal(found.mission, "Rebuild me");
  assert.deepEqual(found.todos.map((t) => `${t.id} ${t.status}`), ["A done", "B pending"]);
  assert.equal(found.iteration, 2);
  assert.equal(found.usage.turns, 7);
  assert.ok(existsSync(file), "a fresh snapshot was written beside the kept file");
  const again: StateFileError[] = [];
  assert.deepEqual((await new MissionStore(workspace).load(state.id, (p) => again.push(p))).todos, found.todos);
  assert.deepEqual(again, [], "the fresh snapshot reads without another rebuild");
});

test("a mission whose snapshot and journal are both unusable is reported, not invented", async () => {
  const store = new MissionStore(workspace);
  const state = store.create("x");
  writeFileSync(join(store.dir(state.id), "events.jsonl"), "garbage\n");
  writeFileSync(join(store.dir(state.id), "mission.json"), "garbage");
  await assert.rejects(() => store.load(state.id), (e: unknown) => e instanceof StateFileError && !e.recovered && /journal cannot rebuild the mission either/.test(e.message));
});
