/**
 * Benchmarks against the real OpenCode server and the scripted model: the orchestrator's makespan
 * against the same prompts sent straight through the SDK, dispatch latency on a chain, 50 Workers at
 * once, and what the diamond mission costs in model requests and prompt size.
 */
import { join } from "node:path";
import { createOpencodeClient } from "@opencode-ai/sdk/v2";
import { z } from "zod";
import { agentName } from "../src/orchestrator/agents/roles";
import { Plan, Review, WorkerReport, type PlannedTodo } from "../src/orchestrator/domain/schemas";
import { planPrompt, reviewPrompt, workerPrompt } from "../src/orchestrator/agents/turnPrompts";
import { CheckpointStore } from "../src/orchestrator/changes/checkpointStore";
import { basicAuthHeader } from "../src/orchestrator/engine/client";
import type { Engine } from "../src/orchestrator/engine/engine";
import type { OpencodeEvent } from "../src/orchestrator/engine/eventRouter";
import { silentLogger } from "../src/orchestrator/common/logger";
import type { Checkpoints } from "../src/orchestrator/mission/changeRecorder";
import { Commander } from "../src/orchestrator/mission/commander";
import { MissionStore } from "../src/orchestrator/mission/missionStore";
import type { TodoState } from "../src/orchestrator/domain/state";
import { missionScenario, todo } from "../src/orchestrator/scriptedModel/missionScenario";
import type { ScriptedModel } from "../src/orchestrator/scriptedModel/server";
import { SCRIPTED_MODEL, type EngineHarness } from "../test/support/engineHarness";
import { followEvents, rawTurn, serverMajor } from "./rawV2";
import { median, percentile } from "./stats";

export const independent = (prefix: string, n: number): PlannedTodo[] => Array.from({ length: n }, (_, i) => todo(`${prefix}${i}`, [], [`${prefix}/t${i}.txt`]));

/**
 * What a mission runs against: a started server (through our Engine), the scripted model, the
 * workspace, and the orchestrator's checkpoints of it (the product takes them: one store per
 * workspace, as the MissionHost does). The raw baseline ignores `checkpoints`.
 */
export interface MissionTarget {
  engine: Engine;
  model: ScriptedModel;
  workspace: string;
  checkpoints?: Checkpoints;
}

const stores = new Map<string, CheckpointStore>();
/** The one checkpoint store of a workspace, as the MissionHost keeps it for the extension's life. */
export const checkpointsOf = (workspace: string): CheckpointStore => {
  let store = stores.get(workspace);
  if (!store) stores.set(workspace, (store = new CheckpointStore(workspace)));
  return store;
};

const targetOf = (h: EngineHarness): MissionTarget => ({ engine: h.engine, model: h.model, workspace: h.sandbox.workspace, checkpoints: checkpointsOf(h.sandbox.workspace) });

export async function orchestratorMission(t: MissionTarget, mission: string, todos: PlannedTodo[], latencyMs: number, maxParallelSessions = 50) {
  t.model.setScenario(missionScenario({ workspace: t.workspace, plans: [{ todos }], latencyMs }));
  const commander = Commander.create(mission, { engine: t.engine, store: new MissionStore(t.workspace), checkpoints: t.checkpoints, logger: silentLogger, model: SCRIPTED_MODEL, limits: { maxParallelSessions } });
  const errors: string[] = [];
  commander.events.on((e) => {
    if (e.type === "turn.finished" && !e.ok) errors.push(e.error ?? "error");
  });
  const started = performance.now();
  const state = await commander.run();
  return { ms: performance.now() - started, status: state.status, errors, commander };
}

/**
 * The baseline: planner, then every Worker at once, then the reviewer, with the same prompts,
 * straight through the server's own API — OpenCode 1's SDK (a json_schema result, done at
 * `session.idle`) or OpenCode 2's calls (bench/rawV2.ts), whichever the server says it is.
 */
export async function rawMission(t: MissionTarget, mission: string, todos: PlannedTodo[], latencyMs: number): Promise<number> {
  t.model.setScenario(missionScenario({ workspace: t.workspace, plans: [{ todos }], latencyMs }));
  const { url, password } = t.engine.credentials;
  if ((await serverMajor({ url, password })) === 2) return rawMissionV2(t, mission, todos);
  const client = createOpencodeClient({ baseUrl: url, directory: t.workspace, headers: { authorization: basicAuthHeader(password as string) } });
  const waiting = new Map<string, () => void>();
  const abort = new AbortController();
  const subscription = await client.event.subscribe({}, { signal: abort.signal });
  let connected!: () => void;
  const ready = new Promise<void>((resolve) => (connected = resolve));
  void (async () => {
    for await (const event of subscription.stream) {
      const e = event as OpencodeEvent;
      if (e.type === "server.connected") connected();
      if (e.type === "session.idle") waiting.get(e.properties.sessionID)?.();
    }
  })().catch(() => undefined);
  await ready;
  const turn = async (role: "planner" | "worker" | "reviewer", prompt: string, schema: z.ZodType) => {
    const session = await client.session.create({ title: `raw ${role}` }, { throwOnError: true });
    const idle = new Promise<void>((resolve) => waiting.set(session.data.id, resolve));
    await client.session.promptAsync({ sessionID: session.data.id, agent: agentName(role), model: SCRIPTED_MODEL, format: { type: "json_schema", schema: z.toJSONSchema(schema) as Record<string, unknown> }, parts: [{ type: "text", text: prompt }] }, { throwOnError: true });
    await idle;
  };
  const states: TodoState[] = todos.map((t) => ({ ...t, status: "review", attempts: 1, sessions: [], reviewIssues: [], history: [] }));
  const started = performance.now();
  await turn("planner", planPrompt(mission, join(t.workspace, "docs")), Plan);
  await Promise.all(states.map((t) => turn("worker", workerPrompt(mission, { ...t, status: "running" }, "todo.md"), WorkerReport)));
  await turn("reviewer", reviewPrompt(mission, states, { integration: true, final: true }), Review);
  const ms = performance.now() - started;
  abort.abort();
  return ms;
}

/** rawMission on OpenCode 2: the same sessions and prompts through its HTTP API (no json_schema result there: the turn ends when its execution does). */
async function rawMissionV2(t: MissionTarget, mission: string, todos: PlannedTodo[]): Promise<number> {
  const server = { url: t.engine.credentials.url, password: t.engine.credentials.password };
  const events = await followEvents(server);
  const turn = (role: "planner" | "worker" | "reviewer", prompt: string) => rawTurn(server, events, { title: `raw ${role}`, agent: agentName(role), model: SCRIPTED_MODEL, directory: t.workspace, prompt });
  const states: TodoState[] = todos.map((t) => ({ ...t, status: "review", attempts: 1, sessions: [], reviewIssues: [], history: [] }));
  try {
    const started = performance.now();
    await turn("planner", planPrompt(mission, join(t.workspace, "docs")));
    await Promise.all(states.map((t) => turn("worker", workerPrompt(mission, { ...t, status: "running" }, "todo.md"))));
    await turn("reviewer", reviewPrompt(mission, states, { integration: true, final: true }));
    return performance.now() - started;
  } finally {
    events.close();
  }
}

export interface OverheadRow {
  n: number;
  orchestratorMs: number;
  rawMs: number;
  ratio: number;
  runs: number;
}

export async function overhead(h: EngineHarness, sizes: number[], runs: number, latencyMs: number): Promise<OverheadRow[]> {
  const rows: OverheadRow[] = [];
  const t = targetOf(h);
  // Warm-up, not measured: OpenCode's first prompt loads its providers and plugins (over a second).
  await orchestratorMission(t, "warm-up", independent("warm", 2), latencyMs);
  await rawMission(t, "warm-up", independent("warmraw", 2), latencyMs);
  for (const n of sizes) {
    const orch: number[] = [];
    const raw: number[] = [];
    for (let r = 0; r < runs; r++) {
      // Alternate which goes first, so neither always meets a warmer server.
      const a = async () => {
        const result = await orchestratorMission(t, `overhead ${n} run ${r}`, independent(`o${n}r${r}x`, n), latencyMs);
        if (result.status !== "sealed" || result.errors.length) throw new Error(`orchestrator run did not seal cleanly: ${result.status} ${result.errors.join("; ")}`);
        orch.push(result.ms);
      };
      const b = async () => raw.push(await rawMission(t, `overhead ${n} run ${r}`, independent(`b${n}r${r}x`, n), latencyMs));
      if (r % 2 === 0) await a().then(b);
      else await b().then(a);
    }
    rows.push({ n, orchestratorMs: median(orch), rawMs: median(raw), ratio: median(orch) / median(raw), runs });
  }
  return rows;
}

/** Time from the Reviewer's idle (which makes the next TODO of a chain ready) to that TODO's promptAsync. */
export async function dispatchLatency(h: EngineHarness, length: number): Promise<{ samples: number; medianMs: number; p99Ms: number }> {
  const chain = Array.from({ length }, (_, i) => todo(`C${i}`, i ? [`C${i - 1}`] : [], [`chain/c${i}.txt`]));
  const idleAt = new Map<string, number>();
  const prompts: Array<{ sessionId: string; at: number }> = [];
  const sub = h.engine.events.onAny((e) => {
    if (e.type === "session.idle") idleAt.set(e.properties.sessionID, performance.now());
  });
  const api = h.engine.api;
  const original = api.prompt.bind(api);
  api.prompt = (prompt) => {
    prompts.push({ sessionId: prompt.sessionId, at: performance.now() });
    return original(prompt);
  };
  const reviewerSessions: string[] = [];
  const workerSessions = new Map<string, string>();
  try {
    h.model.setScenario(missionScenario({ workspace: h.sandbox.workspace, plans: [{ todos: chain }] }));
    const commander = Commander.create("dispatch chain", { engine: h.engine, store: new MissionStore(h.sandbox.workspace), checkpoints: checkpointsOf(h.sandbox.workspace), logger: silentLogger, model: SCRIPTED_MODEL });
    commander.events.on((e) => {
      if (e.type === "turn.started" && e.role === "reviewer") reviewerSessions.push(e.sessionId);
      if (e.type === "turn.started" && e.role === "worker") workerSessions.set(e.todoIds[0] as string, e.sessionId);
    });
    const state = await commander.run();
    if (state.status !== "sealed") throw new Error(`chain mission ${state.status}`);
  } finally {
    api.prompt = original;
    sub.dispose();
  }
  const samples: number[] = [];
  for (let i = 1; i < length; i++) {
    const prompt = prompts.find((p) => p.sessionId === workerSessions.get(`C${i}`));
    // The review round that passed C(i-1) is the last reviewer session that went idle before this prompt.
    const idle = reviewerSessions.map((id) => idleAt.get(id)).filter((t): t is number => t !== undefined && prompt !== undefined && t <= prompt.at).sort((a, b) => b - a)[0];
    if (prompt && idle !== undefined) samples.push(prompt.at - idle);
  }
  return { samples: samples.length, medianMs: median(samples), p99Ms: percentile(samples, 99) };
}

/** 50 Workers at once on one server: all complete, no error, and the most sessions seen busy together. */
export async function concurrency(h: EngineHarness, n: number, latencyMs: number): Promise<{ workers: number; completed: number; errors: number; peakBusy: number; ms: number }> {
  const busy = new Set<string>();
  let peak = 0;
  const sub = h.engine.events.onAny((e) => {
    if (e.type !== "session.status") return;
    if (e.properties.status.type === "idle") busy.delete(e.properties.sessionID);
    else busy.add(e.properties.sessionID);
    peak = Math.max(peak, busy.size);
  });
  try {
    const result = await orchestratorMission(targetOf(h), "concurrency", independent("conc", n), latencyMs, 50);
    const done = result.commander.state.todos.filter((t) => t.status === "done").length;
    return { workers: n, completed: done, errors: result.errors.length, peakBusy: peak, ms: result.ms };
  } finally {
    sub.dispose();
  }
}

export interface RoleCost {
  requests: number;
  promptChars: number;
  promptTokens: number;
}

/** The diamond mission of the E2E tests: model requests and prompt size per role, counted by the scripted model. */
export async function diamondCost(h: EngineHarness): Promise<Record<string, RoleCost>> {
  const plan = [todo("A", [], ["d/a.txt"]), todo("B", ["A"], ["d/b.txt"]), todo("C", ["A"], ["d/c.txt"]), todo("D", ["B", "C"], ["d/d.txt"]), todo("E", [], ["d/e.txt"]), todo("F", ["D"], ["d/f.txt"])];
  const scenario = missionScenario({ workspace: h.sandbox.workspace, plans: [{ todos: plan }], verdict: (id) => (id === "C" && (scenario.workerAttempts.get("C") ?? 0) < 2 ? { verdict: "fail", issues: ["redo"] } : { verdict: "pass", issues: [] }) });
  h.model.setScenario(scenario);
  const before = h.model.requests.length;
  const commander = Commander.create("diamond", { engine: h.engine, store: new MissionStore(h.sandbox.workspace), checkpoints: checkpointsOf(h.sandbox.workspace), logger: silentLogger, model: SCRIPTED_MODEL });
  const state = await commander.run();
  if (state.status !== "sealed") throw new Error(`diamond mission ${state.status}`);
  const cost: Record<string, RoleCost> = {};
  for (const r of h.model.requests.slice(before)) {
    const c = (cost[r.role] ??= { requests: 0, promptChars: 0, promptTokens: 0 });
    c.requests += 1;
    c.promptChars += r.promptChars;
    c.promptTokens += Math.ceil(r.promptChars / 4);
  }
  return cost;
}
