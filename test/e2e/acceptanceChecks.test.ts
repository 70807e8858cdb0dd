/**
 * Acceptance checks the Commander runs itself, against the real OpenCode server and a scripted
 * model whose Workers and Reviewer are careless on purpose: a check's exit status decides, before
 * any review request is spent, and a lenient Reviewer cannot seal over a failing check.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { PlannedTodo } from "../../src/orchestrator/domain/schemas";
import { launcher } from "../../src/orchestrator/process/launcher";
import { todo, type MissionScript } from "../../src/orchestrator/scriptedModel/missionScenario";
import { parentOf, processesInGroup } from "../support/processes";
import { SCRIPTED_SETTINGS as settings, withScriptedHost, type ScriptedHost } from "../support/scriptedHost";

/** One sandbox, one scripted model, one host per test: the Planner's answers are the test's own. */
const withMission = (script: Omit<MissionScript, "workspace">, body: (run: ScriptedHost) => Promise<void>) => withScriptedHost(() => script, body, { prefix: "orch-checks-" });

const checked = (id: string, check: string, files?: string[]): PlannedTodo => ({ ...todo(id, [], files), check });

test("a failing acceptance check sends the TODO back with the output before any review request; the fixed attempt is reviewed with the check's result", async () => {
  await withMission(
    {
      plans: [{ todos: [checked("C1", "grep -q good c1.txt || { echo 'expected good, found:'; cat c1.txt; exit 3; }")] }],
      content: (_id, _file, _mission, attempt) => (attempt === 1 ? "bad\n" : "good\n"),
    },
    async ({ model, host, state, firstRequests }) => {
      const final = await host.run("Write c1", settings);
      assert.equal(final.status, "sealed", final.report);
      const workers = firstRequests("worker", "C1");
      assert.equal(workers.length, 2, "the failed check cost one more attempt");
      assert.ok(workers[0]?.tools.includes("orchestrator_background_start") && !workers[0].tools.includes("orchestrator_workspace_search"), `the chat's search is not offered to a mission's agents: ${workers[0]?.tools.join(", ")}`);
      assert.match(workers[0]?.prompt ?? "", /Check \(the orchestrator runs it when you report done; it must exit 0\): grep -q good c1\.txt/);
      assert.match(workers[1]?.prompt ?? "", /The check `grep -q good c1\.txt[^`]*` failed \(exit 3\)\. Its output ends with:\nexpected good, found:\nbad/);
      const reviews = firstRequests("reviewer", "C1");
      assert.equal(reviews.length, 1, "no review request was spent on the attempt whose check failed");
      assert.match(reviews[0]?.prompt ?? "", /Check run by the orchestrator: passed \(exit 0\) · command: grep -q good c1\.txt/);
      const c1 = state(final.missionId as string).todos[0];
      assert.equal(c1?.checkResult?.status, "passed");
      assert.equal(c1?.checkResult?.exitCode, 0);
      assert.equal(final.todos[0]?.check?.status, "passed", "the read model shows the check");
      // The check ran as a background job of the mission, attributed to its TODO.
      const jobs = [...host.view.jobs].reverse().filter((j) => j.owner?.role === "check");
      assert.equal(jobs.length, 2);
      assert.deepEqual(jobs.map((j) => j.owner?.todoIds), [["C1"], ["C1"]]);
      assert.deepEqual(jobs.map((j) => j.exitCode), [3, 0]);
      // 1 plan + 2 Worker attempts of 2 requests each + 1 review.
      assert.equal(model.scriptedSteps().length, 1 + 4 + 1, "requests spent");
    },
  );
});

test("a lenient Reviewer cannot pass a TODO whose check keeps failing: it is never reviewed, fails with the check's output, and the mission is not sealed", async () => {
  await withMission({ plans: [{ todos: [checked("C2", "echo 'TypeError: x is undefined'; exit 1")] }] }, async ({ host, state, firstRequests }) => {
    const final = await host.run("Write c2", settings);
    assert.notEqual(final.status, "sealed", "no seal over a failing check");
    assert.equal(firstRequests("reviewer", "C2").length, 0, "the Reviewer, which passes everything, was never asked");
    assert.equal(firstRequests("worker", "C2").length, 3, "maxAttemptsPerTodo attempts");
    const c2 = state(final.missionId as string).todos.find((t) => t.id === "C2");
    assert.equal(c2?.checkResult?.status, "failed");
    assert.match(JSON.stringify(c2?.history), /failed[^}]*acceptance check failed \(after 3 attempts\)/);
    assert.match(c2?.reviewIssues.join("\n") ?? "", /TypeError: x is undefined/);
  });
});

test("the project's check fails at the end: not sealed; a fix is planned from its output, and the mission seals once it passes", async () => {
  await withMission(
    {
      plans: [{ todos: [todo("M1")], check: "test -f fixed.txt || { echo 'fixed.txt is missing'; exit 2; }" }, { todos: [todo("FIX1", [], ["fixed.txt"])] }],
    },
    async ({ model, host, sandbox, state }) => {
      const final = await host.run("Write m1", settings);
      assert.equal(final.status, "sealed", final.report);
      assert.ok(existsSync(join(sandbox.workspace, "fixed.txt")));
      const s = state(final.missionId as string);
      assert.equal(s.checkResult?.status, "passed");
      const issue = s.syncIssues.find((i) => i.title === "The project's check fails");
      assert.ok(issue, "the failure became a sync issue");
      assert.match(issue.detail, /exit 2[\s\S]*fixed\.txt is missing/);
      assert.equal(issue.open, false, "closed once the fix passed review");
      const replan = model.requests.find((r) => r.role === "planner" && r.prompt.includes("Open sync issues to fix"));
      assert.match(replan?.prompt ?? "", /The project's check fails: The check `test -f fixed\.txt[^`]*` failed \(exit 2\)/);
      assert.deepEqual(s.todos.map((t) => `${t.id}:${t.status}`), ["M1:done", "FIX1:done"]);
      // 2 plans + 2 Workers of 2 requests + 2 reviews (M1's round, FIX1's round); the check itself costs none.
      assert.equal(model.scriptedSteps().length, 2 + 4 + 2, "requests spent");
    },
  );
});

test("orchestrator.checkCommand is the project's check over the plan's", async () => {
  await withMission({ plans: [{ todos: [todo("K1")], check: "exit 9" }] }, async ({ host, state }) => {
    const final = await host.run("Write k1", { ...settings, checkCommand: "test -f k1.txt" });
    assert.equal(final.status, "sealed", final.report);
    assert.equal(state(final.missionId as string).checkResult?.command, "test -f k1.txt");
    assert.equal(final.check?.status, "passed");
  });
});

test("the process launcher killed while checks run: those checks fail and their TODOs go back; checks and checkpoints go on in a new launcher; sealed", { skip: process.platform !== "linux" }, async (t) => {
  await withMission({ plans: [{ todos: [checked("X1", "sleep 1; test -s x1.txt"), checked("X2", "sleep 1; test -s x2.txt")] }] }, async ({ model, host, state }) => {
    let killed: { launcher: number; job: number } | undefined;
    const sub = host.view.updates.on((update) => {
      const job = update.jobIds.map((id) => host.view.job(id)).find((j) => j?.owner?.role === "check");
      if (killed || !job || job.pid <= 0) return;
      // A check's guard is the launcher's child.
      const pid = parentOf(job.pid);
      if (!pid || pid === process.pid) return;
      killed = { launcher: pid, job: job.pid };
      process.kill(pid, "SIGKILL");
    });
    try {
      const final = await host.run("Write x1 and x2", settings);
      assert.equal(final.status, "sealed", final.report);
      assert.ok(killed, "a check was running when the launcher was killed");
      const from = Number((await launcher.run("sh", ["-c", "echo $PPID"], { cwd: tmpdir(), env: process.env })).stdout.toString());
      assert.ok(from !== killed.launcher && parentOf(from) === process.pid, "a new launcher took over");
      assert.deepEqual(processesInGroup(killed.job), [], "nothing of the check that ran in it is left");
      const checks = host.view.jobs.filter((j) => j.owner?.role === "check");
      assert.ok(checks.some((j) => j.pid === killed?.job && j.exitCode === null), "the check in the killed launcher ended killed");
      const s = state(final.missionId as string);
      for (const todo of s.todos) {
        assert.equal(todo.checkResult?.status, "passed", `${todo.id}'s last check passed`);
        assert.deepEqual(todo.changes?.files.map((f) => f.path), [`${todo.id.toLowerCase()}.txt`], `${todo.id}'s changes were recorded: the checkpoints went on`);
      }
      assert.ok(s.todos.some((todo) => todo.attempts === 2), "a TODO whose check was killed went back to its Worker");
      t.diagnostic(`model requests: ${model.requests.length} (fault-free: 1 plan + 2 Workers of 2 + 1 review = 6)`);
    } finally {
      sub.dispose();
    }
  });
});
