/** The OpenCode server is SIGKILLed mid-mission: it is restarted, the running TODOs resume in new sessions, nothing is lost. */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { Engine } from "../../src/orchestrator/engine/engine";
import { EnginePool } from "../../src/orchestrator/engine/enginePool";
import { memoryLogger } from "../../src/orchestrator/common/logger";
import { Commander } from "../../src/orchestrator/mission/commander";
import { MissionStore } from "../../src/orchestrator/mission/missionStore";
import { missionScenario, todo } from "../../src/orchestrator/scriptedModel/missionScenario";
import { SCRIPTED_MODEL, startEngineHarness, type EngineHarness } from "../support/engineHarness";
import { processesInGroup } from "../support/processes";

let h: EngineHarness;
before(async () => {
  h = await startEngineHarness({ roles: {} });
});
after(async () => {
  await h?.close();
});

test("SIGKILL of the server mid-mission: restarted once, running TODOs redone in new sessions, sealed", async (t) => {
  const asked = h.model.requests.length;
  const plan = { todos: [todo("K1"), todo("K2"), todo("K3"), todo("K4", ["K1", "K2", "K3"])] };
  h.model.setScenario(missionScenario({ workspace: h.sandbox.workspace, plans: [plan], workerLatencyMs: () => 1000 }));
  // A pool of one: its turns wait for the restart, as the single engine always did.
  const pool = new EnginePool<Engine>({ size: 1, first: h.engine, start: () => h.startAnother(), logger: memoryLogger() });
  const commander = Commander.create("Survive a crash", { engine: pool, store: new MissionStore(h.sandbox.workspace), logger: memoryLogger(), model: SCRIPTED_MODEL, limits: { recoveryBaseDelayMs: 100 } });
  let workersStarted = 0;
  let killed = 0;
  const crashed = h.engine.server?.pid as number;
  commander.events.on((event) => {
    if (event.type === "turn.started" && event.role === "worker" && ++workersStarted === 3) {
      killed = Date.now();
      process.kill(-crashed, "SIGKILL");
    }
  });
  const state = await commander.run();
  assert.ok(killed > 0, "the server was killed while three Workers ran");
  assert.equal(state.status, "sealed", state.report);
  assert.equal(pool.restarts, 1);
  assert.notEqual(pool.members()[0]?.member, h.engine, "a new server runs the rest of the mission");
  assert.deepEqual(processesInGroup(crashed), [], "nothing of the killed server is left");
  for (const id of ["K1", "K2", "K3"]) {
    const t = state.todos.find((x) => x.id === id);
    assert.equal(t?.status, "done");
    assert.ok((t?.sessions.length ?? 0) >= 3, `${id}: a killed session, a new one, and its review`);
  }
  assert.equal(state.todos.length, 4, "no TODO lost");
  assert.equal(readFileSync(join(h.sandbox.workspace, "k4.txt"), "utf8"), "K4 attempt 1\n");
  assert.ok(existsSync(join(h.sandbox.workspace, "k1.txt")));
  t.diagnostic(`server SIGKILL: ${h.model.requests.length - asked} model requests`);
});
