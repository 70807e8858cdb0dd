/**
 * Memory bounds, asserted: thousands of tasks through the Commander (in-process engine) leave the
 * heap flat once maxTasksInMemory is reached, and a finished mission leaves nothing holding the
 * event loop. Heap figures are compared within one test run (after forced GCs): the same soak with
 * archiving and without, never against absolute numbers.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { memorySoak } from "../../bench/core";

// A forced GC makes the figures the live heap, not whatever the collector has not reached yet.
setFlagsFromString("--expose-gc");
(globalThis as { gc?: () => void }).gc ??= runInNewContext("gc") as () => void;

/** Timers, sockets and processes that keep the event loop alive (not stdio pipes or the runner's own fs requests). */
const HELD_BY_A_MISSION = new Set(["Timeout", "Immediate", "ProcessWrap", "TCPWrap", "TCPServerWrap"]);
const activeResources = () => process.getActiveResourcesInfo().filter((r) => HELD_BY_A_MISSION.has(r)).length;

test("a soak of 6,000 tasks keeps the heap flat past maxTasksInMemory and leaves nothing holding the event loop", async (t) => {
  const before = activeResources();
  const bounded = await memorySoak(6_000, 300);
  const unbounded = await memorySoak(6_000, 1_000_000);
  const growth = (s: typeof bounded) => s.endMB - s.middleMB;
  t.diagnostic(`second-half heap growth: ${growth(bounded).toFixed(1)} MB with maxTasksInMemory 300 (${bounded.archived} archived), ${growth(unbounded).toFixed(1)} MB without`);
  assert.equal(bounded.archived, 6_000 - 300, "all but maxTasksInMemory finished records left memory for the archive");
  assert.equal(unbounded.archived, 0);
  // Records kept whole grow the heap with every task; stubs barely do. Past the bound, the second
  // 3,000 tasks must cost well under half of what they cost with every record kept.
  assert.ok(growth(bounded) < 0.5 * growth(unbounded), `bounded ${growth(bounded).toFixed(1)} MB vs unbounded ${growth(unbounded).toFixed(1)} MB`);
  await new Promise((r) => setImmediate(r));
 
  assert.equal(activeResources(), before, "no timer, handle or process of the missions is left");
});
