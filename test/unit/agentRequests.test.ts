/** The agents' requests as the host publishes them: a mission's end withdraws the ones still open. */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Engine } from "../../src/orchestrator/engine/engine";
import type { OpencodeEvent } from "../../src/orchestrator/engine/eventRouter";
import { AgentRequests, type AgentRequestUpdate } from "../../src/orchestrator/host/agentRequests";
import { memoryLogger } from "../../src/orchestrator/logger";

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
