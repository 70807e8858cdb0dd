/**
 * Chat mode against the real OpenCode server and the scripted model: a question is answered by one
 * read-only session, its text streamed in pieces; a follow-up continues that session; a write, an
 * edit, a command or a read of an environment file by the model is refused by OpenCode itself.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { TurnAbortedError } from "../../src/orchestrator/engine/errors";
import type { HostSettings } from "../../src/orchestrator/host/hostSettings";
import { MissionHost } from "../../src/orchestrator/host/missionHost";
import { memoryLogger, RedactingLogger } from "../../src/orchestrator/common/logger";
import { call, text, tools, type Reply, type RequestContext } from "../../src/orchestrator/scriptedModel/scenario";
import { startScriptedModel, type ScriptedModel } from "../../src/orchestrator/scriptedModel/server";
import { SCRIPTED_MODEL, writeScriptedOpencodeJson } from "../support/engineHarness";
import { BUNDLED_OPENCODE, createSandbox, type Sandbox } from "../support/isolation";

const settings: HostSettings = { opencodePath: BUNDLED_OPENCODE, serverUrl: "", model: SCRIPTED_MODEL, demoMode: "never", models: {}, limits: {} };
const ANSWER = "The greeting lives in notes.md and says hello to the whole world; nothing else in the workspace mentions it.";
const READ_TOOLS = new Set(["read", "glob", "list", "orchestrator_workspace_search"]);

let sandbox: Sandbox;
let model: ScriptedModel;
let host: MissionHost;
/** What the model answers to the chat's requests (OpenCode's explore agent reads as role "other"). */
let answer: (ctx: RequestContext) => Reply;

before(async () => {
  sandbox = createSandbox("orch-ask-");
  writeFileSync(join(sandbox.workspace, "notes.md"), "hello, world\n");
  writeFileSync(join(sandbox.workspace, ".env"), "TOKEN=secret\n");
  model = await startScriptedModel({ roles: { other: (ctx) => answer(ctx) } });
  writeScriptedOpencodeJson(sandbox.workspace, model.baseURL);
  host = new MissionHost({ workspace: sandbox.workspace, logger: new RedactingLogger(memoryLogger()), engineEnv: sandbox.env });
});

after(async () => {
  await host?.dispose();
  await model?.close();
  sandbox?.remove();
});

test("a question is answered by the model in one read-only session, its text streamed in pieces", async () => {
  answer = (ctx) => (ctx.step === 0 ? tools(call("read", { filePath: join(sandbox.workspace, "notes.md") })) : text(ANSWER));
  const pieces: string[] = [];
  const first = model.requests.length;
  const result = await host.ask("Where is the greeting?", settings, { onText: (piece) => pieces.push(piece) });
  assert.equal(result.text, ANSWER, "the answer is the model's");
  assert.ok(pieces.length >= 2, `the text arrived in pieces (${pieces.length})`);
  assert.equal(pieces.join(""), ANSWER, "the pieces make the answer, in order");
  assert.deepEqual(result.filesRead, [join(sandbox.workspace, "notes.md")], "the file the answer read is named");
  assert.ok(result.sessionId.startsWith("ses"), result.sessionId);
  const asked = model.requests.slice(first);
  assert.equal(asked.length, 2, "a tool round and the answer; a titled session costs no title request");
  assert.match(asked[0]?.prompt ?? "", /Where is the greeting\?/);
  for (const request of asked) assert.ok(request.tools.every((t) => READ_TOOLS.has(t)), `only read tools are offered: ${request.tools.join(", ")}`);
  assert.match(asked[1]?.lastToolResult ?? "", /hello, world/, "the read really ran");
});

test("a follow-up continues the same session, and a write attempt there is refused: no file is written", async () => {
  answer = () => text("It says hello, world.");
  const opening = await host.ask("What does notes.md say?", settings);
  const before = model.requests.length;
  answer = (ctx) =>
    ctx.step === 0
      ? tools(
          call("write", { filePath: join(sandbox.workspace, "written.txt"), content: "x\n" }),
          call("edit", { filePath: join(sandbox.workspace, "notes.md"), oldString: "hello", newString: "bye" }),
          call("bash", { command: "echo ran > ran.txt", description: "write a file" }),
          call("read", { filePath: join(sandbox.workspace, ".env") }),
        )
      : text("I cannot change files here; run it as a mission with /task.");
  const followUp = await host.ask("Now change it to say bye.", settings, { sessionId: opening.sessionId });
  assert.equal(followUp.sessionId, opening.sessionId, "the same session");
  assert.equal(followUp.text, "I cannot change files here; run it as a mission with /task.");
  assert.ok(!existsSync(join(sandbox.workspace, "written.txt")), "the write was refused");
  assert.ok(!existsSync(join(sandbox.workspace, "ran.txt")), "the command never ran");
  assert.equal(readFileSync(join(sandbox.workspace, "notes.md"), "utf8"), "hello, world\n", "the edit was refused");
  assert.deepEqual(followUp.filesRead, [], "the environment file was not read");
  const asked = model.requests.slice(before);
  assert.ok(asked[0] && asked[0].promptChars > model.requests[before - 1]!.promptChars, "the follow-up carries the conversation so far");
  // The read of .env came last: OpenCode told the model it was refused.
  assert.match(asked[1]?.lastToolResult ?? "", /rule which prevents you from using this specific tool call|Permission denied: read/, "OpenCode 1 and 2 word it each their way");
  assert.doesNotMatch(asked[1]?.lastToolResult ?? "", /TOKEN=secret/, "the model never saw the secret");
});

test("no tool of the chat hands the model a secret file: grep skips them, the search tool skips them, reads of them are refused", async () => {
  writeFileSync(join(sandbox.workspace, ".env"), "SECRET=abc123\n");
  writeFileSync(join(sandbox.workspace, ".env.local"), "SECRET=abc123-local\n");
  writeFileSync(join(sandbox.workspace, "deploy.pem"), "SECRET=abc123-pem\n");
  writeFileSync(join(sandbox.workspace, "config.md"), "SECRET is read from the environment.\n");
  // A link a repository ships, under a harmless name: the read is judged where it leads.
  symlinkSync(".env", join(sandbox.workspace, "readme-secrets.md"));
  const ws = sandbox.workspace;
  let results: string[] = [];
  let offered: string[] = [];
  answer = (ctx) => {
    if (ctx.step === 0) {
      offered = ctx.tools;
      return tools(
        call("grep", { pattern: "SECRET" }),
        call("grep", { pattern: "SECRET", path: join(ws, ".env") }),
        call("orchestrator_workspace_search", { pattern: "SECRET" }),
        call("orchestrator_workspace_search", { pattern: "SECRET", path: ".env" }),
        call("orchestrator_workspace_search", { pattern: "SECRET", include: "*.env*" }),
        call("read", { filePath: join(ws, ".env.local") }),
        call("read", { filePath: join(ws, "deploy.pem") }),
        call("read", { filePath: join(ws, "readme-secrets.md") }),
      );
    }
    results = ctx.toolResults;
    return text("SECRET comes from the environment (config.md).");
  };
  const result = await host.ask("Where is SECRET set?", settings);
  assert.equal(result.text, "SECRET comes from the environment (config.md).");
  assert.equal(results.length, 8, results.join("\n---\n"));
  for (const r of results) assert.doesNotMatch(r, /abc123/, `a tool result carried the secret:\n${r}`);
  assert.ok(!offered.includes("grep"), `OpenCode's grep (which searches .env) is not offered: ${offered.join(", ")}`);
  assert.ok(offered.includes("orchestrator_workspace_search"), "our search is offered instead");
  assert.match(results[2] ?? "", /config\.md[\s\S]*SECRET is read from the environment/, "the search tool finds what is not secret");
  assert.match(results[3] ?? "", /secret/i, "a secret file named as the path is refused, and said so");
  assert.deepEqual(result.filesRead, [], "no secret file was read");
});

test("an answer can be stopped: its session is aborted and the question rejects", async () => {
  let received!: () => void;
  const modelHasIt = new Promise<void>((resolve) => (received = resolve));
  answer = () => {
    received();
    return { kind: "stall" };
  };
  const controller = new AbortController();
  const asking = host.ask("Think forever", settings, { signal: controller.signal });
  await modelHasIt;
  controller.abort();
  await assert.rejects(asking, TurnAbortedError);
});

test("a conversation whose session is gone goes on in a new one", async () => {
  answer = () => text("Fresh answer.");
  const result = await host.ask("Still there?", settings, { sessionId: "ses_gone000000000000000000000" });
  assert.equal(result.text, "Fresh answer.");
  assert.equal(result.restarted, true);
  assert.notEqual(result.sessionId, "ses_gone000000000000000000000");
});

test("an empty question is refused before anything runs", async () => {
  const before = model.requests.length;
  await assert.rejects(host.ask("   ", settings), /Ask a question/);
  assert.equal(model.requests.length, before);
});
