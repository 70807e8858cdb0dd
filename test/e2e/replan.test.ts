/**
 * Replans against the real OpenCode server and a scripted Planner that reuses ids, as real models
 * do: ids are the orchestrator's bookkeeping, so a reused one is given a fresh id (and the plan's
 * dependencies follow it) instead of sending the Planner back until the mission stops.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { todo } from "../../src/orchestrator/scriptedModel/missionScenario";
import { structured } from "../../src/orchestrator/scriptedModel/scenario";
import { SCRIPTED_SETTINGS as settings, withScriptedHost } from "../support/scriptedHost";

const failing = ["L1", "L2", "L3", "L4", "L5"];

test("five TODOs fail; the replan reuses three of their ids and depends on one: fresh ids, the dependency follows, the Planner is not sent back, sealed", async () => {
  await withScriptedHost(
    () => ({
      plans: [{ todos: failing.map((id) => todo(id)) }, { todos: [todo("L1"), todo("L2"), todo("L3"), todo("M1", ["L1"]), todo("M2")] }],
      // The first plan's Workers report failure; the replan's TODOs (fresh ids) do their work.
      workerOverride: (id, _attempt, ctx) => (failing.includes(id) && ctx.step === 0 ? structured({ status: "failed", summary: `${id} did not work out`, filesChanged: [], checksRun: [], notes: "" }) : undefined),
    }),
    async ({ host, model, sandbox, state }) => {
      const final = await host.run("Five pieces", { ...settings, limits: { maxAttemptsPerTodo: 1 } });
      assert.equal(final.status, "sealed", final.report);
      const persisted = state(final.missionId as string);
      assert.deepEqual(
        persisted.todos.map((t) => `${t.id}:${t.status}`),
        [...failing.map((id) => `${id}:replaced`), "L1.2:done", "L2.2:done", "L3.2:done", "M1:done", "M2:done"],
      );
      const m1 = persisted.todos.find((t) => t.id === "M1");
      assert.deepEqual(m1?.dependsOn, ["L1.2"], "a dependency on a reused id means the new TODO");
      const doneAt = (id: string) => persisted.todos.find((t) => t.id === id)?.history.find((h) => h.status === "done")?.at ?? Infinity;
      const startedAt = (id: string) => persisted.todos.find((t) => t.id === id)?.history.find((h) => h.status === "running")?.at ?? -Infinity;
      assert.ok(startedAt("M1") >= doneAt("L1.2"), "M1 waited for the new L1");
      assert.equal(readFileSync(join(sandbox.workspace, "l1.txt"), "utf8"), "L1.2 attempt 1\n");

      const journal = readFileSync(join(sandbox.workspace, ".opencode", "orchestrator", "missions", final.missionId as string, "events.jsonl"), "utf8")
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line).event as { type: string; replan?: boolean; todoIds?: string[]; renamed?: Record<string, string> });
      assert.deepEqual(journal.filter((e) => e.type === "plan.rejected"), [], "the Planner was never sent back");
      const replan = journal.find((e) => e.type === "plan.accepted" && e.replan);
      assert.deepEqual(replan?.todoIds, ["L1.2", "L2.2", "L3.2", "M1", "M2"]);
      assert.deepEqual(replan?.renamed, { L1: "L1.2", L2: "L2.2", L3: "L3.2" });
      assert.ok(host.view.timeline.some((e) => e.text === "Replan accepted: L1.2, L2.2, L3.2, M1, M2 (reused ids renamed: L1 → L1.2, L2 → L2.2, L3 → L3.2)"));
      assert.equal(model.requests.filter((r) => r.role === "planner" && r.step === 0 && r.attempt === 0).length, 2, "one plan, one replan: no correction asked");
    },
    { prefix: "orch-replan-" },
  );
});
