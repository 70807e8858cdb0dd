/** One silent turn is a stall; many at once are an overloaded server. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { LoadMonitor } from "../../src/orchestrator/schedule/loadMonitor";
import { TurnTracker } from "../../src/orchestrator/engine/turnTracker";

test("a lone silent turn is aborted; a burst gets more time, once per burst the limit is lowered, and a turn silent far too long is aborted anyway", () => {
  let now = 0;
  const overloads: number[] = [];
  const monitor = new LoadMonitor((n) => overloads.push(n), 4, () => now);
  for (const id of ["a", "b", "c", "d", "e", "f"]) monitor.silent(id, 0);
  assert.equal(monitor.shouldAbort("a", 1_100, 1_000), true, "one silent turn of six: a stall");
  monitor.silent("b", 900);
  monitor.silent("c", 800);
  assert.equal(monitor.shouldAbort("a", 1_100, 1_000), false, "three of six silent at once: overload");
  assert.equal(monitor.shouldAbort("b", 1_050, 1_000), false);
  assert.deepEqual(overloads, [4], "told once for the burst (three silent, one stalled a moment ago)");
  now += 1_500;
  assert.equal(monitor.shouldAbort("c", 1_200, 1_000), false);
  assert.deepEqual(overloads.length, 2, "a burst that goes on is told again after a liveness period");
  assert.equal(monitor.shouldAbort("a", 4_100, 1_000), true, "past 4× its limit a turn is aborted even under load");
  for (const id of ["a", "b", "c"]) monitor.ended(id);
  now += 4_000;
  assert.equal(monitor.shouldAbort("d", 1_100, 1_000), true, "the burst is over, and the server had quiet for the grace period");
});

test("a prompt OpenCode has not begun yet is not silent: silence counts from the session's first sign of work", () => {
  const tracker = new TurnTracker("s", 0, 0);
  assert.equal(tracker.silentFor(60_000), 0, "queued behind other sessions");
  tracker.feed({ id: "e", type: "session.status", properties: { sessionID: "s", status: { type: "busy" } } } as never, 60_000);
  assert.equal(tracker.silentFor(61_500), 1_500);
});
