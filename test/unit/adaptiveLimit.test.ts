import assert from "node:assert/strict";
import { test } from "node:test";
import { AdaptiveLimit } from "../../src/orchestrator/schedule/adaptiveLimit";

test("halves on rate limits down to 1, climbs back one per success up to the maximum", () => {
  const limit = new AdaptiveLimit(10);
  limit.onRateLimit();
  assert.equal(limit.current, 5);
  limit.onRateLimit();
  limit.onRateLimit();
  limit.onRateLimit();
  limit.onRateLimit();
  assert.equal(limit.current, 1);
  for (let i = 0; i < 20; i++) limit.onSuccess();
  assert.equal(limit.current, 10);
});

test("the maximum is 1–50", () => {
  assert.throws(() => new AdaptiveLimit(0), /1–50/);
  assert.throws(() => new AdaptiveLimit(51), /1–50/);
  assert.throws(() => new AdaptiveLimit(2.5), /1–50/);
  assert.equal(new AdaptiveLimit(50).current, 50);
});
