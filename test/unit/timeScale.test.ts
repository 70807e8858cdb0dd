/** The session timeline's axis: round steps, a handful of ticks, short elapsed labels. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { elapsedLabel, tickStep, ticks } from "../../webview/timeScale";

test("the step is the smallest round one that keeps the ticks few", () => {
  assert.equal(tickStep(5_000), 1_000);
  assert.equal(tickStep(40_000), 5_000);
  assert.equal(tickStep(3 * 60_000), 30_000);
  assert.equal(tickStep(45 * 60_000), 600_000);
  assert.equal(tickStep(0), 1_000, "a moment still has a scale");
  assert.ok(tickStep(30 * 86_400_000) >= 86_400_000, "past the table, whole days");
});

test("ticks start at 0 and stay within the span", () => {
  assert.deepEqual(ticks(12_000), [0, 2_000, 4_000, 6_000, 8_000, 10_000, 12_000]);
  for (const span of [900, 61_000, 7_200_000, 100_000_000]) {
    const t = ticks(span);
    assert.equal(t[0], 0);
    assert.ok(t.length <= 9 && (t.at(-1) ?? 0) <= span, `${span}: ${t.length} ticks`);
  }
});

test("elapsed labels are short", () => {
  assert.deepEqual([0, 45_000, 60_000, 90_000, 65_000, 3_600_000, 3_900_000, -5].map(elapsedLabel), ["0s", "45s", "1m", "1m30s", "1m05s", "1h", "1h05m", "0s"]);
});
