/**
 * What a proposed plan will take: agent turns, model requests, tokens and dollars. The per-TODO
 * and per-turn figures come from this workspace's past missions — the same project, prompts and
 * habits of the user's models — and, before there are any, from the defaults below. The price is
 * the model's, as OpenCode knows it (its models data, or the user's provider config).
 *
 * It is an estimate of the work still to come (the Planner's turn is spent already) and of what a
 * mission without trouble takes: a replan the Reviewer asks for later is not in it. Input tokens
 * are those OpenCode counts as input, without cache reads — what most providers bill in full.
 */
import type { MissionState, PlanEstimate, Usage } from "../domain/state";
import { liveTodos } from "../domain/transitions";

/** What one role takes, per TODO of a plan and per turn. */
export interface RoleProfile {
  turnsPerTodo: number;
  requestsPerTurn: number;
  inputPerTurn: number;
  outputPerTurn: number;
}

export interface UsageProfile {
  worker: RoleProfile;
  reviewer: RoleProfile;
  basis: PlanEstimate["basis"];
  /** Past missions the figures come from (0: the defaults). */
  missions: number;
}

/**
 * Before any mission of its own: a Worker turn of a budget model writing a file or two takes about
 * eight steps, each resending a context that grows from OpenCode's ~10k-token system prompt and
 * tools; retries add a fifth. A Reviewer reads several TODOs' diffs in one short turn.
 */
export const DEFAULT_PROFILE: UsageProfile = {
  worker: { turnsPerTodo: 1.2, requestsPerTurn: 8, inputPerTurn: 40_000, outputPerTurn: 3_000 },
  reviewer: { turnsPerTodo: 0.5, requestsPerTurn: 3, inputPerTurn: 20_000, outputPerTurn: 1_000 },
  basis: "default",
  missions: 0,
};

/** Prices in US dollars per million tokens (OpenCode's model `cost`). */
export interface ModelPrice {
  input: number;
  output: number;
}

/** The most recent missions count; older ones ran other code, other models. */
const HISTORY_DEPTH = 10;

/** The profile of this workspace's past missions (newest first), each role from the missions where it ran. */
export function usageProfile(past: readonly MissionState[]): UsageProfile {
  const used = past.filter((s) => (s.usageByRole.worker?.turns ?? 0) > 0 && liveTodos(s).length > 0).slice(0, HISTORY_DEPTH);
  if (used.length === 0) return DEFAULT_PROFILE;
  const todos = used.reduce((n, s) => n + liveTodos(s).length, 0);
  const role = (name: "worker" | "reviewer"): RoleProfile => {
    const usages = used.map((s) => s.usageByRole[name]).filter((u): u is Usage => !!u && u.turns > 0);
    const turns = usages.reduce((n, u) => n + u.turns, 0);
    if (turns === 0) return DEFAULT_PROFILE[name];
    // Requests were not counted before; missions that did count them speak for requests alone.
    const counted = usages.filter((u) => (u.requests ?? 0) > 0);
    const countedTurns = counted.reduce((n, u) => n + u.turns, 0);
    return {
      turnsPerTodo: turns / todos,
      requestsPerTurn: countedTurns ? counted.reduce((n, u) => n + (u.requests ?? 0), 0) / countedTurns : DEFAULT_PROFILE[name].requestsPerTurn,
      inputPerTurn: usages.reduce((n, u) => n + u.inputTokens, 0) / turns,
      outputPerTurn: usages.reduce((n, u) => n + u.outputTokens, 0) / turns,
    };
  };
  return { worker: role("worker"), reviewer: role("reviewer"), basis: "history", missions: used.length };
}

/** The estimate for a plan of `todos` TODOs. */
export function estimatePlan(todos: number, profile: UsageProfile, price?: ModelPrice): PlanEstimate {
  let turns = 0;
  let requests = 0;
  let inputTokens = 0;
  let outputTokens = 0;
  for (const role of [profile.worker, profile.reviewer]) {
    const roleTurns = todos * role.turnsPerTodo;
    turns += roleTurns;
    requests += roleTurns * role.requestsPerTurn;
    inputTokens += roleTurns * role.inputPerTurn;
    outputTokens += roleTurns * role.outputPerTurn;
  }
  // A mission with TODOs ends with at least one review of the whole.
  if (todos > 0) turns = Math.max(turns, todos + 1);
  const estimate: PlanEstimate = {
    todos,
    turns: Math.ceil(turns),
    requests: Math.ceil(requests),
    inputTokens: Math.round(inputTokens),
    outputTokens: Math.round(outputTokens),
    basis: profile.basis,
    missions: profile.missions,
  };
  if (price) estimate.costUsd = (inputTokens * price.input + outputTokens * price.output) / 1_000_000;
  return estimate;
}

/** "12 TODOs · ~40 turns, ~210 model requests · ~1.2M tokens · ~$0.84", for every surface. */
export function estimateLine(e: PlanEstimate): string {
  const parts = [`${e.todos} TODO${e.todos === 1 ? "" : "s"}`, `~${e.turns} turns, ~${e.requests} model requests`, `~${compact(e.inputTokens + e.outputTokens)} tokens`];
  parts.push(e.costUsd === undefined ? "cost unknown (OpenCode has no price for the model)" : aboutDollars(e.costUsd));
  return parts.join(" · ");
}

/** Where the figures come from, in a sentence. */
export function estimateBasis(e: PlanEstimate): string {
  return e.basis === "history" ? `Per-turn figures from this workspace's last ${e.missions} mission${e.missions === 1 ? "" : "s"}.` : "Per-turn figures are defaults until this workspace has a mission of its own.";
}

/** An estimated amount: "~$0.84", or "<$0.01" where cents would round it to nothing. */
export function aboutDollars(usd: number): string {
  if (usd > 0 && usd < 0.01) return "<$0.01";
  return `~$${usd.toFixed(2)}`;
}

function compact(n: number): string {
  if (n >= 1_000_000) return `${(n / 1_000_000).toFixed(1)}M`;
  if (n >= 1_000) return `${Math.round(n / 1_000)}k`;
  return String(n);
}
