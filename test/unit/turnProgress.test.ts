import assert from "node:assert/strict";
import { test } from "node:test";
import type { OpencodeEvent } from "../../src/orchestrator/engine/eventRouter";
import { describeWork, jobIdInOutput, mergeWork, noWork, TurnProgress } from "../../src/orchestrator/engine/turnProgress";
import { TurnTracker } from "../../src/orchestrator/engine/turnTracker";

const S = "ses_1";
const T0 = 1_000_000;
const partEvent = (part: Record<string, unknown>) => ({ id: "e", type: "message.part.updated", properties: { sessionID: S, part: { sessionID: S, messageID: "m1", ...part } } }) as unknown as OpencodeEvent;
const assistant = { id: "e", type: "message.updated", properties: { sessionID: S, info: { id: "m1", sessionID: S, role: "assistant", time: { created: T0 + 1 }, cost: 0, tokens: { input: 1, output: 1, reasoning: 0, cache: { read: 0, write: 0 } } } } } as unknown as OpencodeEvent;
const tool = (id: string, name: string, input: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  partEvent({ id, type: "tool", tool: name, callID: id, state: { status: "completed", input, output: "", title: "", metadata: {}, time: { start: 1, end: 2 }, ...extra } });

test("a turn's tool parts become the work a retry is told about: files, commands with exit codes, jobs, last note", () => {
  const t = new TurnTracker(S, T0);
  const started: string[] = [];
  t.onJobStarted = (id) => started.push(id);
  t.feed(partEvent({ id: "p0", type: "text", text: "the user's prompt", messageID: "user-msg" }));
  t.feed(assistant);
  t.feed(tool("p1", "write", { filePath: "/w/a.ts", content: "x" }));
  t.feed(partEvent({ id: "p2", type: "patch", hash: "h", files: ["/w/a.ts", "/w/b.ts"] }));
  t.feed(tool("p3", "bash", { command: "npm test", description: "test" }, { metadata: { exit: 1 } }));
  t.feed(tool("p3", "bash", { command: "npm test", description: "test" }, { metadata: { exit: 1 } })); // sent twice: counted once
  t.feed(tool("p4", "orchestrator_background_start", { command: "npm run build" }, { output: '{\n "jobId": "job-7",\n "status": "running"\n}' }));
  t.feed(partEvent({ id: "p5", type: "text", text: "Next I will fix the failing test in b.ts." }));
  const work = t.progress.work;
  assert.deepEqual(work.filesChanged, ["/w/a.ts", "/w/b.ts"]);
  assert.deepEqual(work.commands, [{ command: "npm test", exit: 1 }]);
  assert.deepEqual(work.jobIds, ["job-7"]);
  assert.deepEqual(started, ["job-7"], "the job is reported as soon as its tool part completes");
  assert.equal(work.lastText, "Next I will fix the failing test in b.ts.", "the prompt (a user part) is not the model's note");
  const summary = describeWork(work);
  assert.match(summary, /Files changed: \/w\/a\.ts, \/w\/b\.ts/);
  assert.match(summary, /Ran `npm test` \(exit 1\)/);
  assert.match(summary, /job-7/);
  assert.match(summary, /Its last note: Next I will fix/);
});

test("the work summary stays bounded however much a turn did", () => {
  const p = new TurnProgress();
  for (let i = 0; i < 500; i++) {
    p.feed({ id: `w${i}`, sessionID: S, messageID: "m", type: "tool", tool: "edit", callID: "c", state: { status: "completed", input: { filePath: `/w/f${i}.ts` }, output: "", title: "", metadata: {}, time: { start: 1, end: 2 } } }, () => true);
    p.feed({ id: `b${i}`, sessionID: S, messageID: "m", type: "tool", tool: "bash", callID: "c", state: { status: "completed", input: { command: `step ${i} ${"x".repeat(500)}` }, output: "", title: "", metadata: { exit: 0 }, time: { start: 1, end: 2 } } }, () => true);
  }
  const work = p.work;
  assert.equal(work.filesChanged.length, 500, "every file is kept: the TODO's diff needs them all");
  assert.equal(work.filesChanged.at(-1), "/w/f499.ts");
  assert.equal(work.commands.length, 8);
  const summary = describeWork(work);
  assert.ok(summary.length < 6_000, `${summary.length} characters`);
  assert.match(summary, /\/w\/f499\.ts \(and 460 more\)/, "the retry is told the latest files and how many more");
});

test("work of several failed attempts adds up; nothing done means no summary", () => {
  const merged = mergeWork({ filesChanged: ["a"], commands: [{ command: "x", exit: 0 }], jobIds: ["job-1"], lastText: "first" }, { filesChanged: ["a", "b"], commands: [], jobIds: [], lastText: "" });
  assert.deepEqual(merged, { filesChanged: ["a", "b"], commands: [{ command: "x", exit: 0 }], jobIds: ["job-1"], lastText: "first" });
  assert.equal(describeWork(noWork()), "");
  assert.equal(jobIdInOutput('{"jobId": "job-12"}'), "job-12");
  assert.equal(jobIdInOutput('{"error": "No job job-1."}'), undefined);
});

test("a command still running when the attempt is stopped is named, so the retry does not just run it again", () => {
  const t = new TurnTracker(S, T0);
  t.feed(assistant);
  t.feed(partEvent({ id: "p1", type: "tool", tool: "bash", callID: "c", state: { status: "running", input: { command: "npm run e2e", description: "e2e" }, title: "", metadata: {}, time: { start: 1 } } }));
  assert.deepEqual(t.progress.work.commands, [{ command: "npm run e2e", unfinished: true }]);
  assert.match(describeWork(t.progress.work), /Was still running `npm run e2e` when the attempt was stopped \(run long commands with orchestrator_background_start\)/);
  t.feed(tool("p1", "bash", { command: "npm run e2e", description: "e2e" }, { metadata: { exit: 0 } }));
  assert.deepEqual(t.progress.work.commands, [{ command: "npm run e2e", exit: 0 }], "once it completes it is an ordinary command");
});

test("apply_patch's files count as changed: OpenCode's own list, else the patch's file lines", () => {
  const p = new TurnProgress();
  p.feed({ id: "a", sessionID: S, messageID: "m", type: "tool", tool: "apply_patch", callID: "c", state: { status: "completed", input: { patchText: "" }, output: "", title: "", metadata: { files: [{ filePath: "/w/x.ts" }, { filePath: "/w/old.ts", movePath: "/w/new.ts" }] }, time: { start: 1, end: 2 } } }, () => true);
  p.feed({ id: "b", sessionID: S, messageID: "m", type: "tool", tool: "apply_patch", callID: "c", state: { status: "completed", input: { patchText: "*** Begin Patch\n*** Add File: src/y.ts\n+hi\n*** Delete File: src/z.ts\n*** End Patch" }, output: "", title: "", metadata: {}, time: { start: 1, end: 2 } } }, () => true);
  assert.deepEqual(p.work.filesChanged, ["/w/x.ts", "/w/old.ts", "/w/new.ts", "src/y.ts", "src/z.ts"]);
});

test("a turn has settled once every tool call it began was seen to end, by this process's clock; unknown while one runs or after missed events", () => {
  let now = 100;
  const p = new TurnProgress(() => now);
  const part = (id: string, status: string, extra: Record<string, unknown> = {}) => ({ id, sessionID: S, messageID: "m", type: "tool", tool: "write", callID: id, state: { status, input: { filePath: `/w/${id}.ts` }, output: "", title: "", metadata: {}, time: { start: 1, end: 2 }, ...extra } }) as never;
  assert.equal(p.work.settledAt, 100, "no tool call yet: settled since the turn began");
  now = 200;
  p.feed(part("w1", "running"), () => true);
  assert.equal(p.work.settledAt, undefined, "a write underway");
  now = 300;
  p.feed(part("w1", "completed"), () => true);
  assert.equal(p.work.settledAt, 300);
  now = 350;
  p.feed(part("w2", "error", { error: "denied" }), () => true);
  assert.equal(p.work.settledAt, 350, "a call that failed has ended too");
  const done = (settledAt?: number, unfinished = false) => ({ ...noWork(), commands: unfinished ? [{ command: "npm run e2e", unfinished }] : [], settledAt });
  assert.equal(mergeWork(done(300), done(500)).settledAt, 500, "the later attempt began after the earlier one was let go of");
  assert.equal(mergeWork(done(300, true), done(500)).settledAt, undefined, "unless the earlier left a command running");
  assert.equal(mergeWork(done(300), done(undefined)).settledAt, undefined);
  assert.equal(mergeWork(done(undefined), done(500)).settledAt, undefined, "nor when the earlier cannot tell");
  now = 380;
  p.feed({ ...(part("r1", "completed") as object), tool: "StructuredOutput" } as never, () => true);
  assert.equal(p.work.settledAt, 350, "the report at the turn's end writes nothing: it does not move the time");
  p.lost();
  now = 400;
  p.feed(part("w3", "completed"), () => true);
  assert.equal(p.work.settledAt, undefined, "after missed events it stays unknown");
});
