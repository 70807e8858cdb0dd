/**
 * Memory bounds, asserted: thousands of tasks through the Commander (in-process engine) leave the
 * heap flat once maxTasksInMemory is reached, and a finished mission leaves no timer or listener
 * behind. Heap figures compare two points of one run (after forced GCs), not absolute numbers.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { memorySoak } from "../../bench/core";

// A forced GC makes the figures the live heap, not whatever the collector has not reached yet.
setFlagsFromString("--expose-gc");
(globalThis as { gc?: () => void }).gc ??= runInNewContext("gc") as () => void;

const activeTimers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;

test("a soak of 6,000 tasks keeps the heap flat past maxTasksInMemory and leaves no timer behind", async (t) => {
  const timersBefore = activeTimers();
  const soak = await memorySoak(6_000, 300);
  t.diagnostic(`heap ${soak.startMB.toFixed(1)} → ${soak.middleMB.toFixed(1)} → ${soak.endMB.toFixed(1)} MB; ${soak.archived} records archived`);
  assert.equal(soak.archived, 6_000 - 300, "all but maxTasksInMemory finished records left memory for the archive");
  // The second 3,000 tasks may not grow the heap as the first did: bounded, not proportional.
  const firstHalf = soak.middleMB - soak.startMB;
  const secondHalf = soak.endMB - soak.middleMB;
  assert.ok(secondHalf < Math.max(2, 0.25 * firstHalf), `second half grew the heap by ${secondHalf.toFixed(1)} MB, the first by ${firstHalf.toFixed(1)} MB`);
  assert.equal(activeTimers(), timersBefore, "the mission's timers (snapshots, watchdogs, backoffs) are all gone");
});
