/** The answer's text as a chat appends it, reduced from a session's events in any order OpenCode sends them. */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { OpencodeEvent } from "../../src/orchestrator/engine/eventRouter";
import { AnswerStream } from "../../src/orchestrator/host/answerStream";

const T0 = 1_000_000;
const message = (id: string, role: "user" | "assistant", created = T0) => ({ id: "e", type: "message.updated", properties: { sessionID: "s", info: { id, role, sessionID: "s", time: { created } } } }) as unknown as OpencodeEvent;
const textPart = (messageID: string, id: string, text: string, extra: Record<string, unknown> = {}) => ({ id: "e", type: "message.part.updated", properties: { sessionID: "s", part: { id, messageID, sessionID: "s", type: "text", text, ...extra } } }) as unknown as OpencodeEvent;
const reasoning = (messageID: string, id: string) => ({ id: "e", type: "message.part.updated", properties: { sessionID: "s", part: { id, messageID, sessionID: "s", type: "reasoning", text: "" } } }) as unknown as OpencodeEvent;
const delta = (messageID: string, partID: string, piece: string, field = "text") => ({ id: "e", type: "message.part.delta", properties: { sessionID: "s", messageID, partID, field, delta: piece } }) as unknown as OpencodeEvent;
const read = (messageID: string, id: string, filePath: string, status = "completed") => ({ id: "e", type: "message.part.updated", properties: { sessionID: "s", part: { id, messageID, sessionID: "s", type: "tool", tool: "read", callID: "c", state: { status, input: { filePath } } } } }) as unknown as OpencodeEvent;

function play(stream: AnswerStream, events: OpencodeEvent[]): string[] {
  return events.map((e) => stream.feed(e)).filter(Boolean);
}

test("deltas stream the text of the answer; the question and reasoning are not part of it", () => {
  const stream = new AnswerStream(T0);
  const pieces = play(stream, [
    message("u1", "user"),
    textPart("u1", "p0", "Where is it?"),
    message("a1", "assistant"),
    reasoning("a1", "r1"),
    delta("a1", "r1", "thinking…"),
    textPart("a1", "p1", ""),
    delta("a1", "p1", "It is "),
    delta("a1", "p1", "in a.ts."),
    textPart("a1", "p1", "It is in a.ts."),
  ]);
  assert.deepEqual(pieces, ["It is ", "in a.ts."]);
  assert.equal(stream.text, "It is in a.ts.");
});

test("a text part seen whole (no deltas) arrives whole; a later part starts a paragraph", () => {
  const stream = new AnswerStream(T0);
  const pieces = play(stream, [message("a1", "assistant"), textPart("a1", "p1", "Let me look."), read("a1", "t1", "/w/a.ts"), message("a2", "assistant"), textPart("a2", "p2", "Found it.")]);
  assert.deepEqual(pieces, ["Let me look.", "\n\nFound it."]);
  assert.deepEqual(stream.filesRead, ["/w/a.ts"]);
});

test("a part rewritten at its end (trimmed) is not shown twice", () => {
  const stream = new AnswerStream(T0);
  const pieces = play(stream, [message("a1", "assistant"), textPart("a1", "p1", ""), delta("a1", "p1", "Done.\n\n"), textPart("a1", "p1", "Done.")]);
  assert.deepEqual(pieces, ["Done.\n\n"]);
});

test("an earlier answer of the session, updated late, and synthetic text are ignored; reads count once, when completed", () => {
  const stream = new AnswerStream(T0);
  const pieces = play(stream, [
    message("old", "assistant", T0 - 60_000),
    textPart("old", "p0", "An earlier answer"),
    message("a1", "assistant"),
    textPart("a1", "p1", "note", { synthetic: true }),
    read("a1", "t1", "/w/a.ts", "running"),
    read("a1", "t1", "/w/a.ts"),
    read("a1", "t2", "/w/a.ts"),
  ]);
  assert.deepEqual(pieces, []);
  assert.deepEqual(stream.filesRead, ["/w/a.ts"]);
});

test("finish brings what events did not: the whole answer, or the rest of it, never a repeat", () => {
  const none = new AnswerStream(T0);
  assert.equal(none.finish("The answer."), "The answer.");
  assert.equal(none.text, "The answer.");

  const partial = new AnswerStream(T0);
  play(partial, [message("a1", "assistant"), textPart("a1", "p1", ""), delta("a1", "p1", "The ans")]);
  assert.equal(partial.finish("The answer."), "wer.");
  assert.equal(partial.text, "The answer.");

  const whole = new AnswerStream(T0);
  play(whole, [message("a1", "assistant"), textPart("a1", "p1", "Let me look."), message("a2", "assistant"), textPart("a2", "p2", "Found it.")]);
  assert.equal(whole.finish("Found it."), "");
});
