/**
 * A journal of hundreds of MB (a long mission's, or a repository's planted one) does not freeze the
 * editor: what activation does — the latest mission shown with its history, the Missions view's
 * list, the unfinished mission offered — reads only what it needs, asynchronously and in pieces,
 * and the mission still opens as it was. A journal too large to rebuild from is reported.
 */
import assert from "node:assert/strict";
import { appendFileSync, closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, unlinkSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { TodoState } from "../../src/orchestrator/domain/state";
import { MissionHost, type HostNotice } from "../../src/orchestrator/host/missionHost";
import { memoryLogger, RedactingLogger } from "../../src/orchestrator/common/logger";
import { MissionStore } from "../../src/orchestrator/mission/missionStore";

const JOURNAL_MB = 300;
const MAX_BLOCK_MS = 200;

let workspace: string;
let missionId: string;
let journal: string;

const todo = (status: TodoState["status"]): TodoState => ({ id: "A", title: "A", description: "x".repeat(2_000), files: ["a.ts"], dependsOn: [], acceptance: "ok", kind: "code", status, attempts: 1, sessions: [], reviewIssues: [], history: [] });

before(() => {
  workspace = mkdtempSync(join(tmpdir(), "large-journal-"));
  const store = new MissionStore(workspace, 60_000);
  const state = store.create("Build it");
  missionId = state.id;
  journal = join(store.dir(state.id), "events.jsonl");
  store.record(state, { type: "mission.started", missionId: state.id, mission: state.mission, resumed: false });
  state.status = "running";
  state.todos.push(todo("running"));
  store.record(state, { type: "todo.status", missionId: state.id, todoId: "A", from: "pending", to: "running" }, state.todos);
  // The same transition, again and again, up to hundreds of MB: a long mission's journal.
  const template = readFileSync(journal, "utf8").trimEnd().split("\n").at(-1) as string;
  const rest = template.slice(template.indexOf(","));
  const fd = openSync(journal, "a");
  let seq = state.journalSeq;
  try {
    while (statSync(journal).size < JOURNAL_MB * 1024 * 1024) {
      const lines: string[] = [];
      for (let i = 0; i < 2_000; i++) lines.push(`{"seq":${++seq}${rest}`);
      writeSync(fd, `${lines.join("\n")}\n`);
    }
  } finally {
    closeSync(fd);
  }
  // The snapshot is one record behind the journal (a crash between snapshots): that record must be replayed.
  state.journalSeq = seq;
  state.todos[0] = todo("review");
  store.record(state, { type: "todo.status", missionId: state.id, todoId: "A", from: "running", to: "review" }, state.todos);
  store.save(state);
  const last = JSON.parse(readFileSync(journal, "utf8").slice(-20_000).trimEnd().split("\n").at(-1) as string) as Record<string, unknown>;
  const done = { ...last, seq: state.journalSeq + 1, event: { type: "mission.status", missionId: state.id, status: "stopped" }, mission: { ...(last.mission as object), status: "stopped" }, todos: [todo("done")] };
  appendFileSync(journal, `${JSON.stringify(done)}\n`);
});

after(() => rmSync(workspace, { recursive: true, force: true }));

/**
 * Runs `body` and says the longest the event loop was kept from running meanwhile, in ms: a timer
 * every 5 ms notes how late it fires (a body that never yields is caught by the tick after it).
 */
async function longestBlock(body: () => Promise<void>): Promise<number> {
  let last = performance.now();
  let longest = 0;
  const probe = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 5);
  try {
    await body();
    await new Promise((resolve) => setTimeout(resolve, 30));
  } finally {
    clearInterval(probe);
  }
  return longest;
}

test(`a ${JOURNAL_MB} MB journal: activation never blocks the event loop past ${MAX_BLOCK_MS} ms, and the mission opens as its journal last left it`, { timeout: 600_000 }, async () => {
  assert.ok(statSync(journal).size > JOURNAL_MB * 1024 * 1024);
  const host = new MissionHost({ workspace, logger: new RedactingLogger(memoryLogger()) });
  const notices: HostNotice[] = [];
  host.notices.on((n) => notices.push(n));
  let shown: Awaited<ReturnType<MissionHost["showLatest"]>>;
  let listed: Awaited<ReturnType<MissionHost["missions"]>> = [];
  let unfinished: Awaited<ReturnType<MissionHost["latestUnfinished"]>>;
  const started = Date.now();
  const blocked = await longestBlock(async () => {
    shown = await host.showLatest();
    listed = await host.missions();
    unfinished = await host.latestUnfinished();
  });
  assert.ok(blocked < MAX_BLOCK_MS, `the event loop was blocked for ${Math.round(blocked)} ms (${Date.now() - started} ms in all)`);
  assert.deepEqual(notices, [], "nothing to report");
  assert.equal(shown?.missionId, missionId);
  assert.equal(shown?.status, "stopped", "the record newer than the snapshot was replayed");
  assert.deepEqual(shown?.todos.map((t) => `${t.id}:${t.status}`), ["A:done"]);
  assert.deepEqual(listed.map((m) => `${m.missionId}:${m.status}`), [`${missionId}:stopped`]);
  assert.equal(unfinished?.missionId, missionId);
  await host.dispose();
});

test("the same journal with no snapshot to replay onto: too large to rebuild from, reported (naming the mission), never frozen on", { timeout: 600_000 }, async () => {
  unlinkSync(join(workspace, ".opencode", "orchestrator", "missions", missionId, "mission.json"));
  const host = new MissionHost({ workspace, logger: new RedactingLogger(memoryLogger()) });
  const notices: HostNotice[] = [];
  host.notices.on((n) => notices.push(n));
  let shown: Awaited<ReturnType<MissionHost["showLatest"]>>;
  const blocked = await longestBlock(async () => {
    shown = await host.showLatest();
  });
  assert.ok(blocked < MAX_BLOCK_MS, `the event loop was blocked for ${Math.round(blocked)} ms`);
  assert.equal(shown, undefined);
  const problem = notices.find((n) => n.kind === "stateProblem");
  assert.ok(problem && problem.kind === "stateProblem");
  assert.match(problem.message, /events\.jsonl is \d+ MB: more than the \d+ MB a mission is rebuilt from/);
  assert.equal(problem.missionId, missionId, "named, so it can be set aside");
  await host.dispose();
});

test("records longer than a piece of reading, and a torn last line: replayed whole, in order; the views' tail too", async () => {
  const dir = mkdtempSync(join(tmpdir(), "journal-pieces-"));
  try {
    const store = new MissionStore(dir, 60_000);
    const state = store.create("Long records");
    store.record(state, { type: "mission.started", missionId: state.id, mission: state.mission, resumed: false });
    state.status = "running";
    store.save(state);
    // Three records newer than the snapshot, each longer than the 256 KB pieces the journal is read in.
    for (const [i, status] of (["running", "review", "done"] as const).entries()) {
      state.todos[0] = { ...todo(status), description: `${i}`.repeat(600_000) };
      store.record(state, { type: "todo.status", missionId: state.id, todoId: "A", from: "pending", to: status }, state.todos);
    }
    appendFileSync(join(store.dir(state.id), "events.jsonl"), '{"seq": 99, "mission": {"sta');
    const loaded = await new MissionStore(dir).load(state.id);
    assert.equal(loaded.journalSeq, 4);
    assert.equal(loaded.todos[0]?.status, "done");
    assert.equal(loaded.todos[0]?.description, "2".repeat(600_000));
    const history = await new MissionStore(dir).history(state.id);
    assert.deepEqual(history.map((h) => h.event.type), ["mission.started", "todo.status", "todo.status", "todo.status"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a snapshot (mission.json) of hundreds of MB is reported, not parsed, and left where it is", { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "huge-snapshot-"));
  try {
    const store = new MissionStore(dir, 60_000);
    const state = store.create("Huge");
    const file = join(store.dir(state.id), "mission.json");
    const fd = openSync(file, "w");
    const block = " ".repeat(1024 * 1024);
    for (let i = 0; i < 200; i++) writeSync(fd, block);
    closeSync(fd);
    const host = new MissionHost({ workspace: dir, logger: new RedactingLogger(memoryLogger()) });
    const notices: HostNotice[] = [];
    host.notices.on((n) => notices.push(n));
    const blocked = await longestBlock(async () => {
      assert.equal(await host.showLatest(), undefined);
    });
    assert.ok(blocked < MAX_BLOCK_MS, `the event loop was blocked for ${Math.round(blocked)} ms`);
    const problem = notices.find((n) => n.kind === "stateProblem");
    assert.ok(problem?.kind === "stateProblem" && /mission\.json is 200 MB: more than the 64 MB/.test(problem.message) && problem.missionId === state.id, JSON.stringify(problem));
    assert.equal(statSync(file).size, 200 * 1024 * 1024, "left as it was");
    await host.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
