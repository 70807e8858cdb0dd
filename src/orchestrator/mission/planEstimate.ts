/**
 * What a proposed plan will take: agent turns, model requests, tokens and dollars. The per-TODO
 * and per-turn figures come from this workspace's past missions — the same project, prompts and
 * habits of the user's models — and, before there are any, from the defaults below. Each role is
 * priced at its own model's price, as OpenCode knows it (its models data, or the user's provider
 * config), cache reads and writes at the cache prices, as OpenCode bills them.
 *
 * It is an estimate of the work still to come (the Planner's turn is spent already) and of what a
 * mission without trouble takes: a replan the Reviewer asks for later is not in it.
 */
import type { Role } from "../domain/roles";
import type { MissionState, PlanEstimate, TodoState, Usage } from "../domain/state";
import { liveTodos } from "../domain/transitions";

/** The roles whose turns a plan still costs. */
export const ESTIMATED_ROLES = ["worker", "reviewer"] as const satisfies readonly Role[];
type EstimatedRole = (typeof ESTIMATED_ROLES)[number];

/** What one role takes, per TODO of a plan and per turn. */
export interface RoleProfile {
  turnsPerTodo: number;
  requestsPerTurn: number;
  inputPerTurn: number;
  outputPerTurn: number;
  cacheReadPerTurn: number;
  cacheWritePerTurn: number;
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
 * tools; retries add a fifth. A Reviewer reads several TODOs' diffs in one short turn. Counted as if
 * nothing were cached (a provider's cache makes it cheaper, never dearer): an estimate to approve
 * against should err high; the workspace's first mission replaces it.
 */
export const DEFAULT_PROFILE: UsageProfile = {
  worker: { turnsPerTodo: 1.2, requestsPerTurn: 8, inputPerTurn: 80_000, outputPerTurn: 3_000, cacheReadPerTurn: 0, cacheWritePerTurn: 0 },
  reviewer: { turnsPerTodo: 0.5, requestsPerTurn: 3, inputPerTurn: 30_000, outputPerTurn: 1_000, cacheReadPerTurn: 0, cacheWritePerTurn: 0 },
  basis: "default",
  missions: 0,
};

/** Prices in US dollars per million tokens (OpenCode's model `cost`). */
export interface ModelPrice {
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
}

/** Each role's model's price; a role absent has a model OpenCode has no price for. */
export type RolePrices = Partial<Record<EstimatedRole, ModelPrice>>;

/** The most recent missions count; older ones ran other code, other models. */
const HISTORY_DEPTH = 10;

/** A TODO some Worker took on: a mission stopped early says nothing of the TODOs it never reached. */
const worked = (todo: TodoState) => todo.attempts > 0;

/** The profile of this workspace's past missions (newest first), each role from the missions where it ran. */
export function usageProfile(past: readonly MissionState[]): UsageProfile {
  const used = past.filter((s) => (s.usageByRole.worker?.turns ?? 0) > 0 && liveTodos(s).some(worked)).slice(0, HISTORY_DEPTH);
  if (used.length === 0) return DEFAULT_PROFILE;
  const role = (name: EstimatedRole): RoleProfile => {
    const ran = used.filter((s) => (s.usageByRole[name]?.turns ?? 0) > 0);
    const usages = ran.map((s) => s.usageByRole[name] as Usage);
    const todos = ran.reduce((n, s) => n + liveTodos(s).filter(worked).length, 0);
    const turns = usages.reduce((n, u) => n + u.turns, 0);
    if (turns === 0 || todos === 0) return DEFAULT_PROFILE[name];
    const perTurn = (field: (u: Usage) => number | undefined) => usages.reduce((n, u) => n + (field(u) ?? 0), 0) / turns;
    // Requests were not counted before; missions that did count them speak for requests alone.
    const counted = usages.filter((u) => (u.requests ?? 0) > 0);
    const countedTurns = counted.reduce((n, u) => n + u.turns, 0);
    return {
      turnsPerTodo: turns / todos,
      requestsPerTurn: countedTurns ? counted.reduce((n, u) => n + (u.requests ?? 0), 0) / countedTurns : DEFAULT_PROFILE[name].requestsPerTurn,
      inputPerTurn: perTurn((u) => u.inputTokens),
      outputPerTurn: perTurn((u) => u.outputTokens),
      cacheReadPerTurn: perTurn((u) => u.cacheReadTokens),
      cacheWritePerTurn: perTurn((u) => u.cacheWriteTokens),
    };
  };
  return { worker: role("worker"), reviewer: role("reviewer"), basis: "history", missions: used.length };
}

/** The estimate for a plan of `todos` TODOs. */
export function estimatePlan(todos: number, profile: UsageProfile, prices: RolePrices = {}): PlanEstimate {
  const sum = { turns: 0, requests: 0, input: 0, output: 0, cacheRead: 0, cacheWrite: 0, cost: 0 };
  const unpriced: EstimatedRole[] = [];
  for (const name of ESTIMATED_ROLES) {
    const role = profile[name];
    const turns = todos * role.turnsPerTodo;
    const tokens = { input: turns * role.inputPerTurn, output: turns * role.outputPerTurn, cacheRead: turns * role.cacheReadPerTurn, cacheWrite: turns * role.cacheWritePerTurn };
    sum.turns += turns;
    sum.requests += turns * role.requestsPerTurn;
    sum.input += tokens.input;
    sum.output += tokens.output;
    sum.cacheRead += tokens.cacheRead;
    sum.cacheWrite += tokens.cacheWrite;
    const price = prices[name];
    if (!price) {
      if (turns > 0) unpriced.push(name);
      continue;
    }
    sum.cost += (tokens.input * price.input + tokens.output * price.output + tokens.cacheRead * (price.cacheRead ?? 0) + tokens.cacheWrite * (price.cacheWrite ?? 0)) / 1_000_000;
  }
  const estimate: PlanEstimate = {
    todos,
    turns: Math.ceil(sum.turns),
    requests: Math.ceil(sum.requests),
    inputTokens: Math.round(sum.input),
    outputTokens: Math.round(sum.output),
    cacheReadTokens: Math.round(sum.cacheRead),
    cacheWriteTokens: Math.round(sum.cacheWrite),
    basis: profile.basis,
    missions: profile.missions,
  };
  const pricedRoles = ESTIMATED_ROLES.filter((r) => prices[r]);
  if (pricedRoles.length > 0) estimate.costUsd = sum.cost;
  if (unpriced.length > 0 && pricedRoles.length > 0) estimate.unpricedRoles = unpriced;
  return estimate;
}

/** "12 TODOs · ~40 turns, ~210 model requests · ~1.2M tokens · ~$0.84", for every surface. */
export function estimateLine(e: PlanEstimate): string {
  const tokens = e.inputTokens + e.outputTokens + (e.cacheReadTokens ?? 0) + (e.cacheWriteTokens ?? 0);
  const parts = [`${e.todos} TODO${e.todos === 1 ? "" : "s"}`, `~${e.turns} turns, ~${e.requests} model requests`, `~${compact(tokens)} tokens`];
  if (e.costUsd === undefined) parts.push("cost unknown (OpenCode has no price for the model)");
  else parts.push(`${aboutDollars(e.costUsd)}${e.unpricedRoles?.length ? ` (+ the ${e.unpricedRoles.join(" and ")}'s model, no price known)` : ""}`);
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
