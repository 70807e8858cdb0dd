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
import type { HostSettings } from "../../src/orchestrator/host/hostSettings";
import { MissionHost } from "../../src/orchestrator/host/missionHost";
import { memoryLogger, RedactingLogger } from "../../src/orchestrator/logger";
import { missionScenario, todo } from "../../src/orchestrator/scriptedModel/missionScenario";
import { startScriptedModel } from "../../src/orchestrator/scriptedModel/server";
import { SCRIPTED_MODEL, writeScriptedOpencodeJson } from "../support/engineHarness";
import { BUNDLED_OPENCODE, createSandbox } from "../support/isolation";

test("four slow turns at once are overload, not four stalls: once the burst shows, no more are aborted, the parallel limit is lowered, the mission seals", async () => {
  const sandbox = createSandbox("orch-overload-");
  const ids = ["O1", "O2", "O3", "O4"];
  // Every Worker reply takes 5 s: silent past the 2 s liveness limit, but well within 4× of it.
  const model = await startScriptedModel(missionScenario({ workspace: sandbox.workspace, plans: [{ todos: ids.map((id) => todo(id)) }], workerLatencyMs: () => 5_000 }));
  writeScriptedOpencodeJson(sandbox.workspace, model.baseURL);
  const host = new MissionHost({ workspace: sandbox.workspace, logger: new RedactingLogger(memoryLogger()), engineEnv: sandbox.env });
  const settings: HostSettings = { opencodePath: BUNDLED_OPENCODE, serverUrl: "", model: SCRIPTED_MODEL, demoMode: "never", models: {}, limits: { livenessMs: 2_000, maxParallelSessions: 4 } };
  try {
    const final = await host.run("Four slow TODOs", settings);
    assert.equal(final.status, "sealed", `${final.report}\n${host.view.timeline.map((e) => e.text).join("\n")}`);
    const journal = readFileSync(join(sandbox.workspace, ".opencode", "orchestrator", "missions", final.missionId as string, "events.jsonl"), "utf8")
      .split("\n").filter(Boolean).map((line) => JSON.parse(line) as { event?: OrchestratorEvent });
    const events = journal.map((r) => r.event).filter((e): e is OrchestratorEvent => !!e);
    // Turns begin a little apart: the first to cross the limit may be aborted before the burst shows (at most two).
    const retries = events.filter((e) => e.type === "turn.retry");
    assert.ok(retries.length <= 2, `at most the first two were aborted: ${host.view.timeline.map((e) => `${e.at % 100000} ${e.text}`).join("\n")}`);
    assert.ok(events.some((e) => e.type === "limit.changed" && e.limit < 4), "the parallel limit was lowered instead");
    assert.ok(final.todos.every((t) => t.attempts === 1), "no TODO needed another attempt");
  } finally {
    await host.dispose();
    await model.close();
    sandbox.remove();
  }
});
