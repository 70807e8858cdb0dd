/** Benchmarks 1, 8 and 10 on OpenCode 1 and OpenCode 2, side by side, for report.ts. */
import type { OverheadRow } from "./opencode";
import type { PoolBench } from "./poolReport";
import type { WideBench } from "./report";
import { round } from "./stats";
import type { WideResult } from "./wide";

type Machine = { cpus: number; cpuModel: string; memoryGB: number; node: string; opencode: string };

/** 1, 8 and 10 on OpenCode 2 (`BENCH_ONLY=v2` runs them alone). */
export interface EngineBench {
  date: string;
  machine: Machine;
  overhead?: OverheadRow[];
  wide?: WideBench;
  pool?: PoolBench;
  /** Benchmark → why it could not run on this engine (the first line of its error). */
  notMeasured: Partial<Record<"overhead" | "wide" | "pool", string>>;
  durationS: number;
}

/** What one engine measured, whichever field it came from (OpenCode 1's figures live at the top of the results). */
export interface EngineFigures {
  version: string;
  overhead?: OverheadRow[];
  wide?: WideResult;
  pool?: PoolBench;
  notMeasured?: EngineBench["notMeasured"];
}

type Cell = { figure: string; met?: boolean };
interface SideRow {
  benchmark: string;
  target: string;
  cell(e: EngineFigures): Cell | undefined;
  /** Which benchmark's figures the row needs (for "not measured yet: why"). */
  from: "overhead" | "wide" | "pool";
}

const sec = (ms: number) => `${round(ms / 1000, 2)} s`;
const times = (x: number) => `${round(x, 2)}×`;
const verdict = (met: boolean | undefined) => (met === undefined ? "" : met ? " — met" : " — **missed**");

function rowsFor(engines: EngineFigures[]): SideRow[] {
  const sizes = [...new Set(engines.flatMap((e) => e.overhead?.map((o) => o.n) ?? []))].sort((a, b) => a - b);
  const poolSizes = [...new Set(engines.flatMap((e) => e.pool?.result.wave.map((w) => w.servers) ?? []))].filter((n) => n > 1).sort((a, b) => a - b);
  return [
    ...sizes.map((n): SideRow => ({
      benchmark: `1. overhead against raw OpenCode, N = ${n}`,
      target: n === 50 ? "≤ 1.10" : "—",
      from: "overhead",
      cell: (e) => {
        const o = e.overhead?.find((x) => x.n === n);
        return o && { figure: `${sec(o.orchestratorMs)} vs ${sec(o.rawMs)} raw → ratio ${round(o.ratio, 3)}`, met: n === 50 ? o.ratio <= 1.1 : undefined };
      },
    })),
    {
      benchmark: "8. wide mission (3,000 files, 30 TODOs) against raw OpenCode's defaults: makespan",
      target: "≤ 0.33",
      from: "wide",
      cell: (e) => e.wide && { figure: `${sec(e.wide.product.makespanMs)} (ours, snapshots off) vs ${sec(e.wide.raw.makespanMs)} (raw, snapshots on) → ratio ${round(e.wide.ratio, 3)}`, met: e.wide.ratio <= 0.33 },
    },
    {
      benchmark: "8. wide mission: server CPU",
      target: "—",
      from: "wide",
      cell: (e) => e.wide && { figure: `${e.wide.product.cpuS === undefined ? "?" : round(e.wide.product.cpuS, 1)} CPU-s (ours) vs ${e.wide.raw.cpuS === undefined ? "?" : round(e.wide.raw.cpuS, 1)} CPU-s (raw)` },
    },
    {
      benchmark: "8. wide mission: peak Worker requests at the model",
      target: "—",
      from: "wide",
      cell: (e) => e.wide && { figure: `${e.wide.product.peakWorkers} (ours) vs ${e.wide.raw.peakWorkers} (raw) of ${e.wide.todos}` },
    },
    ...poolSizes.map((n): SideRow => ({
      benchmark: `10. pool: 60-turn wave, ${n} servers vs 1`,
      target: n === 2 ? "≥ 1.3×" : "—",
      from: "pool",
      cell: (e) => {
        const r = e.pool?.result;
        const w = r?.wave.find((x) => x.servers === n);
        const one = r?.wave.find((x) => x.servers === 1);
        return w && { figure: `${sec(w.ms)} vs ${sec(one?.ms ?? Number.NaN)} on 1 → ${times(w.speedup)} (${r?.cores} cores, load ${round(r?.load ?? Number.NaN, 1)})`, met: n === 2 ? w.speedup >= 1.3 : undefined };
      },
    })),
    {
      benchmark: "10. pool: the wide mission, 2 servers vs 1",
      target: "—",
      from: "pool",
      cell: (e) => {
        const d = e.pool?.result.wide;
        return d && { figure: `${sec(d.ms.one)} on 1; on ${d.poolSize}: ${sec(d.ms.poolCold)} cold (${times(d.speedupCold)}), ${sec(d.ms.poolWarm)} warm (${times(d.speedupWarm)})` };
      },
    },
  ];
}

function cellText(row: SideRow, e: EngineFigures | undefined): string {
  const cell = e && row.cell(e);
  if (cell) return `${cell.figure}${verdict(cell.met)}`;
  const why = e?.notMeasured?.[row.from];
  return why ? `not measured yet (${why.replace(/\|/g, "\\|")})` : "not measured yet";
}

/** The side-by-side table: in markdown (with a line on how OpenCode 2's column was measured) and as console lines. */
export function engineTable(v1: EngineFigures, v2: EngineFigures | undefined, v2Version: string, v2Date?: string): { markdown: string; lines: string[] } {
  const rows = rowsFor([v1, ...(v2 ? [v2] : [])]);
  const measured = v2 && (v2.overhead || v2.wide || v2.pool);
  const lines = rows.map((row) => `${row.benchmark.slice(0, 60).padEnd(60)} v1: ${cellText(row, v1).replace(/\*/g, "")}\n${"".padEnd(60)} v2: ${cellText(row, v2).replace(/\*/g, "")}`);
  const markdown = `
## OpenCode 1 and OpenCode 2 side by side

Benchmarks 1, 8 and 10 (the others do not depend on the engine, or ran on OpenCode 1 only) on each
line of OpenCode the extension supports, the same procedure on both (see Method). On OpenCode 2 the raw
baselines speak its own API (\`bench/rawV2.ts\`): a session with its agent, model and workspace, one
prompt, done at \`session.execution.succeeded\`. OpenCode 2 has no json_schema result: on both sides the
server has our MCP server's report tools (\`bench/reportTools.ts\`), so the scripted model hands in its
result the same way to ours and to raw OpenCode; raw OpenCode's per-step snapshots are \`snapshots: true\`.
What the first OpenCode 2 run here showed (2026-12-07, OpenCode 2.1.2; the table has
the figures of the latest run): the orchestrator's overhead is within noise on both lines, but its
lead on the wide mission is smaller on OpenCode 2 — its per-step snapshots cost raw OpenCode 2 far
less than OpenCode 1's do (see the server CPU row), and one OpenCode 2 server spends more CPU per turn
than an OpenCode 1 server (it also asks the model once more per structured turn, after the report),
so fewer Workers reach the model at once (the peak row). Two OpenCode 2 servers on 2 cores gain more
over one than two OpenCode 1 servers do: the pool's reason to exist holds on OpenCode 2 where there are
cores to spread onto. ${
    measured ? `OpenCode 2 measured on ${v2Date?.slice(0, 10)}.` : v2 ? `Tried on OpenCode 2 on ${v2Date?.slice(0, 10)}: nothing could be measured (why in each cell).` : "Not measured on OpenCode 2 yet: `BENCH_ONLY=v2 npm run bench` fills the column in once the extension runs on it."
  }

| Benchmark | OpenCode ${v1.version} | OpenCode ${v2Version} | Target |
|---|---|---|---|
${rows.map((row) => `| ${row.benchmark} | ${cellText(row, v1)} | ${cellText(row, v2)} | ${row.target} |`).join("\n")}
`;
  return { markdown, lines };
}
