/** Background jobs through the real OpenCode server: the agent calls our MCP tools, the job runs in the workspace. */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { agentName } from "../../src/orchestrator/agents/roles";
import { resultOf } from "../../src/orchestrator/engine/turn";
import { BackgroundJobManager } from "../../src/orchestrator/background/jobManager";
import { startMcpServer, type RunningMcpServer } from "../../src/orchestrator/background/mcpServer";
import { memoryLogger } from "../../src/orchestrator/common/logger";
import { missionScenario, todo } from "../../src/orchestrator/scriptedModel/missionScenario";
import { call, text, tools, type Reply, type RequestContext } from "../../src/orchestrator/scriptedModel/scenario";
import { commanderFor } from "../support/missionHarness";
import { processesInGroup } from "../support/processes";
import { SCRIPTED_MODEL, startEngineHarness, type EngineHarness } from "../support/engineHarness";

let h: EngineHarness;
let jobs: BackgroundJobManager;
let mcp: RunningMcpServer;

before(async () => {
  h = await startEngineHarness({ roles: {} }, undefined, async (sandbox) => {
    jobs = new BackgroundJobManager({ workspace: sandbox.workspace });
    mcp = await startMcpServer(jobs, memoryLogger());
    return { mcp };
  });
});

after(async () => {
  await h?.close();
  await jobs?.dispose();
  await mcp?.close();
});

test("the MCP server answers only with its token", async () => {
  assert.equal((await fetch(mcp.url, { method: "POST", body: "{}" })).status, 401);
  assert.equal((await fetch(mcp.url, { method: "POST", body: "{}", headers: { authorization: "Bearer wrong" } })).status, 401);
  assert.match(mcp.url, /^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
});

test("a Worker starts a background job, checks it, and reads its output without blocking its turn", async () => {
  h.model.setScenario({
    roles: {
      worker: (ctx) => {
        if (ctx.step === 0) return tools(call("orchestrator_background_start", { command: "echo building; sleep 1; echo built > built.txt; echo done" }));
        const jobId = /"jobId": "([^"]+)"/.exec(ctx.toolResults[0] ?? "")?.[1] ?? "missing";
        if (ctx.step === 1) return tools(call("orchestrator_background_status", { jobId }));
        if (ctx.step === 2) return tools(call("bash", { command: "sleep 1.5", description: "wait for the build" }));
        if (ctx.step === 3) return tools(call("orchestrator_background_output", { jobId }));
        return text("The build ran in the background.");
      },
    },
  });
  const asked = h.model.requests.length;
  const result = resultOf(await h.engine.runTurn({ title: "background", agent: agentName("worker"), model: SCRIPTED_MODEL, prompt: "Build it in the background" }));
  assert.equal(result.text, "The build ran in the background.");
  const requests = h.model.requests.slice(asked);
  assert.ok(requests[0]?.tools.includes("orchestrator_background_start"), "OpenCode offers our tools to the model");
  assert.match(requests[1]?.lastToolResult ?? "", /"status": "running"/, "background_start returned at once");
  assert.match(requests[4]?.lastToolResult ?? "", /"status": "exited"[\s\S]*building\\ndone/);
  assert.equal(readFileSync(join(h.sandbox.workspace, "built.txt"), "utf8"), "built\n");
  assert.equal(jobs.running().length, 0);
  assert.ok(existsSync(jobs.list()[0]?.logFile ?? ""), "the full output is in the job's log file");
});

test("a background job that never ends: the mission waits for its own job until its timeout kills the tree, then seals; another's job does not hold it", async (t) => {
  const foreign = jobs.start("sleep 300"); // another mission's job on the same server
  jobs.claim(foreign.id, { missionId: "another", role: "worker", todoIds: ["X9"] });
  const base = missionScenario({ workspace: h.sandbox.workspace, plans: [{ todos: [todo("J1"), todo("J2")] }] });
  const baseWorker = base.roles.worker as (ctx: RequestContext) => Reply;
  h.model.setScenario({
    ...base,
    roles: {
      ...base.roles,
      worker: (ctx) => {
        // J1 starts a watcher that would run forever (its child too), with a 2 s timeout, and reports at once.
        if (ctx.prompt.includes('<todo id="J1"') && ctx.step === 0) return tools(call("orchestrator_background_start", { command: "sh -c 'sleep 600' & sleep 600", timeoutSeconds: 2 }));
        return baseWorker({ ...ctx, step: ctx.prompt.includes('<todo id="J1"') ? ctx.step - 1 : ctx.step });
      },
    },
  });
  const asked = h.model.requests.length;
  const { commander, events } = commanderFor(h, "Watch forever", {}, { jobs });
  const state = await commander.run();
  assert.equal(state.status, "sealed", state.report);
  const started = events.map(({ event }) => event).find((e) => e.type === "job.started");
  assert.ok(started?.type === "job.started" && started.todoIds.join() === "J1", `the job is J1's: ${JSON.stringify(started)}`);
  const job = jobs.get(started.jobId);
  assert.equal(job?.status, "timed-out", "its timeout ended it");
  assert.deepEqual(job?.owner, { missionId: state.id, role: "worker", todoIds: ["J1"] });
  const sealedAt = events.find(({ event }) => event.type === "mission.status" && event.status === "sealed")?.at ?? 0;
  assert.ok((job?.endedAt ?? Infinity) <= sealedAt, "sealed only after its job ended");
  assert.deepEqual(processesInGroup(job?.pid ?? 0), [], "nothing of the job's process group is left");
  assert.equal(foreign.status, "running", "the foreign job neither held the mission nor was touched");
  assert.equal(state.todos.filter((x) => x.status === "done").length, 2, "no TODO lost");
  await jobs.kill(foreign.id);
  t.diagnostic(`never-ending job: ${h.model.requests.length - asked} model requests`);
});
