/** The event stream drops for real (its TCP connections are cut) and turns still complete. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { agentName } from "../../src/orchestrator/agents/roles";
import { WorkerReport } from "../../src/orchestrator/domain/schemas";
import { Engine } from "../../src/orchestrator/engine/engine";
import { memoryLogger } from "../../src/orchestrator/logger";
import { call, structured, tools } from "../../src/orchestrator/scriptedModel/scenario";
import { startCuttableProxy, type CuttableProxy } from "../support/cuttableProxy";
import { SCRIPTED_MODEL, startEngineHarness, type EngineHarness } from "../support/engineHarness";

let h: EngineHarness;
let proxy: CuttableProxy;
let viaProxy: Engine;

before(async () => {
  h = await startEngineHarness({ roles: {} });
  proxy = await startCuttableProxy(h.engine.credentials.url);
  // Attach a second engine through the proxy: its event stream is the one we cut.
  viaProxy = await Engine.attach({ directory: h.sandbox.workspace, url: proxy.url, password: h.engine.credentials.password, logger: memoryLogger() });
});

after(async () => {
  await viaProxy?.stop();
  await proxy?.close();
  await h?.close();
});

test("a turn completes although the event stream was cut while it ran", async () => {
  const file = join(h.sandbox.workspace, "after-cut.txt");
  const report = { status: "done", summary: "ok", filesChanged: ["after-cut.txt"], checksRun: [], notes: "" };
  h.model.setScenario({ latencyMs: 800, roles: { worker: (ctx) => (ctx.step === 0 ? tools(call("write", { filePath: file, content: "written\n" })) : structured(report)) } });
  const turn = viaProxy.runTurn({ title: "cut", agent: agentName("worker"), model: SCRIPTED_MODEL, prompt: "Write it", schema: WorkerReport, livenessMs: 30_000 });
  await new Promise((r) => setTimeout(r, 300));
  assert.ok(proxy.cut() > 0, "connections were open and are now cut");
  const result = await turn;
  assert.deepEqual(result.structured, report);
  assert.equal(readFileSync(file, "utf8"), "written\n");
  assert.ok(viaProxy.events.reconnects >= 1, "the stream reconnected by itself");
});

test("a turn whose idle event fell into the gap is found by the resync", async () => {
  const report = { status: "done", summary: "quick", filesChanged: [], checksRun: [], notes: "" };
  // Cut as soon as the model has the request; it answers 100 ms later, while the stream reconnects.
  h.model.setScenario({ latencyMs: 100, roles: { worker: [structured(report)] } });
  const before = viaProxy.events.reconnects;
  const asked = h.model.requests.length;
  const turn = viaProxy.runTurn({ title: "gap", agent: agentName("worker"), model: SCRIPTED_MODEL, prompt: "Report", schema: WorkerReport, livenessMs: 30_000 });
  while (h.model.requests.length === asked) await new Promise((r) => setTimeout(r, 5));
  proxy.cut();
  assert.deepEqual((await turn).structured, report);
  assert.ok(viaProxy.events.reconnects > before);
});
