/** The engine against the real `opencode serve` and the scripted model. */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { WorkerReport } from "../../src/orchestrator/domain/schemas";
import { agentName } from "../../src/orchestrator/agents/roles";
import { resultOf } from "../../src/orchestrator/engine/turn";
import { SessionError, TurnAbortedError, TurnStalledError } from "../../src/orchestrator/engine/errors";
import { call, structured, text, tools } from "../../src/orchestrator/scriptedModel/scenario";
import { busySessions, SCRIPTED_MODEL, startEngineHarness, type EngineHarness } from "../support/engineHarness";
import { createSandbox } from "../support/isolation";
import { followOutput, processesInGroup } from "../support/processes";

const report = { status: "done", summary: "Wrote the greeting.", filesChanged: ["hello.txt"], checksRun: [], notes: "" };

describe("engine against real OpenCode", () => {
  let h: EngineHarness;
  before(async () => {
    h = await startEngineHarness({ roles: {} });
  });
  after(async () => {
    await h?.close();
  });

  test("a Worker turn makes OpenCode write a file into the workspace", async () => {
    const file = join(h.sandbox.workspace, "hello.txt");
    h.model.setScenario({ roles: { worker: [tools(call("write", { filePath: file, content: "Hello from the Worker\n" })), text("I wrote hello.txt.")] } });
    const result = resultOf(await h.engine.runTurn({ title: "write hello", agent: agentName("worker"), model: SCRIPTED_MODEL, prompt: "Create hello.txt" }));
    assert.equal(readFileSync(file, "utf8"), "Hello from the Worker\n");
    assert.equal(result.text, "I wrote hello.txt.");
    assert.ok(result.tokens.input > 0, "token usage rolls up from the assistant messages");
    const workerRequests = h.model.requests.filter((r) => r.role === "worker");
    assert.equal(workerRequests.length, 2, "one request for the tool call, one after its result");
    assert.equal(h.model.requests.filter((r) => r.role === "other").length, 0, "titled sessions cost no extra title request");
  });

  test("a json_schema turn returns the structured object, parsed with zod", async () => {
    h.model.setScenario({ roles: { worker: (ctx) => (ctx.structured ? structured(report) : text("no schema offered")) } });
    const result = resultOf(await h.engine.runTurn({ title: "report", agent: agentName("worker"), model: SCRIPTED_MODEL, prompt: "Report", schema: WorkerReport }));
    assert.deepEqual(result.structured, report);
    const last = h.model.requests.at(-1);
    assert.ok(last?.structured, "OpenCode offered the StructuredOutput tool");
  });

  test("a request without the server password gets 401", async () => {
    const url = h.engine.credentials.url;
    // OpenCode 1 guards every path; OpenCode 2 its API (its web app's pages answer anyone, and hold no state).
    const [health, sessions] = h.engine.major === 1 ? ["/global/health", "/session"] : ["/api/info", "/api/session"];
    assert.equal((await fetch(`${url}${health}`)).status, 401);
    assert.equal((await fetch(`${url}${sessions}`, { headers: { authorization: "Basic " + Buffer.from("opencode:wrong").toString("base64") } })).status, 401);
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
  });

  test("a session error becomes a typed failure", async () => {
    h.model.setScenario({ roles: { worker: [{ kind: "error", status: 400, message: "scripted bad request" }] } });
    const outcome = await h.engine.runTurn({ title: "fails", agent: agentName("worker"), model: SCRIPTED_MODEL, prompt: "Fail" });
    const error = outcome.ok ? undefined : outcome.error;
    assert.ok(error instanceof SessionError && error.kind === "api" && error.details.statusCode === 400 && /scripted bad request/.test(error.message), String(error));
  });

  test("an unknown model becomes a typed failure, not a hang", async () => {
    const outcome = await h.engine.runTurn({ title: "unknown model", agent: agentName("worker"), model: { providerID: "scripted", modelID: "no-such-model" }, prompt: "Hi", livenessMs: 20_000 });
    const error = outcome.ok ? undefined : outcome.error;
    // OpenCode 1 says "Model not found", OpenCode 2 "Model unavailable" (a configuration error: the mission halts).
    assert.ok(error instanceof SessionError && /Model (not found|unavailable): scripted\/no-such-model/.test(error.message), String(error));
  });

  test("stop aborts the running turn and leaves no busy session", async () => {
    h.model.setScenario({ roles: { worker: [{ kind: "stall" }] } });
    const controller = new AbortController();
    let sessionId = "";
    const turn = h.engine.runTurn({ title: "stalls", agent: agentName("worker"), model: SCRIPTED_MODEL, prompt: "Wait", signal: controller.signal, onSession: (id) => (sessionId = id) });
    while (!(await busySessions(h.engine)).includes(sessionId)) await new Promise((r) => setTimeout(r, 50));
    controller.abort();
    const outcome = await turn;
    assert.ok(!outcome.ok && outcome.error instanceof TurnAbortedError);
    for (let i = 0; i < 100 && (await busySessions(h.engine)).length > 0; i++) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(await busySessions(h.engine), []);
  });

  test("the liveness watchdog aborts a turn whose model stalls; the failed turn's outcome carries what it wrote", async () => {
    const file = join(h.sandbox.workspace, "before-the-stall.txt");
    h.model.setScenario({ roles: { worker: [tools(call("write", { filePath: file, content: "written, then stalled\n" })), { kind: "stall" }] } });
    const outcome = await h.engine.runTurn({ title: "stalls", agent: agentName("worker"), model: SCRIPTED_MODEL, prompt: "Wait", livenessMs: 1500 });
    assert.ok(!outcome.ok && outcome.error instanceof TurnStalledError, "a typed failure, as a value");
    assert.equal(readFileSync(file, "utf8"), "written, then stalled\n");
    assert.deepEqual(outcome.work.filesChanged, [file], "the work travels with the failure: a retry is told of it, the TODO's diff covers it");
  });
});

describe("engine lifecycle", () => {
  test("a server whose owner is SIGKILLed does not outlive it", async () => {
    const sandbox = createSandbox();
    const owner = spawn(process.execPath, ["--import", "tsx", join(__dirname, "..", "fixtures", "engineInChildProcess.ts"), sandbox.workspace], { env: sandbox.env, stdio: ["ignore", "pipe", "inherit"] });
    try {
      const pid = Number((await followOutput(owner, "the owner").waitFor(/server-pid (\d+)/))[1]);
      assert.ok(processesInGroup(pid).length > 0, "the server runs");
      owner.kill("SIGKILL");
      for (let i = 0; i < 100 && processesInGroup(pid).length > 0; i++) await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(processesInGroup(pid), [], "the guard took the server down with its owner");
    } finally {
      owner.kill("SIGKILL");
      sandbox.remove();
    }
  });

  test("stopping the engine leaves no opencode process behind", async () => {
    const h = await startEngineHarness({ roles: { worker: [tools(call("bash", { command: "sleep 300 >/dev/null 2>&1 &", description: "background sleep" })), text("started")] } });
    const pid = h.engine.server?.pid as number;
    try {
      // A tool process of the server's (a backgrounded sleep) must die with it.
      await h.engine.runTurn({ title: "spawn", agent: agentName("worker"), model: SCRIPTED_MODEL, prompt: "Start a sleeper" });
      assert.ok(processesInGroup(pid).length >= 1);
    } finally {
      await h.close();
    }
    assert.deepEqual(processesInGroup(pid), [], "no process of the server's group survives");
    assert.equal(existsSync(`/proc/${pid}`), false);
  });
});
