/**
 * Plan approval with an estimate (orchestrator.approvePlan), through the front door against the
 * real OpenCode server and the scripted model, priced through the user's provider config as
 * OpenCode reads it. What is asserted is what happened: which Planner and Worker requests reached
 * the model, which files exist, what the mission's state and journal hold.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { PlanApproval } from "../../src/shared/planApproval";
import { todo } from "../../src/orchestrator/scriptedModel/missionScenario";
import type { HostSettings } from "../../src/orchestrator/host/hostSettings";
import { SCRIPTED_SETTINGS, withScriptedHost } from "../support/scriptedHost";

/**
 * Sonnet-like prices: the scripted model's short requests make a two-TODO plan cost about three
 * cents, estimated from the Planner's own turn (planEstimate.ts); a threshold under a cent asks.
 */
const PRICE = { input: 3, output: 15 };
const settings = (approvePlan: HostSettings["approvePlan"], approveAboveUsd = 0.005): HostSettings => ({ ...SCRIPTED_SETTINGS, approvePlan, limits: { approveAboveUsd } });

/** A plan approval as it was put to the user, with the TODOs the views listed meanwhile (the proposal's). */
type Asked = PlanApproval & { todoIds: string[] };

/** The figures of an estimate's line ("2 TODOs · ~6 turns, ~14 model requests · ~56k tokens · ~$0.52"). */
function figures(line: string): { todos: number; turns: number; requests: number; usd?: number } {
  const m = /^(\d+) TODOs? · ~(\d+) turns, ~(\d+) model requests/.exec(line);
  assert.ok(m, line);
  const usd = /~\$(\d+\.\d\d)/.exec(line)?.[1];
  return { todos: Number(m[1]), turns: Number(m[2]), requests: Number(m[3]), usd: usd === undefined ? undefined : Number(usd) };
}

const journal = (workspace: string, missionId: string) =>
  readFileSync(join(workspace, ".opencode", "orchestrator", "missions", missionId, "events.jsonl"), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { event: { type: string } & Record<string, unknown> }).event);

test("a plan above the threshold waits for the user: Replan with feedback asks a new Planner, Approve runs the new plan only", async () => {
  await withScriptedHost(
    () => ({ plans: [{ todos: [todo("A1", [], ["a1.txt"]), todo("A2", [], ["a2.txt"])] }, { todos: [todo("B1", [], ["b1.txt"])] }] }),
    async ({ sandbox, model, host, state, firstRequests }) => {
      const asked: Asked[] = [];
      let withdrawn = 0;
      host.planApprovals.changed.on((approval) => {
        if (!approval) return void withdrawn++;
        // What the user sees while deciding: the proposal's TODOs in the views, nothing run yet.
        asked.push({ ...approval, todoIds: host.model.todos.map((t) => t.id) });
        assert.deepEqual(host.model.planApproval, { round: approval.round });
        assert.equal(host.model.todos.length, approval.todos);
        assert.equal(model.requests.filter((r) => r.role === "worker").length, 0, "no Worker before the user decided");
        const decision = asked.length === 1 ? { kind: "replan" as const, feedback: "One file is enough: write b1.txt only." } : { kind: "approve" as const };
        setImmediate(() => assert.ok(host.answerPlanApproval(approval.missionId, decision)));
      });
      const final = await host.run("Write the files", settings("aboveCost"));
      assert.equal(final.status, "sealed", final.report);

      assert.equal(asked.length, 2, "the first plan and the replanned one were both put to the user");
      assert.equal(withdrawn, 2, "each request closed with its answer");
      const first = asked[0] as Asked;
      const estimate = figures(first.estimate.line);
      assert.equal(estimate.todos, 2);
      assert.deepEqual(first.todoIds, ["A1", "A2"]);
      assert.match(first.estimate.basis, /scaled to this mission's Planner turn, until this workspace has a mission/, "no past mission in this workspace");
      assert.ok((estimate.usd ?? 0) > 0.005, `priced from the provider config: ${first.estimate.line}`);
      assert.ok(estimate.requests > estimate.turns, "requests count steps, several per turn");
      assert.deepEqual(asked[1]?.todoIds, ["B1"]);
      assert.equal(asked[1]?.round, 2);

      const planners = model.requests.filter((r) => r.role === "planner" && r.step === 0 && r.attempt === 0);
      assert.equal(planners.length, 2, "one Planner turn per plan");
      assert.match(planners[1]?.prompt ?? "", /The user did not approve this plan:[\s\S]*A1: [\s\S]*The user's feedback on it:[\s\S]*One file is enough: write b1\.txt only\./);
      assert.equal(firstRequests("worker", "A1").length + firstRequests("worker", "A2").length, 0, "the declined plan never ran");
      assert.equal(firstRequests("worker", "B1").length, 1);
      assert.ok(existsSync(join(sandbox.workspace, "b1.txt")));
      assert.ok(!existsSync(join(sandbox.workspace, "a1.txt")) && !existsSync(join(sandbox.workspace, "a2.txt")));

      const saved = state(final.missionId as string);
      assert.deepEqual(saved.todos.map((t) => t.id), ["B1"], "only the approved plan's TODOs are the mission's");
      assert.equal(saved.proposal, null);
      assert.equal(saved.estimate?.todos, 1, "the estimate kept is the approved plan's");
      assert.ok(saved.usage.cost > 0, "OpenCode priced the turns too");
      assert.ok((saved.usage.requests ?? 0) >= saved.usage.turns, "model requests are counted");
      const events = journal(sandbox.workspace, saved.id).filter((e) => e.type.startsWith("plan."));
      assert.deepEqual(
        events.map((e) => [e.type, e.decision ?? e.round ?? ""]),
        [["plan.proposed", 1], ["plan.decided", "replan"], ["plan.proposed", 2], ["plan.decided", "approve"], ["plan.accepted", ""]],
      );
    },
    { prefix: "orch-approve-", modelCost: PRICE },
  );
});

test("Cancel stops before any Worker and keeps the plan; Resume puts the same plan again without a Planner turn; a plan under the threshold runs at once, estimated from the past mission", async () => {
  await withScriptedHost(
    () => ({ plans: [{ todos: [todo("C1", [], ["c1.txt"])] }, { todos: [todo("D1", [], ["d1.txt"])] }] }),
    async ({ sandbox, model, host, state }) => {
      let answer: "cancel" | "approve" = "cancel";
      const asked: Asked[] = [];
      host.planApprovals.changed.on((approval) => {
        if (!approval) return;
        asked.push({ ...approval, todoIds: host.model.todos.map((t) => t.id) });
        setImmediate(() => host.answerPlanApproval(approval.missionId, { kind: answer }));
      });
      const cancelled = await host.run("Write c1", settings("always"));
      assert.equal(cancelled.status, "stopped");
      assert.match(cancelled.stopReason ?? "", /plan was cancelled/);
      assert.equal(cancelled.resumable, true);
      assert.deepEqual(cancelled.todos.map((t) => t.id), ["C1"], "the cancelled plan is still shown");
      assert.equal(model.requests.filter((r) => r.role === "worker").length, 0, "no Worker ran");
      assert.ok(!existsSync(join(sandbox.workspace, "c1.txt")));
      const id = cancelled.missionId as string;
      assert.deepEqual(state(id).proposal?.todos.map((t) => t.id), ["C1"]);

      answer = "approve";
      // Resume runs the mission to its end.
      assert.deepEqual(await host.resume(settings("always")), { ok: true });
      assert.equal(host.model.status, "sealed", host.model.report);
      assert.equal(asked.length, 2, "the same plan was put again");
      assert.deepEqual(asked[1]?.todoIds, ["C1"]);
      assert.equal(model.requests.filter((r) => r.role === "planner" && r.step === 0 && r.attempt === 0).length, 1, "Resume spent no Planner turn");
      assert.ok(existsSync(join(sandbox.workspace, "c1.txt")));

      // Far under a generous threshold: no question, and the estimate learns from the mission above.
      const cheap = await host.run("Write d1", settings("aboveCost", 1_000));
      assert.equal(cheap.status, "sealed", cheap.report);
      assert.equal(asked.length, 2, "not asked");
      const estimate = state(cheap.missionId as string).estimate;
      assert.equal(estimate?.basis, "history");
      assert.equal(estimate?.missions, 1);
      const past = state(id);
      const workerTurns = past.usageByRole.worker?.turns ?? 0;
      assert.equal(estimate?.turns, Math.ceil(workerTurns + (past.usageByRole.reviewer?.turns ?? 0)), "a one-TODO plan takes what the one-TODO mission before it took");
    },
    { prefix: "orch-approve-", modelCost: PRICE },
  );
});

test("Stop while the plan waits withdraws the question; the mission stays resumable with its plan", async () => {
  await withScriptedHost(
    () => ({ plans: [{ todos: [todo("S1", [], ["s1.txt"])] }] }),
    async ({ model, host, state }) => {
      const seen: Array<PlanApproval | undefined> = [];
      host.planApprovals.changed.on((approval) => {
        seen.push(approval);
        if (approval) setImmediate(() => host.stop());
      });
      const final = await host.run("Write s1", settings("always"));
      assert.equal(final.status, "stopped");
      assert.equal(seen.length, 2, "asked, then withdrawn");
      assert.equal(seen[1], undefined);
      assert.equal(host.planApprovals.pending, undefined);
      assert.equal(host.answerPlanApproval(final.missionId as string, { kind: "approve" }), false, "a late answer finds nothing to approve");
      assert.equal(model.requests.filter((r) => r.role === "worker").length, 0);
      assert.equal(state(final.missionId as string).proposal?.todos.length, 1);
      assert.equal(final.resumable, true);
    },
    { prefix: "orch-approve-" },
  );
});

test("a Replan the Planner cannot answer puts the plan again with the reason; a Stop while it replans keeps the feedback for Resume", async () => {
  await withScriptedHost(
    // The Replan's Planner answers an invalid plan (an unknown dependency) on each of its 3 attempts.
    () => {
      const invalid = { todos: [todo("X1", ["nowhere"], ["x1.txt"])] };
      return { plans: [{ todos: [todo("A1", [], ["a1.txt"])] }, invalid, invalid, invalid, { todos: [todo("B1", [], ["b1.txt"])] }, { todos: [todo("C1", [], ["c1.txt"])] }] };
    },
    async ({ model, host, state }) => {
      const asked: Asked[] = [];
      const first = host.planApprovals.changed.on((approval) => {
        if (!approval) return;
        asked.push({ ...approval, todoIds: host.model.todos.map((t) => t.id) });
        const answer = asked.length === 1 ? { kind: "replan" as const, feedback: "Split it." } : asked.length === 2 ? { kind: "replan" as const, feedback: "Then write b1 instead." } : { kind: "approve" as const };
        setImmediate(() => host.answerPlanApproval(approval.missionId, answer, approval.round));
      });
      const final = await host.run("Write a1", settings("always"));
      assert.equal(final.status, "sealed", final.report);
      assert.equal(asked.length, 3);
      assert.deepEqual(asked[1]?.todoIds, ["A1"], "the plan the user had, put again");
      assert.equal(asked[1]?.round, 1);
      assert.match(asked[1]?.note ?? "", /could not plan again from your feedback/);
      assert.deepEqual(asked[2]?.todoIds, ["B1"]);
      assert.deepEqual(state(final.missionId as string).todos.map((t) => t.id), ["B1"]);
      assert.equal(model.requests.filter((r) => r.role === "worker").length > 0, true);
      first.dispose();

      // A Stop while the Planner works on a Replan: the feedback is kept, and Resume asks for that Replan again.
      const seen: PlanApproval[] = [];
      const sub = host.planApprovals.changed.on((approval) => {
        if (!approval) return;
        seen.push(approval);
        if (seen.length === 1) setImmediate(() => host.answerPlanApproval(approval.missionId, { kind: "replan", feedback: "Write c1 please." }, approval.round));
        else setImmediate(() => host.answerPlanApproval(approval.missionId, { kind: "approve" }, approval.round));
      });
      const stopWhilePlanning = host.view.updates.on(() => {
        if (host.model.status === "planning" && seen.length === 1) host.stop();
      });
      const stopped = await host.run("Write c1", settings("always"));
      stopWhilePlanning.dispose();
      assert.equal(stopped.status, "stopped");
      const kept = state(stopped.missionId as string).proposal;
      assert.equal(kept?.feedback, "Write c1 please.", "the Replan asked for survives the Stop");
      assert.equal(host.model.todos.length, 0, "the plan being replaced is not listed as if it waited");
      assert.deepEqual(await host.resume(settings("always")), { ok: true });
      assert.equal(host.model.status, "sealed", host.model.report);
      const planners = model.requests.filter((r) => r.role === "planner" && r.step === 0 && r.attempt === 0);
      assert.match(planners.at(-1)?.prompt ?? "", /Write c1 please\./, "Resume asked the Planner for the Replan");
      sub.dispose();
    },
    { prefix: "orch-approve-" },
  );
});
