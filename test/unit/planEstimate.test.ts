import assert from "node:assert/strict";
import { test } from "node:test";
import type { MissionState, TodoState, Usage } from "../../src/orchestrator/domain/state";
import { needsApproval } from "../../src/orchestrator/mission/planApproval";
import { DEFAULT_PROFILE, estimateBasis, estimateLine, estimatePlan, PLANNER_SCALE, plannerScaledProfile, usageProfile } from "../../src/orchestrator/mission/planEstimate";

const usage = (turns: number, inputTokens: number, outputTokens: number, extra: Partial<Usage> = {}): Usage => ({ turns, inputTokens, outputTokens, cost: 0, ...extra });
const todos = (n: number, attempts = 1, status: TodoState["status"] = "done") => Array.from({ length: n }, (_, i) => ({ id: `T${i}`, status, attempts }) as TodoState);
const mission = (todoList: TodoState[], byRole: MissionState["usageByRole"]) => ({ todos: todoList, usageByRole: byRole }) as MissionState;
const SONNET = { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 };

test("before any mission of the workspace and without a Planner turn, the measured figures: a Worker turn per TODO and a tenth for retries, reviews batched, nothing cached", () => {
  const e = estimatePlan(10, usageProfile([]), { worker: SONNET, reviewer: SONNET });
  assert.equal(e.basis, "default");
  assert.equal(e.turns, 11 + 8);
  assert.equal(e.requests, 11 * 5 + 8 * 3);
  assert.equal(e.inputTokens, 11 * 5 * 6_000 + 8 * 3 * 6_000);
  assert.equal(e.outputTokens, Math.round(11 * 150 + 8 * 37.5));
  assert.equal(DEFAULT_PROFILE, plannerScaledProfile(undefined, 10), "no Planner usage: the measured figures");
  assert.equal(DEFAULT_PROFILE, plannerScaledProfile(usage(1, 0, 0), 10), "a provider that reports no tokens: the same");
});

// The demo mission as bench/turnTokens.ts measured it (issue 27): 4 TODOs; the Planner's one turn,
// 1 request, 592 input and 271 output tokens; then 9.8k tokens for the Workers and the Reviewer.
const DEMO_PLANNER = usage(1, 592, 271, { requests: 1 });
const DEMO_USED = 4 * (1_512 + 137) + 4 * (786 + 25);

test("a workspace's first plan is estimated from its own Planner turn: the demo's estimate is within twice what it used, not fifty times", () => {
  const e = estimatePlan(4, usageProfile([], plannerScaledProfile(DEMO_PLANNER, 4)));
  const tokens = e.inputTokens + e.outputTokens;
  assert.ok(tokens >= DEMO_USED * 0.8 && tokens <= DEMO_USED * 2.5, `${tokens} estimated against ${DEMO_USED} used`);
  assert.equal(e.basis, "default");
  assert.match(estimateBasis(e), /measured ones, scaled to this mission's Planner turn/);
  // The same plan on a provider that bills forty times the tokens a request (tools, rules, a large prompt): forty times the estimate.
  const big = estimatePlan(4, usageProfile([], plannerScaledProfile(usage(1, 592 * 40, 271, { requests: 1 }), 4)));
  assert.ok(Math.abs(big.inputTokens / e.inputTokens - 40) < 0.01, `${big.inputTokens} vs ${e.inputTokens}`);
});

test("the Planner's scale: input per request over all its turns (cache included), output per turn over the plan's TODOs", () => {
  const profile = plannerScaledProfile(usage(2, 8_000, 600, { requests: 4, cacheReadTokens: 2_000 }), 3);
  assert.equal(profile.worker.inputPerTurn, PLANNER_SCALE.worker.requestsPerTurn * 2_500);
  assert.equal(profile.reviewer.inputPerTurn, PLANNER_SCALE.reviewer.requestsPerTurn * 2_500);
  assert.equal(profile.worker.outputPerTurn, PLANNER_SCALE.worker.outputPerTodoPlanned * 100);
  assert.equal(profile.worker.turnsPerTodo, PLANNER_SCALE.worker.turnsPerTodo);
  // Past missions still come first: the workspace's own habits beat a scale.
  const past = [mission(todos(2), { worker: usage(2, 20_000, 2_000, { requests: 6 }) })];
  assert.equal(usageProfile(past, profile).basis, "history");
  assert.equal(usageProfile(past, profile).reviewer, profile.reviewer, "a role that never ran in them: the scaled figures");
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
