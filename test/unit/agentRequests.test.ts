/** The agents' requests as the host publishes them: a mission's end withdraws the ones still open. */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Engine } from "../../src/orchestrator/engine/engine";
import type { OpencodeEvent } from "../../src/orchestrator/engine/eventRouter";
import { AgentRequests, type AgentRequestUpdate } from "../../src/orchestrator/host/agentRequests";
import { memoryLogger } from "../../src/orchestrator/common/logger";

const ev = (type: string, properties: Record<string, unknown>) => ({ id: "e", type, properties }) as unknown as OpencodeEvent;

test("requests name the agent; one answered elsewhere is gone; the mission's end withdraws the rest", () => {
  const published: AgentRequestUpdate[] = [];
  const requests = new AgentRequests(() => "Worker (TODO T3)", (u) => published.push(u), memoryLogger());
  const engine = {} as Engine; // only answers would reach it
  requests.apply(engine, ev("permission.asked", { id: "per_1", sessionID: "s", permission: "external_directory", patterns: ["/tmp/*"], metadata: {}, always: [] }));
  requests.apply(engine, ev("question.asked", { id: "que_1", sessionID: "s", questions: [{ header: "DB", question: "Which?", options: [{ label: "SQLite", description: "a file" }] }] }));
  requests.apply(engine, ev("permission.replied", { sessionID: "s", requestID: "per_1", reply: "once" }));
  assert.deepEqual(published.map((u) => (u.type === "asked" ? `asked ${u.request.kind} ${u.request.who}` : `gone ${u.id}`)), ["asked permission Worker (TODO T3)", "asked question Worker (TODO T3)", "gone per_1"]);
  requests.clear();
  assert.deepEqual(published.at(-1), { type: "gone", id: "que_1" }, "a prompt still queued is withdrawn");
});

/** An engine that records what was answered to OpenCode. */
function recordingEngine() {
  const answered: string[] = [];
  const engine = {
    replyPermission: async ({ id }: { id: string }, reply: string, message?: string) => void answered.push(`${id} ${reply}${message ? `: ${message}` : ""}`),
    rejectQuestion: async ({ id }: { id: string }) => void answered.push(`${id} rejected`),
  } as unknown as Engine;
  return { engine, answered };
}

test("a request whose session ended is withdrawn for the user and rejected in OpenCode; other sessions' requests stay", async () => {
  const published: AgentRequestUpdate[] = [];
  const requests = new AgentRequests(() => "Worker (TODO T1)", (u) => published.push(u), memoryLogger());
  const { engine, answered } = recordingEngine();
  requests.apply(engine, ev("permission.asked", { id: "per_1", sessionID: "s1", permission: "external_directory", patterns: ["/tmp/*"], metadata: {}, always: [] }));
  requests.apply(engine, ev("question.asked", { id: "que_1", sessionID: "s1", questions: [] }));
  requests.apply(engine, ev("permission.asked", { id: "per_2", sessionID: "s2", permission: "external_directory", patterns: ["/etc/*"], metadata: {}, always: [] }));
  requests.apply(engine, ev("session.error", { sessionID: "s1", error: { name: "UnknownError", data: { message: "boom" } } }));
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(published.filter((u) => u.type === "gone"), [{ type: "gone", id: "per_1" }, { type: "gone", id: "que_1" }]);
  assert.deepEqual(answered, ["per_1 reject: Withdrawn: its session failed.", "que_1 rejected"]);
  requests.apply(engine, ev("session.idle", { sessionID: "s2" }));
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(published.at(-1), { type: "gone", id: "per_2" });
});

test("a request nobody answers within the permission timeout is declined, and the agent is told why", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const published: AgentRequestUpdate[] = [];
  const requests = new AgentRequests(() => "Worker (TODO T1)", (u) => published.push(u), memoryLogger());
  requests.setTimeout(15 * 60_000);
  const { engine, answered } = recordingEngine();
  requests.apply(engine, ev("permission.asked", { id: "per_1", sessionID: "s1", permission: "external_directory", patterns: ["/tmp/*"], metadata: {}, always: [] }));
  t.mock.timers.tick(15 * 60_000 - 1);
  assert.equal(answered.length, 0);
  t.mock.timers.tick(1);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(published.at(-1), { type: "gone", id: "per_1" });
  assert.match(answered[0] ?? "", /^per_1 reject: Nobody answered within 15 minute\(s\), so the request was declined\. Go on without it, or report blocked/);
});

test("a Worker's write outside its files is decided by the mission, never shown to the user", async () => {
  const published: AgentRequestUpdate[] = [];
  const requests = new AgentRequests(() => "Worker (TODO T1)", (u) => published.push(u), memoryLogger());
  const { engine, answered } = recordingEngine();
  requests.decideWith((ask) => (ask.permission === "edit" ? Promise.resolve({ reply: "once" as const }) : undefined));
  requests.apply(engine, ev("permission.asked", { id: "per_1", sessionID: "s1", permission: "edit", patterns: ["x.ts"], metadata: {}, always: [] }));
  await new Promise((resolve) => setImmediate(resolve));
  requests.apply(engine, ev("permission.replied", { sessionID: "s1", requestID: "per_1", reply: "once" }));
  assert.deepEqual(answered, ["per_1 once"]);
  assert.deepEqual(published, [], "nothing asked, nothing withdrawn");
});
