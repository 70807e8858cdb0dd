import assert from "node:assert/strict";
import { test } from "node:test";
import type { MissionState, TodoState, Usage } from "../../src/orchestrator/domain/state";
import { needsApproval } from "../../src/orchestrator/mission/planApproval";
import { DEFAULT_PROFILE, estimateLine, estimatePlan, usageProfile } from "../../src/orchestrator/mission/planEstimate";

const usage = (turns: number, inputTokens: number, outputTokens: number, extra: Partial<Usage> = {}): Usage => ({ turns, inputTokens, outputTokens, cost: 0, ...extra });
const todos = (n: number, attempts = 1, status: TodoState["status"] = "done") => Array.from({ length: n }, (_, i) => ({ id: `T${i}`, status, attempts }) as TodoState);
const mission = (todoList: TodoState[], byRole: MissionState["usageByRole"]) => ({ todos: todoList, usageByRole: byRole }) as MissionState;
const SONNET = { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 };

test("before any mission of the workspace, the defaults: a Worker turn per TODO and a fifth for retries, reviews batched, nothing cached", () => {
  const e = estimatePlan(10, usageProfile([]), { worker: SONNET, reviewer: SONNET });
  assert.equal(e.basis, "default");
  assert.equal(e.turns, 17);
  assert.equal(e.requests, 12 * 8 + 5 * 3);
  assert.equal(e.inputTokens, 12 * 80_000 + 5 * 30_000);
  assert.equal(e.outputTokens, 12 * 3_000 + 5 * 1_000);
  assert.equal(e.costUsd?.toFixed(4), ((1_110_000 * 3 + 41_000 * 15) / 1e6).toFixed(4));
});

test("past missions give the per-TODO and per-turn figures: only TODOs a Worker took on count, each role over the missions where it ran", () => {
  const past = [
    // Stopped early: 2 of 30 TODOs were worked on, the Reviewer never ran.
    mission([...todos(2), ...todos(28, 0, "pending")], { worker: usage(2, 20_000, 2_000, { requests: 10, cacheReadTokens: 60_000, cacheWriteTokens: 8_000 }) }),
    mission([...todos(4), ...todos(3, 1, "replaced")], { worker: usage(6, 40_000, 4_000), reviewer: usage(2, 10_000, 1_000, { requests: 4 }) }),
    mission([], {}),
  ];
  const profile = usageProfile(past);
  assert.equal(profile.basis, "history");
  assert.equal(profile.missions, 2);
  assert.equal(profile.worker.turnsPerTodo, 8 / 6, "the 28 TODOs never reached do not dilute it");
  assert.equal(profile.worker.inputPerTurn, 60_000 / 8);
  assert.equal(profile.worker.cacheReadPerTurn, 60_000 / 8);
  assert.equal(profile.worker.requestsPerTurn, 10 / 2, "requests only from the mission that counted them");
  assert.equal(profile.reviewer.turnsPerTodo, 2 / 4, "the Reviewer's turns over the TODOs of the mission where it ran");
  assert.equal(profile.reviewer.requestsPerTurn, 2);
  assert.equal(usageProfile([past[1] as MissionState]).worker.requestsPerTurn, DEFAULT_PROFILE.worker.requestsPerTurn, "no mission counted requests: the default");
});

test("cache reads and writes are priced at the cache prices; each role at its own model's price", () => {
  const profile = { ...DEFAULT_PROFILE, worker: { ...DEFAULT_PROFILE.worker, turnsPerTodo: 1, inputPerTurn: 1_000, outputPerTurn: 0, cacheReadPerTurn: 100_000, cacheWritePerTurn: 10_000 }, reviewer: { ...DEFAULT_PROFILE.reviewer, turnsPerTodo: 0 } };
  const e = estimatePlan(1, profile, { worker: SONNET });
  assert.equal(e.costUsd?.toFixed(4), ((1_000 * 3 + 100_000 * 0.3 + 10_000 * 3.75) / 1e6).toFixed(4));
  assert.match(estimateLine(e), /~111k tokens/, "cached tokens are tokens too");
  const mixed = estimatePlan(2, DEFAULT_PROFILE, { worker: SONNET });
  assert.deepEqual(mixed.unpricedRoles, ["reviewer"]);
  assert.match(estimateLine(mixed), /~\$\d+\.\d\d \(\+ the reviewer's model, no price known\)$/);
});

test("no price at all: no cost, said in words", () => {
  const unpriced = estimatePlan(3, DEFAULT_PROFILE);
  assert.equal(unpriced.costUsd, undefined);
  assert.match(estimateLine(unpriced), /^3 TODOs · ~6 turns, ~\d+ model requests · ~\d+k tokens · cost unknown/);
  assert.match(estimateLine(estimatePlan(1, DEFAULT_PROFILE, { worker: { input: 0.01, output: 0.01 }, reviewer: { input: 0.01, output: 0.01 } })), /^1 TODO · .* · <\$0\.01$/);
  assert.equal(estimatePlan(0, DEFAULT_PROFILE).turns, 0);
});

test("approvePlan: always asks, never does not, aboveCost asks only above a known price", () => {
  const at = (costUsd?: number) => ({ ...estimatePlan(1, DEFAULT_PROFILE), costUsd });
  assert.equal(needsApproval("always", 1, at(0)), true);
  assert.equal(needsApproval("never", 1, at(100)), false);
  assert.equal(needsApproval("aboveCost", 1, at(1.01)), true);
  assert.equal(needsApproval("aboveCost", 1, at(1)), false);
  assert.equal(needsApproval("aboveCost", 1, at(undefined)), false, "OpenCode prices local models at 0: unknown cannot be told from free");
});
