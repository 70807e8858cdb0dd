import assert from "node:assert/strict";
import { test } from "node:test";
import type { OpencodeEvent } from "../../src/orchestrator/engine/eventRouter";
import { SessionError, StructuredResultError } from "../../src/orchestrator/engine/errors";
import { REPORT_REFUSALS_PER_TURN, TurnTracker } from "../../src/orchestrator/engine/turnTracker";

const S = "ses_1";
const T0 = 1_000_000;
const busy = { id: "e", type: "session.status", properties: { sessionID: S, status: { type: "busy" } } } as OpencodeEvent;
const idle = { id: "e", type: "session.idle", properties: { sessionID: S } } as OpencodeEvent;
const idleStatus = { id: "e", type: "session.status", properties: { sessionID: S, status: { type: "idle" } } } as OpencodeEvent;
const assistant = (id: string, created: number, extra: Record<string, unknown> = {}) =>
  ({
    id: "e",
    type: "message.updated",
    properties: {
      sessionID: S,
      info: { id, sessionID: S, role: "assistant", time: { created, completed: created + 5 }, cost: 0.01, tokens: { input: 100, output: 10, reasoning: 0, cache: { read: 5, write: 0 } }, ...extra },
    },
  }) as unknown as OpencodeEvent;

test("an idle before the session worked on this turn is ignored", () => {
  const t = new TurnTracker(S, T0);
  assert.equal(t.feed(idle, T0 + 1), "continue");
  assert.equal(t.feed(busy, T0 + 2), "continue");
  assert.equal(t.feed(idleStatus, T0 + 3), "done");
});

test("messages of an earlier turn do not count; this turn's roll up tokens and cost", () => {
  const t = new TurnTracker(S, T0);
  t.feed(assistant("old", T0 - 60_000));
  assert.equal(t.sawActivity, false);
  t.feed(assistant("m1", T0 + 10));
  t.feed(assistant("m2", T0 + 20, { structured: { ok: true } }));
  t.feed(assistant("m1", T0 + 10)); // an update of m1 replaces it, it is not counted twice
  assert.deepEqual(t.tokens, { input: 200, output: 20, reasoning: 0, cacheRead: 10, cacheWrite: 0 });
  assert.equal(Math.round(t.cost * 100), 2);
  assert.deepEqual(t.structured, { ok: true });
  assert.equal(t.lastAssistantId, "m1");
  assert.equal(t.feed(idle), "done");
});

test("a session error is typed and ends the turn, also when idle comes first", () => {
  const t = new TurnTracker(S, T0);
  t.feed(busy);
  const verdict = t.feed({ id: "e", type: "session.error", properties: { sessionID: S, error: { name: "APIError", data: { message: "rate limited", statusCode: 429, isRetryable: true, responseHeaders: { "retry-after": "7" } } } } } as OpencodeEvent);
  assert.equal(verdict, "error");
  assert.ok(t.error instanceof SessionError);
  assert.equal(t.error.kind, "api");
  assert.equal(t.error.details.retryAfterMs, 7000);
  assert.equal(t.feed(idle), "error");
});

test("OpenCode's own retry wait does not count as silence", () => {
  const t = new TurnTracker(S, T0, T0);
  t.feed({ id: "e", type: "session.status", properties: { sessionID: S, status: { type: "retry", attempt: 2, message: "429", next: T0 + 30_000 } } } as OpencodeEvent, T0 + 100);
  assert.equal(t.retryAttempt, 2);
  assert.ok(t.silentFor(T0 + 20_000) < 0);
  assert.equal(t.silentFor(T0 + 31_000), 1_000);
});

test("a permission waiting for the user pauses the watchdog until it is answered", () => {
  const t = new TurnTracker(S, T0, T0);
  t.feed({ id: "e", type: "permission.asked", properties: { id: "per_1", sessionID: S, permission: "external_directory", patterns: ["/x/*"], metadata: {}, always: [] } } as OpencodeEvent, T0);
  assert.equal(t.silentFor(T0 + 3_600_000), 0);
  t.feed({ id: "e", type: "permission.replied", properties: { sessionID: S, requestID: "per_1", reply: "once" } } as OpencodeEvent, T0 + 10);
  assert.equal(t.silentFor(T0 + 1_010), 1_000);
});

test("a report refused again and again fails the turn as an invalid result; a refusal's repeated updates count once", () => {
  const t = new TurnTracker(S, T0);
  t.feed(busy);
  t.feed(assistant("m1", T0 + 10));
  const refused = (part: string) =>
    ({ id: "e", type: "message.part.updated", properties: { part: { id: part, sessionID: S, messageID: "m1", type: "tool", callID: part, tool: "orchestrator_report_work", state: { status: "error", input: { status: "maybe" }, error: `Invalid option: expected one of "done"|"blocked" (${part})` } } } }) as OpencodeEvent;
  for (let i = 1; i < REPORT_REFUSALS_PER_TURN; i++) {
    assert.equal(t.feed(refused(`p${i}`)), "continue", "the model reads why and may hand in a fitting report");
    assert.equal(t.feed(refused(`p${i}`)), "continue", "the same refusal updated again is not another one");
  }
  assert.equal(t.feed(refused("last")), "error");
  assert.ok(t.error instanceof StructuredResultError);
  assert.match(t.error.issues, /expected one of .*\(last\)/);
  assert.equal(t.structured, undefined);
});
