/** Background jobs through the real OpenCode server: the agent calls our MCP tools, the job runs in the workspace. */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { agentName } from "../../src/orchestrator/agents/roles";
import { BackgroundJobManager } from "../../src/orchestrator/background/jobManager";
import { startMcpServer, type RunningMcpServer } from "../../src/orchestrator/background/mcpServer";
import { memoryLogger } from "../../src/orchestrator/logger";
import { call, text, tools } from "../fixtures/scripted-model/scenario";
import { SCRIPTED_MODEL, startEngineHarness, type EngineHarness } from "../support/engineHarness";

let h: EngineHarness;
let jobs: BackgroundJobManager;
let mcp: RunningMcpServer;

before(async () => {
  h = await startEngineHarness({ roles: {} }, undefined, async (sandbox) => {
    jobs = new BackgroundJobManager({ workspace: sandbox.workspace });
    mcp = await startMcpServer(jobs, memoryLogger());
    return { mcp: mcp.config() };
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
  const result = await h.engine.runTurn({ title: "background", agent: agentName("worker"), model: SCRIPTED_MODEL, prompt: "Build it in the background" });
  assert.equal(result.text, "The build ran in the background.");
  const requests = h.model.requests.slice(asked);
  assert.ok(requests[0]?.tools.includes("orchestrator_background_start"), "OpenCode offers our tools to the model");
  assert.match(requests[1]?.lastToolResult ?? "", /"status": "running"/, "background_start returned at once");
  assert.match(requests[4]?.lastToolResult ?? "", /"status": "exited"[\s\S]*building\\ndone/);
  assert.equal(readFileSync(join(h.sandbox.workspace, "built.txt"), "utf8"), "built\n");
  assert.equal(jobs.running().length, 0);
  assert.ok(existsSync(jobs.list()[0]?.logFile ?? ""), "the full output is in the job's log file");
});
