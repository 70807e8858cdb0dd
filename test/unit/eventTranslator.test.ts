/**
 * OpenCode 2's events in the engine's vocabulary (OpenCode 1's shapes), as the turn tracker, the
 * views and the transcripts read them. The shapes are those a 2.1.2 server sent (captured in the
 * E2E runs on OpenCode 2).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { EventTranslator, type V2RawEvent } from "../../src/orchestrator/engine/v2/eventTranslator";

const S = "ses_1";
const WS = "/work/space";
const at = (type: string, data: Record<string, unknown>): V2RawEvent => ({ id: `evt_${type}`, created: 1_000, type, location: { directory: WS }, data: { sessionID: S, ...data } });
const partOf = (events: ReturnType<EventTranslator["translate"]>) => {
  const event = events.find((e) => e.type === "message.part.updated");
  assert.ok(event && event.type === "message.part.updated", JSON.stringify(events));
  return event.properties.part;
};

test("an execution's start, end and interruption are the session's busy, idle and abort", () => {
  const t = new EventTranslator();
  assert.deepEqual(t.translate(at("session.execution.started", {})).map((e) => e.type), ["session.status"]);
  assert.deepEqual(t.translate(at("session.execution.succeeded", {})).map((e) => e.type), ["session.idle"]);
  const interrupted = t.translate(at("session.execution.interrupted", { reason: "shutdown" }));
  assert.deepEqual(interrupted.map((e) => e.type), ["session.error", "session.idle"]);
  const error = interrupted[0];
  assert.ok(error?.type === "session.error" && error.properties.error?.name === "MessageAbortedError", JSON.stringify(error));
});

test("a write's path is OpenCode 1's filePath, absolute, however the call was first seen", () => {
  const t = new EventTranslator();
  const called = partOf(t.translate(at("session.tool.called", { assistantMessageID: "msg_1", id: "call_1", name: "write", input: { path: "src/a.txt", content: "x" } })));
  assert.ok(called.type === "tool" && called.tool === "write" && called.state.input.filePath === `${WS}/src/a.txt`, JSON.stringify(called));
  // After a reconnect the call's first event can be its end: still absolute, still the workspace's.
  const late = new EventTranslator();
  const done = partOf(late.translate(at("session.tool.success", { assistantMessageID: "msg_1", id: "call_2", name: "write", input: { path: "src/b.txt", content: "y" }, content: [{ type: "text", text: "Wrote src/b.txt" }] })));
  assert.ok(done.type === "tool" && done.state.status === "completed" && done.state.input.filePath === `${WS}/src/b.txt`, JSON.stringify(done));
});

test("a declined tool call is a tool error the transcript shows", () => {
  const t = new EventTranslator();
  t.translate(at("session.tool.called", { assistantMessageID: "msg_1", id: "call_1", name: "write", input: { path: "/elsewhere/x", content: "x" } }));
  const failed = partOf(t.translate(at("session.tool.failed", { assistantMessageID: "msg_1", id: "call_1", error: { type: "aborted", message: "The user declined this tool call" }, executed: false })));
  assert.ok(failed.type === "tool" && failed.state.status === "error" && failed.state.error === "The user declined this tool call", JSON.stringify(failed));
});
