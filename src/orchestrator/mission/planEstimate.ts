/**
 * What a proposed plan will take: agent turns, model requests, tokens and dollars. The per-TODO
 * and per-turn figures come from this workspace's past missions — the same project, prompts and
 * habits of the user's models — and, before there are any, from this product's measured figures
 * scaled to the Planner turn the mission has just spent (below). Each role is
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
 * Before any mission of its own, what a turn takes is scaled from the one turn this mission has
 * already spent: the Planner's. Its input per request is what this provider bills for a request of
 * this product here — our prompts, OpenCode's tools, the project's rules, files read — and its
 * output per TODO planned is how much this model writes; a Worker's and a Reviewer's requests are
 * about the size of a Planner's. Measured on this product (bench/turnTokens.ts, issue 27: the demo
 * mission and a real-ish scripted one, tool definitions included): a Worker turn took 2 (demo) to 5
 * requests of 0.9–1.3× the Planner's input per request and wrote about twice the Planner's output
 * per TODO; a Reviewer turn 1–3 requests of 0.8–1.3×, about half its output; 1 Worker turn per
 * TODO, 0.7–1 Reviewer turn. The multiples below take the upper request counts and a tenth more
 * Worker turns for retries, so the estimate errs a little high, never fifty times.
 */
export const PLANNER_SCALE = {
  worker: { turnsPerTodo: 1.1, requestsPerTurn: 5, inputPerRequest: 1, outputPerTodoPlanned: 2 },
  reviewer: { turnsPerTodo: 0.8, requestsPerTurn: 3, inputPerRequest: 1, outputPerTodoPlanned: 0.5 },
} as const;

/**
 * Without a Planner turn to scale from (a provider that reports no usage): the same mission's
 * figures as a real provider bills them (the real-ish mission of bench/turnTokens.ts: ~5.6k input
 * tokens a Worker request, ~5k a Reviewer's, tool definitions included; ~75 output tokens a TODO
 * planned). Counted as if nothing were cached.
 */
const MEASURED_PLANNER = { inputPerRequest: 6_000, outputPerTodo: 75 };

/** The defaults, scaled from a Planner's input per request and output per TODO planned. */
function scaledProfile(inputPerRequest: number, outputPerTodo: number): UsageProfile {
  const role = (name: EstimatedRole): RoleProfile => {
    const scale = PLANNER_SCALE[name];
    return {
      turnsPerTodo: scale.turnsPerTodo,
      requestsPerTurn: scale.requestsPerTurn,
      inputPerTurn: scale.requestsPerTurn * scale.inputPerRequest * inputPerRequest,
      outputPerTurn: scale.outputPerTodoPlanned * outputPerTodo,
      cacheReadPerTurn: 0,
      cacheWritePerTurn: 0,
    };
  };
  return { worker: role("worker"), reviewer: role("reviewer"), basis: "default", missions: 0 };
}

/** Before any mission of the workspace and any Planner turn: the measured figures. */
export const DEFAULT_PROFILE: UsageProfile = scaledProfile(MEASURED_PLANNER.inputPerRequest, MEASURED_PLANNER.outputPerTodo);

/**
 * The defaults for this mission, scaled from its Planner's turns so far (`planner`: their usage;
 * `todos`: the size of the plan its last turn gave). Cached tokens count as input: they are context
 * a Worker resends too.
 */
export function plannerScaledProfile(planner: Usage | undefined, todos: number): UsageProfile {
  const input = (planner?.inputTokens ?? 0) + (planner?.cacheReadTokens ?? 0) + (planner?.cacheWriteTokens ?? 0);
  // Requests were not always counted: a turn is at least one.
  const requests = Math.max(planner?.requests ?? 0, planner?.turns ?? 0);
  if (!planner || input <= 0 || requests <= 0 || todos <= 0) return DEFAULT_PROFILE;
  const outputPerTurn = planner.outputTokens / Math.max(1, planner.turns);
  return scaledProfile(input / requests, outputPerTurn > 0 ? outputPerTurn / todos : MEASURED_PLANNER.outputPerTodo);
}

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

/**
 * The profile of this workspace's past missions (newest first), each role from the missions where
 * it ran; without any, `fallback` (the defaults scaled from this mission's Planner).
 */
export function usageProfile(past: readonly MissionState[], fallback: UsageProfile = DEFAULT_PROFILE): UsageProfile {
  const used = past.filter((s) => (s.usageByRole.worker?.turns ?? 0) > 0 && liveTodos(s).some(worked)).slice(0, HISTORY_DEPTH);
  if (used.length === 0) return fallback;
  const role = (name: EstimatedRole): RoleProfile => {
    const ran = used.filter((s) => (s.usageByRole[name]?.turns ?? 0) > 0);
    const usages = ran.map((s) => s.usageByRole[name] as Usage);
    const todos = ran.reduce((n, s) => n + liveTodos(s).filter(worked).length, 0);
    const turns = usages.reduce((n, u) => n + u.turns, 0);
    if (turns === 0 || todos === 0) return fallback[name];
    const perTurn = (field: (u: Usage) => number | undefined) => usages.reduce((n, u) => n + (field(u) ?? 0), 0) / turns;
    // Requests were not counted before; missions that did count them speak for requests alone.
    const counted = usages.filter((u) => (u.requests ?? 0) > 0);
    const countedTurns = counted.reduce((n, u) => n + u.turns, 0);
    return {
      turnsPerTodo: turns / todos,
      requestsPerTurn: countedTurns ? counted.reduce((n, u) => n + (u.requests ?? 0), 0) / countedTurns : fallback[name].requestsPerTurn,
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
  return e.basis === "history" ? `Per-turn figures from this workspace's last ${e.missions} mission${e.missions === 1 ? "" : "s"}.` : "Per-turn figures are this product's measured ones, scaled to this mission's Planner turn, until this workspace has a mission of its own.";
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
