/**
 * `npm run bench`: runs every benchmark (several times where it is timed against a baseline),
 * prints a table, writes bench/results/latest.json and rewrites docs/benchmarks.md. Benchmarks are
 * not tests: nothing here fails on a timing; targets are reported as met or missed.
 */
import { cpus, totalmem } from "node:os";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { OpencodeEvent } from "../src/orchestrator/engine/eventRouter";
import { startEngineHarness } from "../test/support/engineHarness";
import { REPO_ROOT } from "../test/support/isolation";
import { coreScale, eventThroughput, memorySoak } from "./core";
import { concurrency, diamondCost, dispatchLatency, overhead } from "./opencode";
import { renderReport, type BenchResults } from "./report";
import { round } from "./stats";

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 300);
const SIZES = (process.env.BENCH_SIZES ?? "1,10,50").split(",").map(Number);

async function main(): Promise<void> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const started = Date.now();
  const h = await startEngineHarness({ roles: {} });
  const recorded: OpencodeEvent[] = [];
  const recorder = h.engine.events.onAny((e) => recorded.length < 50_000 && recorded.push(e));
  let results: BenchResults;
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
    results = {
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? "unknown", memoryGB: round(totalmem() / 2 ** 30, 1), node: process.version, opencode: "1.18.33" },
      settings: { runs: RUNS, latencyMs: LATENCY_MS },
      overhead: overheadRows,
      dispatch,
      concurrency: conc,
      coreScale: scale,
      throughput,
      soak,
      cost,
      durationS: Math.round((Date.now() - started) / 1000),
    };
  } finally {
    await h.close();
  }
  mkdirSync(join(REPO_ROOT, "bench", "results"), { recursive: true });
  writeFileSync(join(REPO_ROOT, "bench", "results", "latest.json"), `${JSON.stringify(results, null, 2)}\n`);
  const report = renderReport(results);
  writeFileSync(join(REPO_ROOT, "docs", "benchmarks.md"), report.markdown);
  process.stdout.write(`${report.table}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
