/** The views' models without VS Code: tree shape, labels, icons, context values, coalescing. */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { OpencodeEvent } from "../../src/orchestrator/engine/eventRouter";
import { Coalescer, type Timers } from "../../src/extension/viewModels/coalescer";
import { FINISHED_KEPT, FINISHED_WITH_TRANSCRIPT, SessionRegistry, sessionModel, TRANSCRIPT_LIMIT } from "../../src/orchestrator/host/sessionRegistry";
import { missionNode, sessionNode, todoDetailNodes, todoNode } from "../../src/extension/viewModels/treeModels";
import { missionCounts, progressLine } from "../../src/orchestrator/host/readModel";
import { idleModel, type MissionModel, type TodoModel } from "../../src/shared/mission";

function fakeTimers() {
  const pending: Array<{ fn: () => void; at: number }> = [];
  let now = 0;
  const timers: Timers = { setTimeout: (fn, ms) => pending.push({ fn, at: now + ms }) && pending.length - 1, clearTimeout: (h) => void (pending[h as number] = { fn: () => undefined, at: Infinity }) };
  const advance = (ms: number) => {
    now += ms;
    for (const p of pending.splice(0)) (p.at <= now ? p.fn : () => pending.push(p))();
  };
  return { timers, advance };
}

test("a burst of marks becomes one flush with each changed key once", () => {
  const { timers, advance } = fakeTimers();
  const flushes: Array<string[] | "all"> = [];
  const c = new Coalescer<string>((k) => flushes.push(k === "all" ? "all" : [...k].sort()), 200, timers);
  for (let i = 0; i < 500; i++) c.mark(`t${i % 3}`);
  advance(199);
  assert.equal(flushes.length, 0);
  advance(1);
  assert.deepEqual(flushes, [["t0", "t1", "t2"]]);
  c.mark("t1");
  c.markAll();
  advance(200);
  assert.deepEqual(flushes.at(-1), "all");
  advance(1000);
  assert.equal(flushes.length, 2, "nothing marked, nothing flushed");
});

const S = "ses_1";
const ev = (type: string, properties: Record<string, unknown>) => ({ id: "e", type, properties }) as unknown as OpencodeEvent;

test("the session registry follows a session from start to finish, only for our sessions", () => {
  let now = 1000;
  const r = new SessionRegistry(() => now);
  assert.equal(r.applyOpencode(ev("session.status", { sessionID: S, status: { type: "busy" } })), undefined, "unknown sessions are ignored");
  r.applyMission({ type: "turn.started", missionId: "m", role: "worker", sessionId: S, todoIds: ["T1"] });
  r.applyOpencode(ev("session.status", { sessionID: S, status: { type: "retry", attempt: 2, message: "rate limited", next: 5000 } }));
  assert.equal(r.get(S)?.status, "retry");
  assert.equal(r.get(S)?.retryAttempt, 2);
  r.applyOpencode(ev("permission.asked", { id: "per_1", sessionID: S, permission: "external_directory", patterns: [], metadata: {}, always: [] }));
  assert.equal(r.get(S)?.status, "waiting");
  r.applyOpencode(ev("permission.replied", { sessionID: S, requestID: "per_1", reply: "once" }));
  assert.equal(r.get(S)?.status, "busy");
  r.applyOpencode(ev("message.part.updated", { sessionID: S, part: { id: "p1", sessionID: S, type: "text", text: "Hel" }, time: 1 }));
  r.applyOpencode(ev("message.part.updated", { sessionID: S, part: { id: "p1", sessionID: S, type: "text", text: "Hello" }, time: 2 }));
  r.applyOpencode(ev("message.part.updated", { sessionID: S, part: { id: "p2", sessionID: S, type: "tool", tool: "write", callID: "c", state: { status: "completed", input: { filePath: "a" } } }, time: 3 }));
  assert.deepEqual(r.get(S)?.transcript.map((e) => e.kind === "tool" ? `${e.tool}:${e.toolStatus}` : e.text), ["Hello", "write:completed"]);
  now = 4000;
  r.applyMission({ type: "turn.finished", missionId: "m", role: "worker", sessionId: S, todoIds: ["T1"], ok: true, inputTokens: 120, outputTokens: 30, cost: 0.02, durationMs: 3000 });
  assert.equal(r.get(S)?.status, "idle");
  assert.equal(r.get(S)?.endedAt, 4000);
  r.applyOpencode(ev("session.status", { sessionID: S, status: { type: "busy" } }));
  assert.equal(r.get(S)?.status, "idle", "a late status does not revive a finished session");
});

test("a transcript keeps only its newest entries", () => {
  const r = new SessionRegistry();
  r.applyMission({ type: "turn.started", missionId: "m", role: "worker", sessionId: S, todoIds: [] });
  for (let i = 0; i < TRANSCRIPT_LIMIT + 50; i++) r.applyOpencode(ev("message.part.updated", { sessionID: S, part: { id: `p${i}`, sessionID: S, type: "text", text: `line ${i}` }, time: i }));
  const t = r.get(S)?.transcript ?? [];
  assert.equal(t.length, TRANSCRIPT_LIMIT);
  assert.equal(t[0]?.text, "line 50");
});

const todo = (over: Partial<TodoModel> = {}): TodoModel => ({ id: "T1", title: "Add login", status: "pending", attempts: 1, files: ["src/login.ts"], dependsOn: [], acceptance: "tests pass", reviewIssues: [], sessions: [], canRetry: false, canSkip: false, changes: [], canRevert: false, ...over });

test("TODO nodes: icon per state, description with role, attempt and files, context flags for menus", () => {
  const failed = todoNode("m", todo({ status: "failed", attempts: 2, sessions: [S], reviewIssues: ["no test"], dependsOn: ["T0"], role: "worker", canRetry: true, canSkip: true }));
  assert.equal(failed.id, "todo:m:T1");
  assert.equal(failed.label, "T1 · Add login");
  assert.equal(failed.description, "failed · worker · attempt 2 · src/login.ts");
  assert.deepEqual(failed.icon, { id: "error", color: "testing.iconFailed" });
  assert.equal(failed.contextValue, "orchestrator:todo+failed+retryable+skippable+session+files");
  assert.match(failed.tooltip ?? "", /Acceptance: tests pass[\s\S]*Last review issues:\n- no test/);
  assert.equal(failed.collapsible, "collapsed");
  assert.deepEqual(failed.command, ["orchestrator.openTodoSession", "todo:m:T1"], "the click names its mission");
  assert.deepEqual(todoDetailNodes("m", todo({ reviewIssues: ["no test"], dependsOn: ["T0"] })).map((n) => n.label), ["no test", "after T0"]);
  const states = ["pending", "running", "review", "done", "failed", "blocked", "skipped"].map((status) => todoNode("m", todo({ status })).icon.id);
  assert.equal(new Set(states).size, states.length, "every state has its own icon");
  assert.equal(todoNode("m", todo({ files: [] })).contextValue, "orchestrator:todo+pending");
});

test("a TODO's acceptance check: ✓/✗ in its row, the command and the output's end on hover, a node that opens the job's output", () => {
  const failing = todo({ status: "pending", attempts: 2, checkCommand: "npm test", check: { command: "npm test", status: "failed", exitCode: 1, tail: "ok 1\nnot ok 2 - login rejects a bad password\n", jobId: "job-7" } });
  const row = todoNode("m", failing);
  assert.equal(row.description, "pending · attempt 2 · ✗ check failed (exit 1) · src/login.ts");
  assert.match(row.tooltip ?? "", /Check: npm test → failed \(exit 1\)\nok 1\nnot ok 2 - login rejects a bad password/);
  assert.equal(row.collapsible, "collapsed");
  const [check] = todoDetailNodes("m", failing);
  assert.equal(check?.label, "✗ npm test");
  assert.deepEqual(check?.icon, { id: "error", color: "testing.iconFailed" });
  assert.deepEqual(check?.command, ["orchestrator.showJob", "job-7"]);
  const passing = todoNode("m", todo({ checkCommand: "npm test", check: { command: "npm test", status: "passed", exitCode: 0, tail: "" } }));
  assert.equal(passing.description, "pending · ✓ check passed · src/login.ts");
  assert.equal(todoNode("m", todo({ checkCommand: "npm test" })).description, "pending · check pending · src/login.ts");
  assert.equal(todoNode("m", todo({})).description, "pending · src/login.ts", "no check, no mark");
});

test("mission and session nodes", () => {
  const todos = [todo({ status: "done" }), todo({ id: "T2" })];
  const counts = missionCounts(todos, 2);
  const snapshot: MissionModel = { ...idleModel(), phase: "running", mission: "Build it", missionId: "m", status: "running", iteration: 1, counts, progress: progressLine(counts, "running"), todos };
  assert.equal(missionNode(snapshot).description, "running · 1/2 done · 2 running");
  const r = new SessionRegistry(() => 0);
  r.applyMission({ type: "turn.started", missionId: "m", role: "reviewer", sessionId: "a", todoIds: ["T1", "T2"] });
  r.applyMission({ type: "turn.started", missionId: "m", role: "worker", sessionId: "b", todoIds: ["T3"] });
  r.applyMission({ type: "turn.finished", missionId: "m", role: "worker", sessionId: "b", todoIds: ["T3"], ok: true, inputTokens: 1000, outputTokens: 234, cost: 0.5, durationMs: 1 });
  const node = sessionNode(sessionModel(r.get("a")!), 75_000);
  assert.equal(node.label, "reviewer · T1, T2");
  assert.equal(node.description, "busy · 1m15s · 0 tok · $0.0000");
  assert.equal(node.contextValue, "orchestrator:session+busy");
  assert.deepEqual(node.command, ["orchestrator.openSession", "a"]);
  assert.equal(sessionNode(sessionModel(r.get("b")!), 99).description, "idle · 0s · 1,234 tok · $0.5000");
  assert.deepEqual(r.models().map((s) => s.id), ["a", "b"], "running sessions first");
});

test("the registry stays bounded over thousands of sessions: old transcripts go first, then old sessions", () => {
  const r = new SessionRegistry();
  const total = FINISHED_KEPT + 500;
  for (let i = 0; i < total; i++) {
    const id = `s${i}`;
    r.applyMission({ type: "turn.started", missionId: "m", role: "worker", sessionId: id, todoIds: [] });
    r.applyOpencode(ev("message.part.updated", { sessionID: id, part: { id: "p", sessionID: id, type: "text", text: "hello" }, time: 1 }));
    r.applyMission({ type: "turn.finished", missionId: "m", role: "worker", sessionId: id, todoIds: [], ok: true, inputTokens: 1, outputTokens: 1, cost: 0, durationMs: 1 });
  }
  assert.equal(r.list().length, FINISHED_KEPT);
  assert.equal(r.get("s0"), undefined);
  assert.equal(r.get(`s${total - 1}`)?.transcript.length, 1);
  assert.equal(r.get(`s${total - FINISHED_WITH_TRANSCRIPT - 1}`)?.transcript.length, 0);
});

test("a turn that continues in its session (the Planner correcting its plan) makes the session busy again", () => {
  const r = new SessionRegistry();
  r.applyMission({ type: "turn.started", missionId: "m", role: "planner", sessionId: "p", todoIds: [] });
  r.applyMission({ type: "turn.finished", missionId: "m", role: "planner", sessionId: "p", todoIds: [], ok: true, inputTokens: 1, outputTokens: 1, cost: 0, durationMs: 1 });
  assert.equal(r.runningCount(), 0);
  assert.equal(r.applyMission({ type: "turn.started", missionId: "m", role: "planner", sessionId: "p", todoIds: [] }), "p");
  assert.equal(r.get("p")?.status, "busy");
  assert.equal(r.runningCount(), 1, "it counts as running");
  r.applyMission({ type: "turn.finished", missionId: "m", role: "planner", sessionId: "p", todoIds: [], ok: true, inputTokens: 2, outputTokens: 2, cost: 0, durationMs: 1 });
  assert.equal(r.get("p")?.status, "idle");
  assert.equal(r.runningCount(), 0);
});

test("a notification shows code spans as quoted text, not raw backticks", async () => {
  const { plainText } = await import("../../src/extension/viewModels/plainText");
  assert.equal(plainText("OpenCode not found: set `orchestrator.opencode.path` or run `npm i -g opencode-ai`."), "OpenCode not found: set “orchestrator.opencode.path” or run “npm i -g opencode-ai”.");
  assert.equal(plainText("a lone ` stays"), "a lone ` stays");
});

test("a command's outcome is worded once: the tree, the timeline and the Jobs view say the same", async () => {
  const { commandOutcome } = await import("../../src/shared/outcome");
  const { timelineText } = await import("../../src/orchestrator/host/timeline");
  assert.equal(commandOutcome("passed", 0), "passed", "a pass is exit 0: not said");
  assert.equal(commandOutcome("failed", 2), "failed (exit 2)");
  assert.equal(commandOutcome("timed-out", null), "timed out");
  assert.equal(commandOutcome("exited", 0), "exited (exit 0)");
  assert.equal(commandOutcome("killed"), "killed");
  assert.equal(commandOutcome(undefined, 3), "exit 3", "a command in a transcript");
  assert.equal(timelineText({ type: "check.finished", missionId: "m", todoId: "T1", command: "npm test", status: "failed", exitCode: 2 }), "T1: check failed (exit 2)");
  const row = todoNode("m", todo({ checkCommand: "npm test", check: { command: "npm test", status: "timed-out", exitCode: null, tail: "" } }));
  assert.equal(row.description, "pending · ✗ check timed out · src/login.ts");
});
