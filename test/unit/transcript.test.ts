/** A transcript shows tool calls readably: files and diffs, commands and their output's tail — bounded, never raw JSON. */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { AssistantMessage, EventMessagePartUpdated, EventMessageUpdated, ToolPart, ToolState } from "@opencode-ai/sdk/v2";
import type { OpencodeEvent } from "../../src/orchestrator/engine/eventRouter";
import { SessionRegistry } from "../../src/orchestrator/host/sessionRegistry";
import type { TranscriptEntry } from "../../src/orchestrator/host/transcriptEntry";
import { TEXT_LIMIT } from "../../src/orchestrator/host/transcriptEntry";
import { HostToWebview } from "../../src/shared/dashboardProtocol";

const S = "ses_1";
const WS = "/home/dev/shop";
const T = { start: 1_700_000_000_000, end: 1_700_000_001_000 };

const assistant: AssistantMessage = {
  id: "msg_1", sessionID: S, role: "assistant", time: { created: T.start }, parentID: "msg_0", modelID: "m", providerID: "p", mode: "build", agent: "build",
  path: { cwd: WS, root: WS }, cost: 0, tokens: { input: 1, output: 1, reasoning: 0, cache: { read: 0, write: 0 } },
};
const messageUpdated: EventMessageUpdated = { id: "e0", type: "message.updated", properties: { sessionID: S, info: assistant } };

const toolPart = (id: string, tool: string, state: ToolState): EventMessagePartUpdated => {
  const part: ToolPart = { id, sessionID: S, messageID: "msg_1", type: "tool", callID: `call_${id}`, tool, state };
  return { id: `e_${id}`, type: "message.part.updated", properties: { sessionID: S, part, time: T.end } };
};
const completed = (input: Record<string, unknown>, output: string, title: string, metadata: Record<string, unknown>): ToolState => ({ status: "completed", input, output, title, metadata, time: T });

/** A registry with one Worker session whose assistant message says where it works. */
function session(): { apply(event: EventMessagePartUpdated): TranscriptEntry } {
  const registry = new SessionRegistry(() => T.start);
  registry.applyMission({ type: "turn.started", missionId: "m", role: "worker", sessionId: S, todoIds: ["T1"] });
  registry.applyOpencode(messageUpdated as OpencodeEvent);
  return {
    apply(event) {
      assert.equal(registry.applyOpencode(event as OpencodeEvent), S);
      const entry = registry.get(S)?.transcript.find((e) => e.partId === event.properties.part.id);
      assert.ok(entry, "the part is in the transcript");
      return entry;
    },
  };
}

const size = (e: TranscriptEntry) => e.text.length + (e.title?.length ?? 0) + (e.detail?.length ?? 0) + (e.lines ?? []).reduce((n, l) => n + l.text.length, 0);
const body = (e: TranscriptEntry) => (e.lines ?? []).map((l) => `${l.kind}:${l.text}`);

test("a write shows its file, relative to the workspace, and its content as added lines", () => {
  const content = 'export function hello(name: string): string {\n  return `Hello, ${name}`;\n}\n';
  const e = session().apply(toolPart("prt_w", "write", completed({ filePath: `${WS}/src/hello.ts`, content }, "Wrote file successfully.", "src/hello.ts", { diagnostics: {}, filepath: `${WS}/src/hello.ts`, exists: false })));
  assert.equal(e.kind, "tool");
  assert.equal(e.tool, "write");
  assert.equal(e.toolStatus, "completed");
  assert.equal(e.title, "src/hello.ts");
  assert.equal(e.detail, "+3");
  assert.deepEqual(body(e), ["add:export function hello(name: string): string {", "add:  return `Hello, ${name}`;", "add:}"]);
  assert.ok(!e.text.includes("{"), "no JSON of the input");
});

test("an edit shows OpenCode's own diff as -/+ lines", () => {
  const file = `${WS}/src/server.ts`;
  const diff = [`Index: ${file}`, "===================================================================", `--- ${file}`, `+++ ${file}`, "@@ -4,3 +4,3 @@", " import { app } from './app';", "-const port = 3000;", "+const port = Number(process.env.PORT ?? 8080);", " app.listen(port);", ""].join("\n");
  const e = session().apply(toolPart("prt_e", "edit", completed(
    { filePath: file, oldString: "const port = 3000;", newString: "const port = Number(process.env.PORT ?? 8080);" }, "Edit applied successfully.", "src/server.ts",
    { diagnostics: {}, diff, filediff: { file, before: "…", after: "…", additions: 1, deletions: 1 } })));
  assert.equal(e.title, "src/server.ts");
  assert.equal(e.detail, "+1 −1");
  assert.deepEqual(body(e), ["note:@@ line 4", "ctx:import { app } from './app';", "del:const port = 3000;", "add:const port = Number(process.env.PORT ?? 8080);", "ctx:app.listen(port);"]);
});

test("a running edit (no diff yet) shows its old and new text; a failed one shows its error, not a change", () => {
  const s = session();
  const input = { filePath: `${WS}/a.ts`, oldString: "let a = 1;\nlet b = 2;", newString: "const a = 1;" };
  const running = s.apply(toolPart("prt_e2", "edit", { status: "running", input, time: { start: T.start } }));
  assert.equal(running.toolStatus, "running");
  assert.deepEqual(body(running), ["del:let a = 1;", "del:let b = 2;", "add:const a = 1;"]);
  const failed = s.apply(toolPart("prt_e2", "edit", { status: "error", input, error: "Error: oldString not found in content", time: T }));
  assert.equal(failed.toolStatus, "error");
  assert.equal(failed.text, "Error: oldString not found in content");
  assert.equal(failed.title, "a.ts");
  assert.equal(failed.lines, undefined);
});

test("a patch the model is applying shows its files and its -/+ lines", () => {
  const patchText = ["*** Begin Patch", "*** Add File: src/a.ts", "+export const a = 1;", "*** Update File: src/b.ts", "@@ export function b", "-  return 1;", "+  return 2;", "*** End Patch"].join("\n");
  const e = session().apply(toolPart("prt_ap", "apply_patch", { status: "running", input: { patchText }, time: { start: T.start } }));
  assert.equal(e.title, "src/a.ts, src/b.ts");
  assert.equal(e.detail, "+2 −1");
  assert.deepEqual(body(e), ["note:new src/a.ts", "add:export const a = 1;", "note:src/b.ts", "note:@@ export function b", "del:  return 1;", "add:  return 2;"]);
});

test("a command shows itself, its exit code and the tail of its output", () => {
  const output = ["> shop@1.0.0 test", "> node --test", "", "✔ adds to cart (2ms)", "✖ checks out (5ms)", "  AssertionError: 3 !== 2", "ℹ tests 2", "ℹ fail 1", ""].join("\n");
  const e = session().apply(toolPart("prt_b", "bash", completed({ command: "npm test", description: "Runs the unit tests" }, output, "npm test", { output, exit: 1, description: "Runs the unit tests" })));
  assert.equal(e.title, "npm test");
  assert.equal(e.exit, 1);
  assert.equal(e.text, "Runs the unit tests");
  assert.deepEqual(body(e).slice(-3), ["out:  AssertionError: 3 !== 2", "out:ℹ tests 2", "out:ℹ fail 1"]);
  assert.ok(body(e).every((l) => l.startsWith("out:")));
});

test("a running command shows the output it has so far, without colour codes", () => {
  const esc = String.fromCharCode(27);
  const e = session().apply(toolPart("prt_b2", "bash", { status: "running", input: { command: "npm run build" }, title: "npm run build", metadata: { output: `${esc}[32mbuilding${esc}[0m\n10%\r50%\r90%\n`, description: "" }, time: { start: T.start } }));
  assert.equal(e.toolStatus, "running");
  assert.equal(e.exit, undefined);
  assert.deepEqual(body(e), ["out:building", "out:90%"]);
});

test("huge content and huge output are cut, with a count of what was left out", () => {
  const s = session();
  const content = Array.from({ length: 5_000 }, (_, i) => `line ${i + 1} ${"x".repeat(20)}`).join("\n");
  const write = s.apply(toolPart("prt_big", "write", completed({ filePath: `${WS}/big.txt`, content }, "", "big.txt", {})));
  assert.equal(write.detail, "+5000");
  const lines = write.lines ?? [];
  assert.equal(lines[0]?.text, `line 1 ${"x".repeat(20)}`);
  assert.match(lines.at(-1)?.text ?? "", /^… 49\d\d more lines$/);
  assert.equal(lines.length, 25, "24 lines, then the count");

  const output = Array.from({ length: 10_000 }, (_, i) => `log ${i + 1}`).join("\n");
  const bash = s.apply(toolPart("prt_big2", "bash", completed({ command: "yes | head" }, output, "yes | head", { output, exit: 0 })));
  const out = bash.lines ?? [];
  assert.equal(out.length, 21);
  assert.deepEqual(out[0], { kind: "note", text: "… 9980 earlier lines" });
  assert.equal(out.at(-1)?.text, "log 10000");

  const wide = s.apply(toolPart("prt_wide", "bash", completed({ command: "cat min.js" }, "y".repeat(100_000), "cat min.js", { output: "y".repeat(100_000), exit: 0 })));
  const minified = s.apply(toolPart("prt_min", "write", completed({ filePath: `${WS}/dist/app.min.js`, content: "z".repeat(100_000) }, "", "dist/app.min.js", {})));
  assert.equal(minified.lines?.length, 1, "one long line is cut, not dropped");
  assert.ok((minified.lines?.[0]?.text.length ?? 0) <= 240);
  for (const e of [write, bash, wide, minified]) assert.ok(size(e) <= TEXT_LIMIT, `${e.partId} is ${size(e)} characters`);
});

test("a StructuredOutput shows the report's status and summary, not its JSON", () => {
  const report = { status: "done", summary: "Added the /health endpoint and its test.", filesChanged: ["src/health.ts", "test/health.test.ts"], checksRun: ["npm test"], notes: "" };
  const e = session().apply(toolPart("prt_so", "StructuredOutput", completed(report, "Structured output captured successfully.", "Structured Output", {})));
  assert.equal(e.title, "done");
  assert.equal(e.text, "Added the /health endpoint and its test.");
  assert.deepEqual(body(e), ["out:files: src/health.ts, test/health.test.ts", "out:checks: npm test"]);
  const plan = session().apply(toolPart("prt_plan", "StructuredOutput", completed({ todos: [{ id: "T1", title: "Add the endpoint" }, { id: "T2", title: "Test it" }] }, "", "", {})));
  assert.equal(plan.title, "plan of 2 TODOs");
  assert.deepEqual(body(plan), ["out:T1 · Add the endpoint", "out:T2 · Test it"]);
});

test("searches read as one line; background jobs by command, id and status; other tools by a short summary of their input", () => {
  const s = session();
  const read = s.apply(toolPart("prt_r", "read", completed({ filePath: `${WS}/package.json` }, "<file>…</file>", "package.json", { preview: "{" })));
  assert.deepEqual([read.title, read.lines], ["package.json", undefined]);
  const grep = s.apply(toolPart("prt_g", "grep", completed({ pattern: "TODO", path: `${WS}/src`, include: "*.ts" }, "Found 3 matches", "TODO", { matches: 3, truncated: false })));
  assert.deepEqual([grep.title, grep.detail], ["TODO in src (*.ts)", "3 matches"]);
  const glob = s.apply(toolPart("prt_gl", "glob", completed({ pattern: "**/*.md" }, "README.md", "", { count: 1, truncated: false })));
  assert.deepEqual([glob.title, glob.detail], ["**/*.md", "1 file"]);

  const answer = JSON.stringify({ jobId: "job_7", command: "npm run e2e", status: "running", exitCode: null, runningForSeconds: 0, outputCharacters: 0, logFile: "/tmp/job_7.log" }, null, 1);
  const job = s.apply(toolPart("prt_bg", "orchestrator_background_start", completed({ command: "npm run e2e" }, answer, "", {})));
  assert.deepEqual([job.title, job.detail, job.exit], ["npm run e2e", "job job_7 · running", undefined]);
  const status = s.apply(toolPart("prt_bs", "orchestrator_background_status", completed({ jobId: "job_7" }, JSON.stringify({ jobId: "job_7", command: "npm run e2e", status: "exited", exitCode: 0 }), "", {})));
  assert.deepEqual([status.title, status.detail, status.exit], ["npm run e2e", "job job_7 · exited", 0]);

  const mcp = s.apply(toolPart("prt_mcp", "docs_search", completed({ query: "how to\nconfigure", filters: { lang: "ts" }, ids: [1, 2, 3], blob: "z".repeat(50_000) }, "z".repeat(50_000), "", {})));
  assert.equal(mcp.title, `query: how to configure, filters: {…}, ids: [3], blob: ${"z".repeat(59)}…`);
  assert.ok(size(mcp) < 300, "never a dump of the input or output");

  const pending = s.apply(toolPart("prt_p", "bash", { status: "pending", input: {}, raw: "" }));
  assert.deepEqual([pending.toolStatus, pending.title, pending.lines], ["pending", undefined, undefined]);
});

test("the dashboard's protocol carries the structured entries", () => {
  const e = session().apply(toolPart("prt_w", "write", completed({ filePath: `${WS}/a.txt`, content: "a\nb" }, "", "a.txt", {})));
  const { partId: _, ...line } = e;
  const parsed = HostToWebview.parse({ type: "transcript", sessionId: S, lines: [line] });
  assert.deepEqual(parsed.type === "transcript" && parsed.lines[0]?.lines, [{ kind: "add", text: "a" }, { kind: "add", text: "b" }]);
});
