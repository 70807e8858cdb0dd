/** The event stream drops for real (its TCP connections are cut) and turns still complete. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { agentName } from "../../src/orchestrator/agents/roles";
import { resultOf } from "../../src/orchestrator/engine/turn";
import { WorkerReport } from "../../src/orchestrator/domain/schemas";
import { Engine } from "../../src/orchestrator/engine/engine";
import { memoryLogger } from "../../src/orchestrator/common/logger";
import { call, structured, tools } from "../../src/orchestrator/scriptedModel/scenario";
import type { RecordedRequest } from "../../src/orchestrator/scriptedModel/server";
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

/** The first request the model receives after it had `asked` of them, as soon as it arrives. */
async function requestAfter(asked: number, timeoutMs = 30_000): Promise<RecordedRequest> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; ) {
    const request = h.model.requests[asked];
    if (request) return request;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`the model received no request within ${timeoutMs} ms`);
}

test("a turn completes although the event stream was cut while it ran", async () => {
  const file = join(h.sandbox.workspace, "after-cut.txt");
  const report = { status: "done", summary: "ok", filesChanged: ["after-cut.txt"], checksRun: [], notes: "" };
  h.model.setScenario({ latencyMs: 800, roles: { worker: (ctx) => (ctx.step === 0 ? tools(call("write", { filePath: file, content: "written\n" })) : structured(report)) } });
  const asked = h.model.requests.length;
  const turn = viaProxy.runTurn({ title: "cut", agent: agentName("worker"), model: SCRIPTED_MODEL, prompt: "Write it", schema: WorkerReport, livenessMs: 30_000 });
  let settled = false;
  void turn.then(() => (settled = true), () => (settled = true));
  // Cut while the Worker's first request is with the model, which answers it 800 ms later.
  const request = await requestAfter(asked);
  assert.ok(proxy.cut() > 0, "connections were open and are now cut");
  assert.equal(request.role, "worker");
  assert.equal(request.finishedAt, undefined, "the model had not yet answered when the stream was cut");
  assert.equal(settled, false, "the turn was still running when the stream was cut");
  const result = resultOf(await turn);
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
  await requestAfter(asked);
  proxy.cut();
  assert.deepEqual(resultOf(await turn).structured, report);
  assert.ok(viaProxy.events.reconnects > before);
});
