/** The front door's actions always act on the mission they name; a mission finished for good refuses them. */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, test } from "node:test";
import type { MissionState, TodoState } from "../../src/orchestrator/domain/state";
import { MissionHost } from "../../src/orchestrator/host/missionHost";
import type { HostSettings } from "../../src/orchestrator/host/hostSettings";
import { memoryLogger, RedactingLogger } from "../../src/orchestrator/common/logger";
import { MissionStore } from "../../src/orchestrator/mission/missionStore";
import { findUnfinished } from "../support/missions";

let workspace: string;
beforeEach(() => {
  workspace = mkdtempSync(join(tmpdir(), "host-"));
});
afterEach(() => rmSync(workspace, { recursive: true, force: true }));

// No engine is started by a refused action: a binary that does not exist would make any start fail loudly.
const settings: HostSettings = { opencodePath: "/nonexistent/opencode", serverUrl: "", model: undefined, demoMode: "never", models: {}, limits: {} };
const todo = (id: string, status: TodoState["status"]): TodoState => ({ id, title: id, description: "", files: [], dependsOn: [], acceptance: "ok", kind: "code", status, attempts: 1, sessions: [], reviewIssues: [], history: [{ at: 1, status }] });

/** A mission on disk as it was left at `at` (save() stamps the time of writing; the file keeps `at`). */
function stored(store: MissionStore, text: string, status: MissionState["status"], todos: TodoState[], at: number): MissionState {
  const state = store.create(text, at);
  Object.assign(state, { status, todos });
  store.save(state);
  state.updatedAt = at;
  writeFileSync(join(store.dir(state.id), "mission.json"), JSON.stringify(state));
  return state;
}

test("a failed mission offers no Resume and no Retry, and neither acts on an older unfinished mission", async () => {
  const store = new MissionStore(workspace);
  const older = stored(store, "The older, stopped mission", "stopped", [todo("A", "pending")], Date.now() - 60_000);
  const failed = stored(store, "The newer mission that failed", "failed", [todo("A", "done"), todo("B", "failed")], Date.now());
  const olderBefore = readFileSync(join(store.dir(older.id), "mission.json"), "utf8");

  const host = new MissionHost({ workspace, logger: new RedactingLogger(memoryLogger()) });
  try {
    const shown = await host.showLatest();
    assert.equal(shown?.missionId, failed.id, "the latest mission is shown, failed as it is");
    assert.equal(shown?.resumable, false);
    assert.ok(shown?.todos.every((t) => !t.canRetry && !t.canSkip));

    const retry = await host.retry(failed.id, "B", settings);
    assert.deepEqual(retry, { ok: false, reason: "TODO B cannot be retried now: its mission ended failed." });
    const resume = await host.resume(settings);
    assert.equal(resume.ok, false);
    assert.match(resume.ok ? "" : resume.reason, /ended failed; it cannot be resumed/);
    assert.equal(host.isRunning, false, "nothing started");
    assert.equal(host.model.missionId, failed.id, "the view still shows the mission the user looked at");
    assert.equal(readFileSync(join(store.dir(older.id), "mission.json"), "utf8"), olderBefore, "the older mission was not touched");
    assert.equal((await host.latestUnfinished())?.missionId, older.id, "it is still there to be resumed by name");
  } finally {
    await host.dispose();
  }
});

test("Skip of a TODO the mission no longer has, or of a done one, says why", async () => {
  const store = new MissionStore(workspace);
  const m = stored(store, "Stopped", "stopped", [todo("A", "done")], Date.now());
  const host = new MissionHost({ workspace, logger: new RedactingLogger(memoryLogger()) });
  try {
    assert.deepEqual(await host.skip(m.id, "A", settings), { ok: false, reason: "TODO A cannot be skipped now: it is done." });
    assert.deepEqual(await host.skip(m.id, "Z", settings), { ok: false, reason: "TODO Z cannot be skipped now: it is not in this mission." });
    assert.equal(host.isRunning, false);
  } finally {
    await host.dispose();
  }
});

test("a mission whose OpenCode does not start is kept, stopped with the reason, and resumable: nothing to type again", async () => {
  const host = new MissionHost({ workspace, logger: new RedactingLogger(memoryLogger()) });
  try {
    const model = await host.run("Build the thing", settings);
    assert.equal(model.phase, "failed");
    assert.match(model.error ?? "", /nonexistent\/opencode/, "the cause is shown");
    assert.equal(model.mission, "Build the thing");
    assert.equal(model.status, "stopped");
    assert.equal(model.resumable, true, "Resume is offered");
    assert.match(model.stopReason ?? "", /^OpenCode did not start: .*Fix that, then Resume the mission\.$/s);
    const kept = await findUnfinished(new MissionStore(workspace), () => undefined);
    assert.equal(kept?.mission, "Build the thing", "it is on disk");
    assert.equal((await host.latestUnfinished())?.missionId, model.missionId);
  } finally {
    await host.dispose();
  }
});

test("the history lists every mission newest first; a past one opens in the views; one is deleted for good, never the shown one left dangling", async () => {
  const store = new MissionStore(workspace);
  const older = stored(store, "The older mission", "sealed", [todo("A", "done")], Date.now() - 60_000);
  const newer = stored(store, "The newer mission", "stopped", [todo("A", "done"), todo("B", "pending")], Date.now());
  const host = new MissionHost({ workspace, logger: new RedactingLogger(memoryLogger()) });
  try {
    const listed = await host.missions();
    assert.deepEqual(listed.map((m) => [m.mission, m.status, m.done, m.resumable]), [["The newer mission", "stopped", "1/2 TODOs done", true], ["The older mission", "sealed", "1/1 TODOs done", false]]);
    assert.deepEqual(await host.openMission(older.id), { ok: true });
    assert.equal(host.model.missionId, older.id, "the past mission is shown");
    assert.deepEqual(await host.deleteMission(older.id), { ok: true });
    assert.equal(host.model.missionId, newer.id, "the views moved to the latest mission left");
    assert.deepEqual((await host.missions()).map((m) => m.missionId), [newer.id]);
    assert.equal((await host.openMission(older.id)).ok, false, "gone for good");
  } finally {
    await host.dispose();
  }
});

test("the host decides which mission Resume acts on: the one named, else the one shown; a finished one shown offers the latest unfinished one, never resumes it unasked", async () => {
  const store = new MissionStore(workspace);
  const older = stored(store, "The older, stopped mission", "stopped", [todo("A", "pending")], Date.now() - 60_000);
  const sealed = stored(store, "The newer, sealed mission", "sealed", [todo("A", "done")], Date.now());
  const host = new MissionHost({ workspace, logger: new RedactingLogger(memoryLogger()) });
  try {
    const ref = (s: MissionState) => ({ missionId: s.id, mission: s.mission, status: s.status });
    assert.deepEqual(await host.resumeTarget(), { ok: true, target: ref(older) }, "nothing shown: the latest unfinished mission");
    await host.showLatest();
    assert.equal(host.model.missionId, sealed.id);
    assert.deepEqual(await host.resumeTarget(), { ok: false, reason: 'the mission "The newer, sealed mission" ended sealed; it cannot be resumed. Run Task starts a new one.', offer: ref(older) });
    assert.deepEqual(await host.resumeTarget(older.id), { ok: true, target: ref(older) }, "the one named");
    assert.deepEqual(await host.resumeTarget(sealed.id), { ok: false, reason: 'the mission "The newer, sealed mission" ended sealed; it cannot be resumed. Run Task starts a new one.' }, "named: no other is offered");
    assert.equal((await host.resume(settings)).ok, false, "Resume of the shown, sealed mission is refused");
    assert.equal(host.isRunning, false, "and nothing started");
    assert.equal(host.model.missionId, sealed.id);
    await host.openMission(older.id);
    assert.deepEqual(await host.resumeTarget(), { ok: true, target: ref(older) }, "the one shown, when it can be resumed");
    const empty = new MissionHost({ workspace: mkdtempSync(join(workspace, "empty-")), logger: new RedactingLogger(memoryLogger()) });
    assert.deepEqual(await empty.resumeTarget(), { ok: false, reason: "no unfinished mission in this workspace." });
    await empty.dispose();
  } finally {
    await host.dispose();
  }
});

test("the host validates the mission's text: nothing runs, and nothing is written, for an empty or oversized mission; Run Task and the chat show its answer", async () => {
  const host = new MissionHost({ workspace, logger: new RedactingLogger(memoryLogger()) });
  try {
    assert.equal(host.missionProblem("Build a REST API"), undefined);
    for (const text of ["", "   \n\t ", "x".repeat(20_001)]) {
      const problem = host.missionProblem(text);
      assert.ok(problem, JSON.stringify(text.slice(0, 10)));
      await assert.rejects(host.run(text, settings), (error: Error) => error.message === problem);
      assert.equal(host.isRunning, false);
      assert.equal(host.model.phase, "idle", "no mission was started, not even shown as starting");
    }
    assert.deepEqual(await host.missions(), [], "no mission was written");
    assert.ok(host.questionProblem(" "));
    await assert.rejects(host.ask("  ", settings), /Ask a question about the workspace/);
  } finally {
    await host.dispose();
  }
});
