/**
 * A Worker's shell command that leaves its process group (`setsid … &`) through the real OpenCode
 * server's bash tool: when the server is stopped, that process is ended with it — no orphan. The
 * process is found by a marker in its command line: in the server's PID namespace, `$$` is not ours.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { missionScenario, todo } from "../../src/orchestrator/scriptedModel/missionScenario";
import { call, tools, type Reply, type RequestContext } from "../../src/orchestrator/scriptedModel/scenario";
import { startEngineHarness, type EngineHarness } from "../support/engineHarness";
import { commanderFor } from "../support/missionHarness";
import { processesWithArgument, sleepMarker, until } from "../support/processes";

let h: EngineHarness;
const escaped = sleepMarker();
before(async () => {
  h = await startEngineHarness({ roles: {} });
});
after(async () => {
  await h?.close();
  // Only if an assertion failed: never leave the escaped process behind (by its pid).
  for (const pid of processesWithArgument(escaped)) process.kill(pid, "SIGKILL");
});

test("a process a Worker's bash tool moved to a session of its own dies with the server", async () => {
  const base = missionScenario({ workspace: h.sandbox.workspace, plans: [{ todos: [todo("S1")] }] });
  const baseWorker = base.roles.worker as (ctx: RequestContext) => Reply;
  const startedFile = join(h.sandbox.workspace, "escaped.started");
  h.model.setScenario({
    ...base,
    roles: {
      ...base.roles,
      worker: (ctx) => {
        if (ctx.step === 0) return tools(call("bash", { command: `setsid sh -c 'echo started > ${startedFile}; exec sleep ${escaped}' >/dev/null 2>&1 < /dev/null &`, description: "Start a watcher of its own" }));
        return baseWorker({ ...ctx, step: ctx.step - 1 });
      },
    },
  });
  const { commander } = commanderFor(h, "Leave something running");
  const state = await commander.run();
  assert.equal(state.status, "sealed", state.report);
  assert.ok(existsSync(startedFile), "the Worker's command ran");
  await until(() => processesWithArgument(escaped).length > 0);
  assert.equal(processesWithArgument(escaped).length, 1, "the escaped process runs while the server does");
  await h.engine.stop(1_000);
  assert.deepEqual(processesWithArgument(escaped), [], "stopping the server ended the process that had left its group");
});
