/**
 * The liveness watchdog under load, against the real OpenCode server: when every running turn is
 * slow at once (a model or server that cannot keep up), the turns are given more time and the
 * parallel limit is lowered, instead of each being aborted as stalled and retried (which only adds
 * to the load). A lone stall is still aborted (test/e2e/faults.test.ts).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { OrchestratorEvent } from "../../src/orchestrator/domain/events";
import { todo } from "../../src/orchestrator/scriptedModel/missionScenario";
import { SCRIPTED_SETTINGS, withScriptedHost } from "../support/scriptedHost";

const ids = ["O1", "O2", "O3", "O4"];

test("four slow turns at once are overload, not four stalls: once the burst shows, no more are aborted, the parallel limit is lowered, the mission seals", () =>
  withScriptedHost(
    // Every Worker reply takes 5 s: silent past the 2 s liveness limit, but well within 4× of it.
    () => ({ plans: [{ todos: ids.map((id) => todo(id)) }], workerLatencyMs: () => 5_000 }),
    async ({ host, sandbox, model }) => {
      const final = await host.run("Four slow TODOs", { ...SCRIPTED_SETTINGS, limits: { livenessMs: 2_000, maxParallelSessions: 4 } });
      assert.equal(final.status, "sealed", `${final.report}\n${host.view.timeline.map((e) => e.text).join("\n")}`);
      const journal = readFileSync(join(sandbox.workspace, ".opencode", "orchestrator", "missions", final.missionId as string, "events.jsonl"), "utf8")
        .split("\n").filter(Boolean).map((line) => JSON.parse(line) as { event?: OrchestratorEvent });
      const events = journal.map((r) => r.event).filter((e): e is OrchestratorEvent => !!e);
      // Turns begin a little apart: the first to cross the limit may be aborted before the burst shows (at most two).
      const retries = events.filter((e) => e.type === "turn.retry");
      assert.ok(retries.length <= 2, `at most the first two were aborted: ${host.view.timeline.map((e) => e.text).join("\n")}`);
      assert.ok(events.some((e) => e.type === "limit.changed" && e.limit < 4), "the parallel limit was lowered instead");
      assert.ok(final.todos.every((t) => t.attempts === 1), "no TODO needed another attempt");
      assert.ok(model.requests.filter((r) => r.role === "worker" && r.step === 0).length <= ids.length + 2);
    },
    { prefix: "orch-overload-" },
  ));
