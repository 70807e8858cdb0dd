import assert from "node:assert/strict";
import { test } from "node:test";
import { EventRouter, sessionIdOf, type OpencodeEvent } from "../../src/orchestrator/engine/eventRouter";

const status = (sessionID: string): OpencodeEvent => ({ id: "e", type: "session.status", properties: { sessionID, status: { type: "busy" } } });
const part = (sessionID: string) => ({ id: "e", type: "message.part.updated", properties: { sessionID: undefined, part: { sessionID }, time: 1 } }) as unknown as OpencodeEvent;
const info = (sessionID: string) => ({ id: "e", type: "session.updated", properties: { info: { sessionID } } }) as unknown as OpencodeEvent;

test("finds the session id wherever the event type keeps it", () => {
  assert.equal(sessionIdOf(status("a")), "a");
  assert.equal(sessionIdOf(part("b")), "b");
  assert.equal(sessionIdOf(info("c")), "c");
  assert.equal(sessionIdOf({ id: "e", type: "server.connected", properties: {} } as OpencodeEvent), undefined);
});

test("routes each event to its session's listeners only, and to global listeners", () => {
  const router = new EventRouter();
  const seen: string[] = [];
  router.onSession("a", () => seen.push("a"));
  router.onSession("b", () => seen.push("b"));
  router.onAny(() => seen.push("*"));
  router.dispatch(status("a"));
  router.dispatch(status("c"));
  assert.deepEqual(seen, ["*", "a", "*"]);
});

test("a listener may dispose itself while being called; the map does not keep empty sessions", () => {
  const router = new EventRouter();
  let calls = 0;
  const sub = router.onSession("a", () => {
    calls++;
    sub.dispose();
  });
  router.onSession("a", () => calls++);
  router.dispatch(status("a"));
  router.dispatch(status("a"));
  assert.equal(calls, 3);
  assert.equal(router.sessionCount, 1);
});

test("disposing every listener leaves no trace", () => {
  const router = new EventRouter();
  const subs = Array.from({ length: 100 }, (_, i) => router.onSession(`s${i}`, () => undefined));
  assert.equal(router.sessionCount, 100);
  subs.forEach((s) => s.dispose());
  assert.equal(router.sessionCount, 0);
});
