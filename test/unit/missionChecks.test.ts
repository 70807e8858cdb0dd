/** The mission's checks as real background jobs: TODOs with the same check share a run that has not started. */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { permissionRules } from "../../src/orchestrator/agents/commandPolicy";
import { BackgroundJobManager, type JobOwner } from "../../src/orchestrator/background/jobManager";
import type { OrchestratorEvent } from "../../src/orchestrator/domain/events";
import type { TodoState } from "../../src/orchestrator/domain/state";
import { JobPermission } from "../../src/orchestrator/host/jobPermission";
import { silentLogger } from "../../src/orchestrator/common/logger";
import { MissionChecks } from "../../src/orchestrator/mission/missionChecks";
import { MissionStore } from "../../src/orchestrator/mission/missionStore";

const todo = (id: string, check: string): TodoState => ({ id, title: id, description: "", files: [`${id}.txt`], dependsOn: [], acceptance: "ok", kind: "code", status: "running", attempts: 1, sessions: [], reviewIssues: [], history: [], check });

test("TODOs whose check is the same command share one run that had not started; a run under way is not joined", async () => {
  const workspace = mkdtempSync(join(tmpdir(), "orch-checks-"));
  const jobs = new BackgroundJobManager({ workspace });
  try {
    const state = new MissionStore(workspace).create("Shared checks");
    const events: OrchestratorEvent[] = [];
    const claims: JobOwner[] = [];
    const checks = new MissionChecks({ state, jobs, claim: (_id, owner) => claims.push(owner), timeoutMs: 10_000, signal: new AbortController().signal, persist: (e) => events.push(e), save: () => undefined, checksAtOnce: 1 });
    // Each run appends a line: the file counts the runs.
    const command = "echo run >> runs.txt; sleep 0.2; test -s runs.txt";
    const [t0, t1, t2, t3, late] = ["T0", "T1", "T2", "T3", "L"].map((id) => todo(id, command)) as [TodoState, TodoState, TodoState, TodoState, TodoState];
    const started = async (todoId: string) => {
      while (!events.some((e) => e.type === "check.started" && e.todoId === todoId)) await new Promise((resolve) => setTimeout(resolve, 10));
    };
    const first = checks.ofTodo(t0);
    await started("T0"); // T0's run takes the one slot
    const waiting = [t1, t2, t3].map((t) => checks.ofTodo(t)); // one run for the three, once the slot is free
    await started("T1");
    const after = checks.ofTodo(late); // their run is under way: a run of its own
    assert.deepEqual(await Promise.all([first, ...waiting, after]), [undefined, undefined, undefined, undefined, undefined], "every check passed");
    assert.equal(readFileSync(join(workspace, "runs.txt"), "utf8"), "run\nrun\nrun\n", "three runs for five TODOs");
    const jobOf = (t: TodoState) => t.checkResult?.jobId;
    assert.equal(jobOf(t1), jobOf(t2));
    assert.equal(jobOf(t2), jobOf(t3));
    assert.equal(new Set([jobOf(t0), jobOf(t1), jobOf(late)]).size, 3);
    assert.deepEqual(claims.map((c) => c.todoIds), [["T0"], ["T1", "T2", "T3"], ["L"]], "the shared run's job is the three TODOs'");
    const finished = events.filter((e) => e.type === "check.finished").map((e) => ("todoId" in e ? e.todoId : undefined));
    assert.deepEqual([...finished].sort(), ["L", "T0", "T1", "T2", "T3"], "each TODO's result is journaled on it");
    for (const t of [t0, t1, t2, t3, late]) assert.equal(t.checkResult?.status, "passed");
  } finally {
    await jobs.dispose();
    rmSync(workspace, { recursive: true, force: true });
  }
});

test("the project's check from the settings passes the permission rules as a plan's does", async () => {
  const workspace = mkdtempSync(join(tmpdir(), "orch-checks-"));
  const jobs = new BackgroundJobManager({ workspace });
  jobs.setGate(new JobPermission(async () => permissionRules({ bash: { "*": "allow", "rm *": "deny" } }), async () => "reject", silentLogger, workspace).gate);
  try {
    writeFileSync(join(workspace, "keep.txt"), "kept\n");
    const state = new MissionStore(workspace).create("Settings' check");
    const checks = new MissionChecks({ state, jobs, claim: () => undefined, timeoutMs: 10_000, signal: new AbortController().signal, command: "rm -f keep.txt", persist: () => undefined, save: () => undefined });
    assert.equal(await checks.wholeFails(), false, "a refused check is no failure to fix");
    assert.equal(state.checkResult?.status, "refused");
    assert.match(state.checkResult?.tail ?? "", /rule bash "rm \*": deny/);
    assert.equal(readFileSync(join(workspace, "keep.txt"), "utf8"), "kept\n", "the denied command never ran");
    assert.equal(jobs.list().length, 0, "no job started");
  } finally {
    await jobs.dispose();
    rmSync(workspace, { recursive: true, force: true });
  }
});
