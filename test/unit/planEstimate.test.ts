import assert from "node:assert/strict";
import { test } from "node:test";
import type { MissionState, TodoState, Usage } from "../../src/orchestrator/domain/state";
import { needsApproval } from "../../src/orchestrator/mission/planApproval";
import { DEFAULT_PROFILE, estimateLine, estimatePlan, usageProfile } from "../../src/orchestrator/mission/planEstimate";

const usage = (turns: number, inputTokens: number, outputTokens: number, requests?: number): Usage => ({ turns, inputTokens, outputTokens, cost: 0, ...(requests === undefined ? {} : { requests }) });
const todos = (n: number, status: TodoState["status"] = "done") => Array.from({ length: n }, (_, i) => ({ id: `T${i}`, status }) as TodoState);
const mission = (todoCount: number, byRole: MissionState["usageByRole"], extra: Partial<MissionState> = {}) => ({ todos: todos(todoCount), usageByRole: byRole, ...extra }) as MissionState;

test("before any mission of the workspace, the defaults: a Worker turn per TODO and a fifth for retries, reviews batched", () => {
  const e = estimatePlan(10, usageProfile([]), { input: 3, output: 15 });
  assert.equal(e.basis, "default");
  assert.equal(e.turns, 17);
  assert.equal(e.requests, 12 * 8 + 5 * 3);
  assert.equal(e.inputTokens, 12 * 40_000 + 5 * 20_000);
  assert.equal(e.outputTokens, 12 * 3_000 + 5 * 1_000);
  assert.equal(e.costUsd?.toFixed(4), ((580_000 * 3 + 41_000 * 15) / 1e6).toFixed(4));
});

test("past missions give the per-TODO and per-turn figures, weighted by their TODOs; replaced TODOs and missions without Workers do not count", () => {
  const past = [
    mission(2, { worker: usage(4, 40_000, 4_000, 20), reviewer: usage(2, 10_000, 1_000, 4) }, { todos: [...todos(2), ...todos(3, "replaced")] }),
    mission(6, { worker: usage(6, 20_000, 2_000), reviewer: usage(2, 6_000, 600) }),
    mission(0, {}),
  ];
  const profile = usageProfile(past);
  assert.equal(profile.basis, "history");
  assert.equal(profile.missions, 2);
  assert.equal(profile.worker.turnsPerTodo, 10 / 8);
  assert.equal(profile.worker.inputPerTurn, 60_000 / 10);
  assert.equal(profile.worker.requestsPerTurn, 20 / 4, "requests only from the mission that counted them");
  assert.equal(profile.reviewer.turnsPerTodo, 4 / 8);
  assert.equal(profile.reviewer.requestsPerTurn, 2);
  const withoutRequests = usageProfile([past[1] as MissionState]);
  assert.equal(withoutRequests.worker.requestsPerTurn, DEFAULT_PROFILE.worker.requestsPerTurn, "no mission counted requests: the default");
});

test("no price: no cost, said in words; a price of 0 means free", () => {
  const unpriced = estimatePlan(3, DEFAULT_PROFILE);
  assert.equal(unpriced.costUsd, undefined);
  assert.match(estimateLine(unpriced), /^3 TODOs · ~6 turns, ~\d+ model requests · ~\d+k tokens · cost unknown/);
  assert.match(estimateLine(estimatePlan(1, DEFAULT_PROFILE, { input: 0.15, output: 0.6 })), /^1 TODO · .* · ~\$0\.01$/);
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
