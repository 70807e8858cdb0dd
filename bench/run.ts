/**
 * `npm run bench`: runs every benchmark (several times where it is timed against a baseline),
 * prints a table, writes bench/results/latest.json and rewrites docs/benchmarks.md. Benchmarks are
 * not tests: nothing here fails on a timing; targets are reported as met or missed.
 *
 * `BENCH_ONLY=wide npm run bench` (or `node --import tsx bench/run.ts wide`) runs only the wide
 * mission and the checkpoint timings (8 and 9), keeps the other figures of bench/results/latest.json,
 * and rewrites the report from both; `BENCH_ONLY=pool` likewise runs only the engine pool (10),
 * whose figures on more cores come from bench/results/pool-remote.json (bench/poolRemote.mjs);
 * `BENCH_ONLY=evidence` only what the evidence steps cost on the wide mission (11),
 * `BENCH_ONLY=sandbox` only what the bubblewrap sandbox costs per command (12), and
 * `BENCH_ONLY=spawn` only what starting a process costs the process that starts it (13),
 * `BENCH_ONLY=first` only the first wait, Run Task → the first Worker (14).
 * `BENCH_ONLY=report` measures nothing: it rewrites
 * docs/benchmarks.md from bench/results/latest.json (after a change to the report's wording).
 *
 * Everything runs on OpenCode 1; benchmarks 1, 8 and 10 (against raw OpenCode, the wide mission,
 * the pool) run on OpenCode 2 as well (`BENCH_ENGINES=v1` leaves it out), and the report sets the two
 * side by side. `BENCH_ONLY=v2` runs only OpenCode 2's 1, 8 and 10 and keeps the other figures. A
 * benchmark that cannot run on OpenCode 2 is reported as not measured, with why, and the next goes on.
 */
import { cpus, totalmem } from "node:os";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { OpencodeEvent } from "../src/orchestrator/engine/eventRouter";
import { startScriptedModel } from "../src/orchestrator/scriptedModel/server";
import { startEngineHarness } from "../test/support/engineHarness";
import { engineName } from "../scripts/opencodeEngines.mjs";
import { opencodeVersion, type EngineName } from "../test/support/engines";
import { REPO_ROOT } from "../test/support/isolation";
import { checkpointTimes } from "./checkpoints";
import { coreScale, eventThroughput, memorySoak } from "./core";
import { concurrency, diamondCost, dispatchLatency, overhead, type OverheadRow } from "./opencode";
import { evidenceCost } from "./evidence";
import { poolBenchmark } from "./pool";
import type { PoolBench, PoolPinned, PoolRemote } from "./poolReport";
import { renderReport, type BenchResults, type EngineBench, type EvidenceBench, type FirstWaitBench, type SandboxBench, type SpawnBench, type WideBench } from "./report";
import { sandboxCost } from "./sandbox";
import { spawnCost } from "./spawnCost";
import { firstWait } from "./firstWorker";
import { round } from "./stats";
import { wideMission } from "./wide";

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 300);
const SIZES = (process.env.BENCH_SIZES ?? "1,10,50").split(",").map(Number);
// A 5 % overhead is a small difference between two noisy makespans: more pairs than the ratios elsewhere.
const EVIDENCE_RUNS = Number(process.env.BENCH_EVIDENCE_RUNS ?? Math.max(RUNS, 8));
const SANDBOX_COMMANDS = Number(process.env.BENCH_SANDBOX_COMMANDS ?? 200);
const SPAWN_SIZES_MB = (process.env.BENCH_SPAWN_SIZES_MB ?? "0,200,500").split(",").map(Number);
const CHECKPOINT_SIZES = (process.env.BENCH_CHECKPOINT_SIZES ?? "3000,30000").split(",").map(Number);
const ONLY = process.argv[2] ?? process.env.BENCH_ONLY;
/** Whether the whole run adds OpenCode 2's 1, 8 and 10 (`BENCH_ENGINES=v1` leaves them out; v1 always runs everything). */
const ENGINES = (process.env.BENCH_ENGINES || "v1,v2").split(",").map((e) => e.trim()).filter(Boolean).map((e) => engineName(e, "BENCH_ENGINES") as EngineName);
const RESULTS = join(REPO_ROOT, "bench", "results", "latest.json");
const log = (line: string) => process.stderr.write(`${line}\n`);

const machine = (engine: EngineName = "v1") => ({ cpus: cpus().length, cpuModel: cpus()[0]?.model ?? "unknown", memoryGB: round(totalmem() / 2 ** 30, 1), node: process.version, opencode: opencodeVersion(engine) });

/** 8 and 9: the wide mission on a 3,000-file repository against raw OpenCode with snapshots on, and our checkpoints (9 does not depend on the engine: on v1 only). */
async function wideBench(engine: EngineName = "v1"): Promise<WideBench> {
  const started = Date.now();
  const model = await startScriptedModel({ roles: {} });
  try {
    log(`wide mission on OpenCode ${opencodeVersion(engine)}: 3,000-file repo, 30 TODOs, ${RUNS} runs a side, model latency ${LATENCY_MS} ms`);
    const mission = await wideMission(model, { runs: RUNS, latencyMs: LATENCY_MS, engine, log });
    if (engine === "v1") log(`checkpoints: ${CHECKPOINT_SIZES.join(", ")} files`);
    const checkpoints = engine === "v1" ? await checkpointTimes(CHECKPOINT_SIZES, RUNS, log) : [];
    return { date: new Date().toISOString(), machine: machine(engine), mission, checkpoints, durationS: Math.round((Date.now() - started) / 1000) };
  } finally {
    await model.close();
  }
}

/** 10: the engine pool, through the product's EnginePool on real servers. */
async function poolBench(engine: EngineName = "v1"): Promise<PoolBench> {
  const started = Date.now();
  const model = await startScriptedModel({ roles: {} });
  try {
    log(`engine pool on OpenCode ${opencodeVersion(engine)}: 60-turn waves against pool size, the wide mission with auto vs 1 server, ${RUNS} runs each`);
    const result = await poolBenchmark(model, { runs: RUNS, latencyMs: LATENCY_MS, engine, log });
    return { date: new Date().toISOString(), machine: machine(engine), result, durationS: Math.round((Date.now() - started) / 1000) };
  } finally {
    await model.close();
  }
}

/** 1 on a server of its own (on v1 it shares the server of 2, 3 and 7: see everything()). */
async function overheadOn(engine: EngineName): Promise<OverheadRow[]> {
  const h = await startEngineHarness({ roles: {} }, undefined, undefined, engine);
  try {
    log(`overhead on OpenCode ${opencodeVersion(engine)}: N ∈ {${SIZES.join(", ")}}, ${RUNS} runs, model latency ${LATENCY_MS} ms`);
    return await overhead(h, SIZES, RUNS, LATENCY_MS);
  } finally {
    await h.close();
  }
}

/**
 * 1, 8 and 10 on OpenCode 2. One that cannot run there (the server does not start, a turn fails) is
 * recorded as not measured with the first line of why, and the next one still runs.
 */
async function v2Bench(): Promise<EngineBench> {
  const started = Date.now();
  const bench: EngineBench = { date: new Date().toISOString(), machine: machine("v2"), notMeasured: {}, durationS: 0 };
  const attempt = async <K extends "overhead" | "wide" | "pool">(key: K, run: () => Promise<NonNullable<EngineBench[K]>>) => {
    try {
      bench[key] = await run();
    } catch (error) {
      const why = (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "";
      log(`  ${key} on OpenCode 2: not measured (${why})`);
      bench.notMeasured[key] = why;
    }
  };
  await attempt("overhead", () => overheadOn("v2"));
  await attempt("wide", () => wideBench("v2"));
  await attempt("pool", () => poolBench("v2"));
  bench.durationS = Math.round((Date.now() - started) / 1000);
  return bench;
}

/** 11: the wide mission with every evidence step on against none, paired. */
async function evidenceBench(): Promise<EvidenceBench> {
  const started = Date.now();
  const model = await startScriptedModel({ roles: {} });
  try {
    log(`evidence steps: the wide mission with checkpoints and checks vs without, ${EVIDENCE_RUNS} pairs, model latency ${LATENCY_MS} ms`);
    const result = await evidenceCost(model, { runs: EVIDENCE_RUNS, latencyMs: LATENCY_MS, log });
    return { date: new Date().toISOString(), machine: machine(), result, durationS: Math.round((Date.now() - started) / 1000) };
  } finally {
    await model.close();
  }
}

/** 12: short commands through the agent shell, sandbox off vs bubblewrap. */
async function sandboxBench(): Promise<SandboxBench> {
  const started = Date.now();
  log(`sandbox: ${RUNS} rounds of ${SANDBOX_COMMANDS} short commands of each kind through the agent shell, off vs bubblewrap`);
  const result = await sandboxCost({ n: SANDBOX_COMMANDS, rounds: RUNS, log });
  if (!result.measured) log(`  not measured (${result.reason})`);
  return { date: new Date().toISOString(), machine: machine(), result, durationS: Math.round((Date.now() - started) / 1000) };
}

/** 13: a short process started from hosts of several sizes, with Node's spawn and through the launcher. */
async function spawnBench(): Promise<SpawnBench> {
  const started = Date.now();
  log(`spawn cost: git --version from hosts holding ${SPAWN_SIZES_MB.join(", ")} MB more, spawn here vs the launcher`);
  const result = await spawnCost({ sizesMb: SPAWN_SIZES_MB, starts: 40, log });
  return { date: new Date().toISOString(), machine: machine(), result, durationS: Math.round((Date.now() - started) / 1000) };
}

/**
 * Figures measured elsewhere by bench/poolRemote.mjs, if they were: on a machine with more cores
 * (pool-remote.json), on a lent machine pinned to two cores (pool-2core.json).
 */
function measuredElsewhere<T>(name: string): T | undefined {
  const file = join(REPO_ROOT, "bench", "results", name);
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as T) : undefined;
}

async function everything(): Promise<BenchResults> {
  const started = Date.now();
  const h = await startEngineHarness({ roles: {} });
  const recorded: OpencodeEvent[] = [];
  const recorder = h.engine.events.onAny((e) => recorded.length < 50_000 && recorded.push(e));
  let partial: Omit<BenchResults, "wide" | "durationS" | "date" | "machine" | "settings">;
  try {
    log(`overhead: N ∈ {${SIZES.join(", ")}}, ${RUNS} runs, model latency ${LATENCY_MS} ms`);
    const overheadRows = await overhead(h, SIZES, RUNS, LATENCY_MS);
    log("dispatch latency: chain of 20");
    const dispatch = await dispatchLatency(h, 20);
    log("concurrency: 50 Workers");
    const conc = await concurrency(h, 50, 1000);
    log("cost: the diamond mission");
    const cost = await diamondCost(h);
    recorder.dispose();
    log(`event throughput: 100,000 events replayed from ${recorded.length} recorded`);
    const throughput = eventThroughput(recorded, 100_000);
    log("core scale: 10,000-TODO random DAG");
    const scale = await coreScale(10_000);
    log("memory soak: 10,000 tasks");
    const soak = await memorySoak(10_000);
    partial = { overhead: overheadRows, dispatch, concurrency: conc, coreScale: scale, throughput, soak, cost };
  } finally {
    await h.close();
  }
  // After the shared server is gone: each side of the wide mission starts servers of its own.
  const wide = await wideBench();
  const pool = await poolBench();
  const evidence = await evidenceBench();
  const sandbox = await sandboxBench();
  const spawn = await spawnBench();
  const v2 = ENGINES.includes("v2") ? await v2Bench() : undefined;
  return {
    date: new Date().toISOString(),
    machine: machine(),
    settings: { runs: RUNS, latencyMs: LATENCY_MS },
    ...partial,
    wide,
    pool,
    evidence,
    sandbox,
    spawn,
    firstWait: await firstWaitBench(),
    v2,
    durationS: Math.round((Date.now() - started) / 1000),
  };
}

/** 14: the first wait, Run Task → the first Worker, cold and warm, demo and configured. */
async function firstWaitBench(): Promise<FirstWaitBench> {
  const started = Date.now();
  log(`first wait: Run Task → first Worker, demo and configured, cold and warm, ${RUNS} runs each`);
  const cases = await firstWait(RUNS, log);
  return { date: new Date().toISOString(), machine: machine(), cases, durationS: Math.round((Date.now() - started) / 1000) };
}

async function main(): Promise<void> {
  let results: BenchResults;
  if (ONLY === "report") {
    results = JSON.parse(readFileSync(RESULTS, "utf8")) as BenchResults;
  } else if (ONLY === "wide") {
    if (!existsSync(RESULTS)) throw new Error("`wide` alone needs the other figures: run the whole `npm run bench` once first.");
    results = { ...(JSON.parse(readFileSync(RESULTS, "utf8")) as BenchResults), wide: await wideBench() };
  } else if (ONLY === "pool") {
    if (!existsSync(RESULTS)) throw new Error("`pool` alone needs the other figures: run the whole `npm run bench` once first.");
    results = { ...(JSON.parse(readFileSync(RESULTS, "utf8")) as BenchResults), pool: await poolBench() };
  } else if (ONLY === "evidence") {
    if (!existsSync(RESULTS)) throw new Error("`evidence` alone needs the other figures: run the whole `npm run bench` once first.");
    results = { ...(JSON.parse(readFileSync(RESULTS, "utf8")) as BenchResults), evidence: await evidenceBench() };
  } else if (ONLY === "sandbox") {
    if (!existsSync(RESULTS)) throw new Error("`sandbox` alone needs the other figures: run the whole `npm run bench` once first.");
    results = { ...(JSON.parse(readFileSync(RESULTS, "utf8")) as BenchResults), sandbox: await sandboxBench() };
  } else if (ONLY === "v2") {
    if (!existsSync(RESULTS)) throw new Error("`v2` alone needs the other figures: run the whole `npm run bench` once first.");
    results = { ...(JSON.parse(readFileSync(RESULTS, "utf8")) as BenchResults), v2: await v2Bench() };
  } else if (ONLY === "spawn") {
    if (!existsSync(RESULTS)) throw new Error("`spawn` alone needs the other figures: run the whole `npm run bench` once first.");
    results = { ...(JSON.parse(readFileSync(RESULTS, "utf8")) as BenchResults), spawn: await spawnBench() };
  } else if (ONLY === "first") {
    if (!existsSync(RESULTS)) throw new Error("`first` alone needs the other figures: run the whole `npm run bench` once first.");
    results = { ...(JSON.parse(readFileSync(RESULTS, "utf8")) as BenchResults), firstWait: await firstWaitBench() };
  } else if (ONLY) {
    throw new Error(`unknown benchmark selection "${ONLY}" ("wide", "pool", "evidence", "sandbox", "spawn", "first", "v2" or "report")`);
  } else {
    results = await everything();
  }
  mkdirSync(join(REPO_ROOT, "bench", "results"), { recursive: true });
  writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
  const report = renderReport({ ...results, poolRemote: measuredElsewhere<PoolRemote>("pool-remote.json"), poolPinned: measuredElsewhere<PoolPinned>("pool-2core.json") }, opencodeVersion("v2"));
  writeFileSync(join(REPO_ROOT, "docs", "benchmarks.md"), report.markdown);
  process.stdout.write(`${report.table}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
