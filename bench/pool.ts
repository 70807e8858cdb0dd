/**
 * The engine pool (`orchestrator.servers`), through the product's own EnginePool on real servers:
 * (a) throughput of a wave of one-file Worker turns against the pool's size, as ratios to a pool of
 * one; (b) the wide mission of benchmark 8 through the Commander with `auto` against one server.
 * Each run on a fresh copy of a committed 3,000-file repository, its own sandbox and servers.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { agentName } from "../src/orchestrator/agents/roles";
import { workerPrompt } from "../src/orchestrator/agents/turnPrompts";
import { WorkerReport, type PlannedTodo } from "../src/orchestrator/domain/schemas";
import type { TodoState } from "../src/orchestrator/domain/state";
import { Engine } from "../src/orchestrator/engine/engine";
import { EnginePool } from "../src/orchestrator/engine/enginePool";
import { memberEnvironment } from "../src/orchestrator/engine/memberEnvironment";
import { poolSize, turnsPerMember } from "../src/orchestrator/engine/poolSize";
import { resultOf } from "../src/orchestrator/engine/turn";
import { silentLogger } from "../src/orchestrator/common/logger";
import { Commander } from "../src/orchestrator/mission/commander";
import { MissionStore } from "../src/orchestrator/mission/missionStore";
import { missionScenario, todo } from "../src/orchestrator/scriptedModel/missionScenario";
import type { ScriptedModel } from "../src/orchestrator/scriptedModel/server";
import type { ServerCount } from "../src/orchestrator/settings/settingsTable";
import { SCRIPTED_MODEL, scriptedProvider } from "../test/support/engineHarness";
import { bundledOpencode, type EngineName } from "../test/support/engines";
import { createSandbox, type Sandbox } from "../test/support/isolation";
import { checkpointsOf, rawMission } from "./opencode";
import { reportToolsFor, type BenchReportTools } from "./reportTools";
import { median } from "./stats";
import { copyRepo, generateRepo, holdPort } from "./wide";

export interface PoolWaveRow {
  servers: number;
  /** Median wall time of the wave. */
  ms: number;
  samples: number[];
  /** Throughput against a pool of one: t(1) / t(servers). */
  speedup: number;
}

/**
 * How the wide mission's servers are set up: one; a pool (the size `auto` gives here, at least 2)
 * starting its members as the wave needs them (a window's first wide mission), or with every member
 * started and warmed before (the missions after: members stay up with the window).
 */
export type WideVariant = "one" | "poolCold" | "poolWarm";

export interface PoolWideResult {
  /** What `auto` resolved to on this machine (cores, maxParallelSessions). */
  autoSize: number;
  /** The pool measured: `auto`'s size, or 2 where `auto` gives a single server. */
  poolSize: number;
  /** Each member's share of turns before the next starts. */
  perMember: number;
  /** Members the cold pool had started by the mission's end (most over the runs). */
  coldStarted: number;
  ms: Record<WideVariant, number>;
  samples: Record<WideVariant, number[]>;
  /** t(one) / t(variant). */
  speedupCold: number;
  speedupWarm: number;
}

export interface PoolResult {
  cores: number;
  /** The machine's 1-minute load average when each timed run began (median): other work shares its cores. */
  load: number;
  files: number;
  turns: number;
  runs: number;
  wave: PoolWaveRow[];
  wide: PoolWideResult & { todos: number; latencyMs: number; maxParallelSessions: number };
}

/** A pool of `size` real servers on a sandbox, made as the EngineProvider makes one: member 1 first, the others when needed. */
async function startPool(sandbox: Sandbox, model: ScriptedModel, size: number, engine: EngineName, tools: BenchReportTools, perMember = 1): Promise<{ pool: EnginePool<Engine>; first: Engine }> {
  const config = { provider: scriptedProvider(model.baseURL), model: "scripted/scripted-model", ...tools.config };
  const start = (index: number) => Engine.start({ directory: sandbox.workspace, binary: { pathEnv: "", fallbacks: [bundledOpencode(engine)] }, config, env: memberEnvironment(sandbox.env, join(sandbox.root, "pool"), index), logger: silentLogger, reports: tools.reports });
  const first = await start(0);
  return { pool: new EnginePool({ size, first, start, logger: silentLogger, perMember }), first };
}

/** `n` one-file Worker turns asked for at once, straight through the pool (what the Commander does for a ready wave). */
async function wave(pool: EnginePool<Engine>, todos: PlannedTodo[]): Promise<void> {
  await Promise.all(
    todos.map((t) => {
      const state: TodoState = { ...t, status: "running", attempts: 1, sessions: [], reviewIssues: [], history: [] };
      // A failed turn fails the wave: its figure would mean nothing.
      return pool.runTurn({ title: `Worker ${t.id}`, agent: agentName("worker"), model: SCRIPTED_MODEL, prompt: workerPrompt("pool wave", state, "todo.md"), schema: WorkerReport }).then(resultOf);
    }),
  );
}

const waveTodos = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => todo(`${prefix}${i}`, [], [`wave/${prefix.toLowerCase()}${String(i).padStart(3, "0")}.ts`]));

async function waveOnce(template: string, model: ScriptedModel, servers: number, turns: number, engine: EngineName): Promise<number> {
  const sandbox = createSandbox("bench-pool-", engine);
  const tools = await reportToolsFor(engine);
  let pool: EnginePool<Engine> | undefined;
  try {
    copyRepo(template, sandbox.workspace);
    model.setScenario(missionScenario({ workspace: sandbox.workspace, plans: [{ todos: [] }], latencyMs: 0 }));
    pool = (await startPool(sandbox, model, servers, engine, tools)).pool;
    // Warm-up, not measured: every member started, and two turns each load its providers (over a second).
    await pool.ensureMembers(servers);
    await wave(pool, waveTodos("Warm", 2 * servers));
    if (pool.members().length !== servers) throw new Error(`warm-up started ${pool.members().length} of ${servers} servers`);
    const todos = waveTodos("W", turns);
    const started = performance.now();
    await wave(pool, todos);
    const ms = performance.now() - started;
    const written = todos.filter((t) => existsSync(join(sandbox.workspace, t.files[0] as string))).length;
    if (written !== turns) throw new Error(`pool of ${servers}: ${written}/${turns} files written`);
    return ms;
  } finally {
    await pool?.stop();
    await tools.close();
    sandbox.remove();
  }
}

async function wideOnce(template: string, model: ScriptedModel, variant: WideVariant, todos: number, latencyMs: number, maxParallelSessions: number, cores: number, engine: EngineName): Promise<{ ms: number; started: number }> {
  const servers: ServerCount = variant === "one" ? 1 : Math.max(2, poolSize("auto", { cores, maxParallelSessions }));
  const sandbox = createSandbox("bench-pool-wide-", engine);
  const tools = await reportToolsFor(engine);
  let pool: EnginePool<Engine> | undefined;
  try {
    copyRepo(template, sandbox.workspace);
    const size = poolSize(servers, { cores, maxParallelSessions });
    const started = await startPool(sandbox, model, size, engine, tools, turnsPerMember(size, maxParallelSessions));
    pool = started.pool;
    const checkpoints = checkpointsOf(sandbox.workspace);
    // The warm-up of benchmark 8 on member 1; on every member for a warm pool. A cold pool's others start when its wave needs them.
    if (variant === "poolWarm") await pool.ensureMembers(size);
    for (const { member } of pool.members()) await rawMission({ engine: member, model, workspace: sandbox.workspace }, "warm-up", [], latencyMs);
    await checkpoints.checkpoint("warm-up");
    const plan = Array.from({ length: todos }, (_, i) => todo(`W${i}`, [], [`src/todo${String(i).padStart(2, "0")}.ts`]));
    model.setScenario(missionScenario({ workspace: sandbox.workspace, plans: [{ todos: plan }], latencyMs }));
    const commander = Commander.create(`pool wide ${String(servers)}`, { engine: pool, store: new MissionStore(sandbox.workspace), checkpoints, logger: silentLogger, model: SCRIPTED_MODEL, limits: { maxParallelSessions } });
    const errors: string[] = [];
    commander.events.on((e) => {
      if (e.type === "turn.finished" && !e.ok) errors.push(e.error ?? "error");
    });
    const t0 = performance.now();
    const state = await commander.run();
    const ms = performance.now() - t0;
    if (state.status !== "sealed" || errors.length) throw new Error(`pool wide mission (${String(servers)}) did not seal cleanly: ${state.status} ${errors.join("; ")}`);
    const written = plan.filter((p) => existsSync(join(sandbox.workspace, p.files[0] as string))).length;
    if (written !== todos) throw new Error(`pool wide mission: ${written}/${todos} files written`);
    return { ms, started: pool.members().length };
  } finally {
    await pool?.stop();
    await tools.close();
    sandbox.remove();
  }
}

export async function poolBenchmark(model: ScriptedModel, options: { runs: number; latencyMs: number; turns?: number; files?: number; sizes?: number[]; engine: EngineName; log?: (line: string) => void }): Promise<PoolResult> {
  const cores = availableParallelism();
  const files = options.files ?? 3_000;
  const turns = options.turns ?? 60;
  // 1 and 2 always (2 servers on 2 cores is the smallest pool worth having); more where the cores allow.
  const sizes = options.sizes ?? [1, 2, 4, 8, 16].filter((n) => n <= Math.max(2, cores));
  const root = mkdtempSync(join(tmpdir(), "bench-pool-repo-"));
  const holder = await holdPort(4096); // see wide.ts: every server a port of its own
  try {
    const template = join(root, "repo");
    generateRepo(template, files);
    const samples = new Map<number, number[]>(sizes.map((n) => [n, []]));
    const loads: number[] = [];
    for (let r = 0; r < options.runs; r++) {
      // Rotate the order, so no size always meets the machine in the same state.
      const order = sizes.map((_, i) => sizes[(i + r) % sizes.length] as number);
      for (const n of order) {
        loads.push(loadavg()[0] ?? 0);
        const ms = await waveOnce(template, model, n, turns, options.engine);
        options.log?.(`  wave run ${r + 1}, ${n} server(s): ${(ms / 1000).toFixed(2)} s for ${turns} turns`);
        samples.get(n)?.push(ms);
      }
    }
    const base = median(samples.get(1) ?? []);
    const waveRows = sizes.map((n) => {
      const s = samples.get(n) ?? [];
      return { servers: n, ms: median(s), samples: s, speedup: base / median(s) };
    });

    const wideTodos = 30;
    const maxParallelSessions = 50;
    const variants: WideVariant[] = ["one", "poolCold", "poolWarm"];
    const wide: Record<WideVariant, number[]> = { one: [], poolCold: [], poolWarm: [] };
    let coldStarted = 0;
    for (let r = 0; r < options.runs; r++) {
      for (const variant of variants.map((_, i) => variants[(i + r) % variants.length] as WideVariant)) {
        loads.push(loadavg()[0] ?? 0);
        const run = await wideOnce(template, model, variant, wideTodos, options.latencyMs, maxParallelSessions, cores, options.engine);
        options.log?.(`  wide run ${r + 1}, ${variant}: ${(run.ms / 1000).toFixed(2)} s (${run.started} server(s) ran)`);
        wide[variant].push(run.ms);
        if (variant === "poolCold") coldStarted = Math.max(coldStarted, run.started);
      }
    }
    const ms = { one: median(wide.one), poolCold: median(wide.poolCold), poolWarm: median(wide.poolWarm) };
    const autoSize = poolSize("auto", { cores, maxParallelSessions });
    const measured = Math.max(2, autoSize);
    return {
      cores,
      load: median(loads),
      files,
      turns,
      runs: options.runs,
      wave: waveRows,
      wide: { autoSize, poolSize: measured, perMember: turnsPerMember(measured, maxParallelSessions), coldStarted, ms, samples: wide, speedupCold: ms.one / ms.poolCold, speedupWarm: ms.one / ms.poolWarm, todos: wideTodos, latencyMs: options.latencyMs, maxParallelSessions },
    };
  } finally {
    await new Promise((resolve) => (holder ? holder.close(resolve) : resolve(undefined)));
    rmSync(root, { recursive: true, force: true });
  }
}
