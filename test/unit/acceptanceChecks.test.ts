/** Acceptance checks as real background jobs: exit status, output tail, timeout, and a halt that kills them. */
import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { BackgroundJobManager } from "../../src/orchestrator/background/jobManager";
import { CHECK_TAIL_CHARS, checkIssue, runCheck } from "../../src/orchestrator/mission/acceptanceChecks";

const workspace = mkdtempSync(join(tmpdir(), "orch-check-"));
const jobs = new BackgroundJobManager({ workspace });
after(async () => {
  await jobs.dispose();
  rmSync(workspace, { recursive: true, force: true });
});
const never = new AbortController().signal;

test("exit 0 passes; any other exit fails with the output's end, bounded", async () => {
  const started: string[] = [];
  const ok = await runCheck(jobs, "echo fine", 10_000, never, (r) => started.push(r.status));
  assert.deepEqual(started, ["running"]);
  assert.equal(ok.status, "passed");
  assert.equal(ok.tail.trim(), "fine");
  const bad = await runCheck(jobs, "seq 1 20000; echo 'assertion failed' >&2; exit 4", 10_000, never);
  assert.equal(bad.status, "failed");
  assert.equal(bad.exitCode, 4);
  assert.ok(bad.tail.length <= CHECK_TAIL_CHARS);
  assert.match(bad.tail, /assertion failed\n$/);
  assert.match(checkIssue(bad), /^The check `seq 1 20000; echo 'assertion failed' >&2; exit 4` failed \(exit 4\)\. Its output ends with:\n[\s\S]*assertion failed$/);
});

test("a check past its time limit is stopped and counts as timed out; a halt kills a running check", async () => {
  const slow = await runCheck(jobs, "echo started; exec sleep 30", 1_000, never);
  assert.equal(slow.status, "timed-out");
  const halt = new AbortController();
  const running = runCheck(jobs, "exec sleep 30", 60_000, halt.signal, () => halt.abort());
  const stopped = await running;
  assert.equal(stopped.status, "failed");
  assert.equal(jobs.running().length, 0, "nothing of either is left running");
});

test("a job's environment has none of the orchestrator's secrets", async () => {
  const before = process.env.OPENCODE_SERVER_PASSWORD;
  process.env.OPENCODE_SERVER_PASSWORD = "not-for-agents-123456";
  try {
    const seen = await runCheck(jobs, "env", 10_000, never);
    assert.equal(seen.status, "passed");
    assert.match(seen.tail, /^PATH=/m);
    assert.doesNotMatch(seen.tail, /OPENCODE_SERVER_PASSWORD|not-for-agents/);
  } finally {
    if (before === undefined) delete process.env.OPENCODE_SERVER_PASSWORD;
    else process.env.OPENCODE_SERVER_PASSWORD = before;
  }
});

test("every job slot taken: a check waits for one to end instead of failing its TODO", async () => {
  const small = new BackgroundJobManager({ workspace, maxRunningJobs: 1 });
  try {
    const blocker = small.start("sleep 0.5");
    const result = await runCheck(small, "echo after", 10_000, never);
    assert.equal(result.status, "passed");
    assert.ok((small.get(blocker.id)?.endedAt ?? Infinity) <= result.startedAt + (result.durationMs ?? 0), "it ran once the slot was free");
  } finally {
    await small.dispose();
  }
});

test("a mission's checks leave no listener on its stop signal: each lets go once its job has started", async () => {
  const mission = new AbortController();
  const results = await Promise.all(Array.from({ length: 12 }, (_, i) => runCheck(jobs, `exit ${i % 2}`, 10_000, mission.signal)));
  assert.deepEqual(results.map((r) => r.status), Array.from({ length: 12 }, (_, i) => (i % 2 ? "failed" : "passed")));
  assert.equal(getEventListeners(mission.signal, "abort").length, 0);
});
