/** Turns benchmark results into the console table and docs/benchmarks.md, with targets beside the figures. */
import type { CoreScaleResult } from "./core";
import type { CheckpointRow } from "./checkpoints";
import { engineTable, type EngineBench } from "./engineReport";
import type { EvidenceResult } from "./evidence";
import type { OverheadRow, RoleCost } from "./opencode";
import { poolMethod, poolNote, poolRows, type PoolBench, type PoolPinned, type PoolRemote } from "./poolReport";
import type { SandboxResult } from "./sandbox";
import type { SpawnCostResult } from "./spawnCost";
import type { FirstWaitCase } from "./firstWorker";
import { round } from "./stats";
import type { WideResult } from "./wide";

type Machine = { cpus: number; cpuModel: string; memoryGB: number; node: string; opencode: string };

/** 8 and 9, which can also run alone (`BENCH_ONLY=wide`): so they carry their own date and machine. */
export interface WideBench {
  date: string;
  machine: Machine;
  mission: WideResult;
  checkpoints: CheckpointRow[];
  durationS: number;
}

/** 11, which can also run alone (`BENCH_ONLY=evidence`). */
export interface EvidenceBench {
  date: string;
  machine: Machine;
  result: EvidenceResult;
  durationS: number;
}

/** 13, which can also run alone (`BENCH_ONLY=spawn`). */
export interface SpawnBench {
  date: string;
  machine: Machine;
  result: SpawnCostResult;
  durationS: number;
}

/** 14, which can also run alone (`BENCH_ONLY=first`). */
export interface FirstWaitBench {
  date: string;
  machine: Machine;
  cases: FirstWaitCase[];
  durationS: number;
}

/** 12, which can also run alone (`BENCH_ONLY=sandbox`). */
export interface SandboxBench {
  date: string;
  machine: Machine;
  result: SandboxResult;
  durationS: number;
}

export interface BenchResults {
  date: string;
  machine: Machine;
  settings: { runs: number; latencyMs: number };
  overhead: OverheadRow[];
  dispatch: { samples: number; medianMs: number; p99Ms: number };
  concurrency: { workers: number; completed: number; errors: number; peakBusy: number; ms: number };
  coreScale: CoreScaleResult;
  throughput: { events: number; ms: number; perSecond: number };
  soak: { tasks: number; startMB: number; middleMB: number; endMB: number };
  cost: Record<string, RoleCost>;
  /** Absent in results written before the wide mission existed. */
  wide?: WideBench;
  /** Benchmark 10, the engine pool (absent in results written before it existed). */
  pool?: PoolBench;
  /** bench/results/pool-remote.json, read when the report is written (bench/poolRemote.mjs on a machine with more cores). */
  poolRemote?: PoolRemote;
  /** bench/results/pool-2core.json, read when the report is written (bench/poolRemote.mjs pinned to two cores). */
  poolPinned?: PoolPinned;
  /** Benchmark 11, what the evidence steps cost on the wide mission (absent before it existed). */
  evidence?: EvidenceBench;
  /** Benchmark 12, what the bubblewrap sandbox costs per command (absent before it existed). */
  sandbox?: SandboxBench;
  /** Benchmark 13, what starting a process costs the process that starts it (absent before it existed). */
  spawn?: SpawnBench;
  /** Benchmark 14, the first wait: Run Task → the first Worker (absent before it existed). */
  firstWait?: FirstWaitBench;
  /** 1, 8 and 10 on OpenCode 2 (absent until they ran there; the figures above are OpenCode 1's). */
  v2?: EngineBench;
  durationS: number;
}

export type { EngineBench };

interface Row {
  benchmark: string;
  figure: string;
  target: string;
  met: boolean | undefined;
}

function rows(r: BenchResults): Row[] {
  const out: Row[] = [];
  for (const o of r.overhead) {
    out.push({ benchmark: `1. overhead, N = ${o.n}`, figure: `${round(o.orchestratorMs / 1000, 2)} s vs ${round(o.rawMs / 1000, 2)} s raw → ratio ${round(o.ratio, 3)}`, target: o.n === 50 ? "≤ 1.10" : "—", met: o.n === 50 ? o.ratio <= 1.1 : undefined });
  }
  out.push({ benchmark: "2. dispatch latency (chain of 20)", figure: `median ${round(r.dispatch.medianMs, 1)} ms, p99 ${round(r.dispatch.p99Ms, 1)} ms (${r.dispatch.samples} samples)`, target: "median ≤ 20 ms", met: r.dispatch.medianMs <= 20 });
  const c = r.concurrency;
  out.push({ benchmark: "3. concurrency (50 Workers)", figure: `${c.completed}/${c.workers} done, ${c.errors} errors, peak ${c.peakBusy} busy sessions, ${round(c.ms / 1000, 1)} s`, target: "all done, no error", met: c.completed === c.workers && c.errors === 0 });
  const s = r.coreScale;
  out.push({ benchmark: "4. core scale (10,000-TODO DAG)", figure: `${round(s.ms / 1000, 2)} s, peak heap ${round(s.peakHeapMB, 0)} MB (${s.turns} turns, ${s.rounds} review rounds, ${s.status})`, target: "< 2 s, < 200 MB", met: s.ms < 2000 && s.peakHeapMB < 200 });
  out.push({ benchmark: "5. event throughput", figure: `${Math.round(r.throughput.perSecond).toLocaleString("en")} events/s (${r.throughput.events.toLocaleString("en")} in ${round(r.throughput.ms, 0)} ms)`, target: "≥ 50,000/s", met: r.throughput.perSecond >= 50_000 });
  const k = r.soak;
  // Flat: the second half of the soak adds less than 10% to the heap of the middle.
  out.push({ benchmark: "6. memory soak (10,000 tasks)", figure: `heap ${round(k.startMB, 0)} → ${round(k.middleMB, 0)} → ${round(k.endMB, 0)} MB (start → middle → end)`, target: "flat (bounded by maxTasksInMemory)", met: k.endMB - k.middleMB < 0.1 * k.middleMB });
  const total = Object.values(r.cost).reduce((a, b) => ({ requests: a.requests + b.requests, promptChars: a.promptChars + b.promptChars, promptTokens: a.promptTokens + b.promptTokens }), { requests: 0, promptChars: 0, promptTokens: 0 });
  out.push({ benchmark: "7. cost of the diamond mission", figure: `${total.requests} requests, ${total.promptChars.toLocaleString("en")} prompt chars (~${total.promptTokens.toLocaleString("en")} tokens)`, target: "fewer is better", met: undefined });
  if (r.wide) {
    const w = r.wide.mission;
    const sec = (ms: number) => `${round(ms / 1000, 2)} s`;
    const cpu = (c: number | undefined) => (c === undefined ? "?" : `${round(c, 1)}`);
    out.push({ benchmark: `8. wide mission (${w.files.toLocaleString("en")} files, ${w.todos} TODOs): makespan`, figure: `${sec(w.product.makespanMs)} (ours, snapshots off) vs ${sec(w.raw.makespanMs)} (raw OpenCode, snapshots on) → ratio ${round(w.ratio, 3)}`, target: "≤ 0.33", met: w.ratio <= 0.33 });
    out.push({ benchmark: "8. wide mission: peak Worker requests", figure: `${w.product.peakWorkers} (ours) vs ${w.raw.peakWorkers} (raw) of ${w.todos}, at the model at once`, target: "—", met: undefined });
    out.push({ benchmark: "8. wide mission: server CPU", figure: `${cpu(w.product.cpuS)} CPU-s (ours) vs ${cpu(w.raw.cpuS)} CPU-s (raw), the server and its git processes`, target: "—", met: undefined });
    for (const c of r.wide.checkpoints) {
      out.push({ benchmark: `9. checkpoint, ${c.files.toLocaleString("en")} files`, figure: `first ${round(c.firstMs, 0).toLocaleString("en")} ms, second ${round(c.secondMs, 0).toLocaleString("en")} ms (${c.touched} files changed)`, target: "—", met: undefined });
    }
  }
  out.push(...poolRows(r.pool, r.poolRemote, r.poolPinned));
  out.push(...evidenceRows(r.evidence), ...sandboxRows(r.sandbox), ...spawnRows(r.spawn), ...firstWaitRows(r.firstWait));
  return out;
}

const verdict = (met: boolean | undefined) => (met === undefined ? "" : met ? "met" : "**missed**");

export function renderReport(r: BenchResults, v2Version: string): { table: string; markdown: string } {
  const all = rows(r);
  const v2 = r.v2 && { version: r.v2.machine.opencode, overhead: r.v2.overhead, wide: r.v2.wide?.mission, pool: r.v2.pool, notMeasured: r.v2.notMeasured };
  const sideBySide = engineTable({ version: r.machine.opencode, overhead: r.overhead, wide: r.wide?.mission, pool: r.pool }, v2, v2Version, r.v2?.date);
  const table = [...all.map((row) => `${row.benchmark.padEnd(52)} ${row.figure.padEnd(80)} ${row.target.padEnd(24)} ${verdict(row.met).replace(/\*/g, "")}`), "", "OpenCode 1 and OpenCode 2 side by side:", ...sideBySide.lines].join("\n");
  const costRows = Object.entries(r.cost)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([role, c]) => `| ${role} | ${c.requests} | ${c.promptChars.toLocaleString("en")} | ${c.promptTokens.toLocaleString("en")} |`)
    .join("\n");
  const markdown = `# Benchmarks

Generated by \`npm run bench\` on ${r.date.slice(0, 10)} (${r.durationS} s). Figures are medians of
${r.settings.runs} runs measured in the same run, because these machines are noisy; compare the
ratios, not the absolute times. Raw figures: [bench/results/latest.json](../bench/results/latest.json).

Machine: ${r.machine.cpus} × ${r.machine.cpuModel}, ${r.machine.memoryGB} GiB, Node ${r.machine.node}, OpenCode ${r.machine.opencode}.

| Benchmark | Figure | Target | |
|---|---|---|---|
${all.map((row) => `| ${row.benchmark} | ${row.figure} | ${row.target} | ${verdict(row.met)} |`).join("\n")}
${sideBySide.markdown}
## Method

1. **Overhead against raw OpenCode.** One real \`opencode serve\`, the scripted model answering every
   request after ${r.settings.latencyMs} ms. A mission of N independent TODOs, each Worker turn one file write
   plus its report. (a) The whole mission through the Commander (plan, N Workers with the limit at 50,
   review), with its checkpoint store as the extension runs it; (b) the baseline: the same planner,
   Worker and review prompts sent straight through the SDK (\`session.create\` + \`promptAsync\`,
   completion from \`session.idle\` on a raw event subscription) — planner, then all Workers at once,
   then the reviewer. Runs alternate which goes first. Both on the same server, started with our
   config (OpenCode's per-step snapshots off). The ratio a/b is the orchestrator's own cost:
   validation, state journaling, scheduling, its own checkpoints (before and after each Worker
   attempt, before each review round).
2. **Dispatch latency.** A chain of 20 dependent TODOs: from the \`session.idle\` of the Reviewer
   session that passes TODO k to the \`promptAsync\` of TODO k+1 (which includes the checkpoint before
   its first attempt and creating its session).
3. **Concurrency.** 50 independent TODOs with the limit at 50 and a 1 s model latency; the peak is
   the most sessions \`session.status\` reported busy (or retrying) at the same moment.
4. **Core scale.** A seeded random DAG of 10,000 TODOs (up to 3 dependencies each) through the
   Commander with an in-process engine whose turns return at once, so the time is the orchestrator's
   own: scheduling, the journal, snapshots, review batching. Heap sampled every 5 ms.
5. **Event throughput.** OpenCode events recorded from the runs above, replayed 100,000 times through
   the event router, one TurnTracker per session and the views' SessionRegistry.
6. **Memory soak.** 10,000 independent tasks through the core with the in-process engine, each with a
   Worker report of realistic size (~3 KB); heap after a forced GC at the start, when half are done,
   and at the end. \`npm test\` asserts the same shape on 6,000 tasks (\`test/unit/memorySoak.test.ts\`).
7. **Cost per mission.** The diamond mission of the E2E tests (A → (B, C) → D → F, E alone; the
   Reviewer fails C once), counted by the scripted model. Prompt characters are every message sent
   (OpenCode's own system prompt and tool definitions included); tokens are characters / 4, the
   scripted model's count.

| Role | Requests | Prompt characters | ≈ Prompt tokens |
|---|---|---|---|
${costRows}
${r.wide ? wideMethod(r.wide) : ""}${poolMethod(r.pool, r.poolRemote)}${evidenceMethod(r.evidence)}${sandboxMethod(r.sandbox)}${spawnMethod(r.spawn)}${firstWaitMethod(r.firstWait)}
## What the figures mean, and what is missed

${missedNotes(r, all)}
`;
  return { table, markdown };
}

function wideMethod(wb: WideBench): string {
  const w = wb.mission;
  const separately = `\n   Measured on ${wb.date.slice(0, 10)} (8 and 9 together: ${wb.durationS} s). \`BENCH_ONLY=wide npm run bench\` runs 8 and 9\n   alone and keeps the other figures of latest.json.`;
  return `
8. **A wide mission on a real-sized repository, against raw OpenCode's defaults.** A committed git
   repository of ${w.files.toLocaleString("en")} small source files (\`src/mod0000.ts\` …, six lines each), a mission of
   ${w.todos} independent TODOs, each one new file, the scripted model answering after ${w.latencyMs} ms. (a) This
   product: the whole mission through the Commander (\`maxParallelSessions\` ${w.maxParallelSessions}) with its own
   checkpoint store, on a server started with our config (\`buildServerConfig\`: OpenCode's per-step
   snapshots off); (b) raw OpenCode in its default configuration, snapshots on (\`snapshot: true\` over
   the same config, so the same agents exist), driven with the same turns through the SDK as in 1
   (planner, all Workers at once, reviewer). Each side on its own server with its own sandbox
   \`HOME\`/\`XDG_*\` dirs and a fresh copy of the repository per run. Before the clock starts, each
   server gets the same warm-up, a planner and a reviewer turn: the providers load, and with snapshots
   on OpenCode indexes the worktree once, as a user's long-lived data dir already has; on our side the
   checkpoint store takes its first checkpoint, the counterpart (timed in 9). ${w.runs} runs a side,
   alternating which goes first; medians. Peak Worker requests: the most overlapping
   \`[receivedAt, finishedAt]\` intervals of the scripted model's Worker requests. Server CPU: user +
   system seconds of the server's process group from \`/proc\` (the reaped \`git\` children included),
   before and after the mission.${separately}
9. **Checkpoint cost.** \`CheckpointStore.checkpoint\` (\`src/orchestrator/changes/checkpointStore.ts\`) on a
   committed workspace of N small files: the first checkpoint, then a second after 10 files changed.
   A fresh copy of the workspace per run; ${wb.checkpoints.map((c) => (c.runs > 1 ? `median of ${c.runs} runs at ${c.files.toLocaleString("en")} files` : `one run at ${c.files.toLocaleString("en")}`)).join(", ")}
   (writing and copying 30,000 files takes this machine longer than the checkpoints themselves).
`;
}

function missedNotes(r: BenchResults, all: Row[]): string {
  const notes: string[] = [];
  const n50 = r.overhead.find((o) => o.n === 50);
  if (n50) notes.push(`- **Overhead at N = 50: ratio ${round(n50.ratio, 3)}.** ${n50.ratio <= 1.1 ? "Within the target: the model and OpenCode are the slow part, as they should be. The first measurements were 1.30: the mission state was written inside the worktree, and OpenCode snapshots the worktree at every step of every session; the state folder now ignores itself in git (`.opencode/orchestrator/.gitignore`), which also keeps it out of the diffs the Reviewer reads. Structured turns no longer fetch their final message either: the result arrives with the `message.updated` event." : "Above the 1.10 target, on this machine's 2 cores. Most of the gap is the orchestrator's own checkpoints, new with the change tracking: each Worker attempt takes one before and one after (`git add --all`, `write-tree`, `commit-tree`, `update-ref`, on one queue) and a diff of its files, and the TODO goes to review only after them. Measured apart when this was written, the same N = 50 mission took 3.90 s without the checkpoint store, 4.29 s with it, 3.94 s raw (medians of 3, one server). What would fix it: reuse the last checkpoint as a TODO's base when no Worker has finished since it was taken, and compute a TODO's diff when it is shown rather than after every attempt."}`);
  const soak = all.find((row) => row.benchmark.startsWith("6."));
  if (soak) {
    notes.push(soak.met
      ? `- **Memory soak: flat.** ${round(r.soak.startMB, 0)} → ${round(r.soak.middleMB, 0)} → ${round(r.soak.endMB, 0)} MB. Past \`maxTasksInMemory\` (1,000) finished TODO records go to \`archive/<mission>.jsonl\` and a stub stays in the state; what remains per task is the stub and the scheduler's maps (a few hundred bytes). Before the archive the heap grew about 2.4 MB per 1,000 tasks.`
      : `- **Memory soak: missed.** ${round(r.soak.startMB, 0)} → ${round(r.soak.middleMB, 0)} → ${round(r.soak.endMB, 0)} MB: the second half grew the heap by more than 10%. Look at what stays per finished task beyond the archived stubs.`);
  }
  if (r.dispatch.medianMs > 20) notes.push(`- **Dispatch latency: median ${round(r.dispatch.medianMs, 1)} ms, above the 20 ms target.** It was 3–15 ms before the orchestrator took its own checkpoints. The checkpoint before a TODO's first attempt now sits on this path, between the review that makes the TODO ready and its \`promptAsync\`: on this 2-core machine a checkpoint of a small workspace is about 20 ms (four \`git\` processes in turn: \`add --all\`, \`write-tree\`, \`commit-tree\`, \`update-ref\`), more under load. What would fix it: reuse the last checkpoint as the base when no Worker has run since (here the one taken before the review round), or create the session while the checkpoint runs.`);
  if (r.wide) notes.push(wideNote(r.wide));
  const pool = poolNote(r.pool, r.poolRemote, r.poolPinned);
  if (pool) notes.push(pool);
  if (r.evidence) notes.push(evidenceNote(r.evidence));
  if (r.sandbox) notes.push(sandboxNote(r.sandbox));
  if (r.spawn) notes.push(spawnNote(r.spawn));
  const explained = ["1.", "2.", "6.", "8.", "10.", "11."];
  for (const row of all) if (row.met === false && !explained.some((n) => row.benchmark.startsWith(n))) notes.push(`- **${row.benchmark}: missed** (${row.figure}; target ${row.target}).`);
  if (all.every((row) => row.met !== false)) notes.unshift("Every target is met on this machine.");
  notes.push("- When the orchestrator's own checkpoints came in, overhead at N = 50 rose to 1.16 and the chain's dispatch latency to 32 ms: a git diff per finished TODO, a checkpoint before every TODO. A wave now shares one diff per pair of checkpoints, and a TODO that starts when nothing ran since a checkpoint under 2 s old starts from it (`src/orchestrator/mission/changeRecorder.ts`).");
  notes.push(`- Core scale was ~10 s for 1,000 TODOs before the journal/snapshot split and the incremental ready queue (see the git history of \`src/orchestrator/mission/missionStore.ts\` and \`src/orchestrator/todo/readyQueue.ts\`); 10,000 TODOs now take ${round(r.coreScale.ms / 1000, 2)} s.`);
  return notes.join("\n");
}

function wideNote(wb: WideBench): string {
  const w = wb.mission;
  const s = (ms: number) => `${round(ms / 1000, 1)} s`;
  const cpu = (c: number | undefined) => (c === undefined ? "?" : `${round(c, 1)}`);
  const head = w.ratio <= 0.33 ? `Within the 0.33 target` : `**Missed** (target ≤ 0.33)`;
  const checkpoints = wb.checkpoints.map((c) => `${c.files.toLocaleString("en")} files: ${round(c.firstMs, 0).toLocaleString("en")} ms the first, ${round(c.secondMs, 0).toLocaleString("en")} ms the second`).join("; ");
  return `- **Wide mission on ${w.files.toLocaleString("en")} files: ratio ${round(w.ratio, 3)}.** ${head}, on this machine's ${wb.machine.cpus} cores: ${w.todos} TODOs took ${s(w.product.makespanMs)} through the Commander with snapshots off and ${s(w.raw.makespanMs)} on raw OpenCode with its default per-step snapshots. With snapshots on, the one server process spends its time snapshotting the worktree with \`git\` at every step of every session (${cpu(w.raw.cpuS)} CPU-s against ${cpu(w.product.cpuS)}), so the turns queue behind it and the model never sees more than ${w.raw.peakWorkers} of the ${w.todos} Workers at once; with them off, ${w.product.peakWorkers} reach it together, and what remains of the ${s(w.product.makespanMs)} beyond four model round trips (${round((4 * w.latencyMs) / 1000, 1)} s) is mostly OpenCode's own work per turn on one core (compare 1's raw baseline, snapshots off too). Our own checkpoints are in that figure: one before and one after each Worker attempt and one before each review round${w.product.checkpoints !== undefined ? ` (${w.product.checkpoints} asked for in this mission, coalesced when they coincide)` : ""}, instead of one at every step of every session; a checkpoint costs ${checkpoints} (${wb.checkpoints[0]?.touched ?? 10} files changed between the two).`;
}

const pct = (x: number) => `${round(100 * x, 1)} %`;
const secs = (ms: number) => `${round(ms / 1000, 2)} s`;
const msOf = (ms: number) => `${round(ms, 2)} ms`;
const phase = (on: number, off: number) => `${round(on / 1000, 2)} / ${round(off / 1000, 2)} s`;

function evidenceRows(eb: EvidenceBench | undefined): Row[] {
  if (!eb) return [];
  const e = eb.result;
  const c = e.counts;
  const rows: Row[] = [
    { benchmark: `11. evidence steps on the wide mission (${eb.machine.cpus} cores): overhead`, figure: `${secs(e.on.makespanMs)} with every evidence step vs ${secs(e.off.makespanMs)} without → ${pct(e.overhead)} of the makespan (paired runs: ${pct(e.pairedOverhead)})`, target: "≤ 5 %", met: e.overhead <= 0.05 },
    ...(e.on.cpuS !== undefined && e.off.cpuS !== undefined ? [{ benchmark: "11. evidence steps: CPU per mission", figure: `${round(e.on.cpuS, 1)} CPU-s with vs ${round(e.off.cpuS, 1)} CPU-s without (+${round(e.on.cpuS - e.off.cpuS, 1)} CPU-s, ${pct((e.on.cpuS - e.off.cpuS) / e.on.cpuS)}), this process with its children and the server`, target: "—", met: undefined }] : []),
    { benchmark: "11. evidence steps: where the time goes", figure: `with / without: plan ${phase(e.on.phases.planMs, e.off.phases.planMs)}, Worker wave ${phase(e.on.phases.waveMs, e.off.phases.waveMs)}, last Worker → final review ${phase(e.on.phases.toReviewMs, e.off.phases.toReviewMs)}, review → seal ${phase(e.on.phases.reviewMs, e.off.phases.reviewMs)}`, target: "—", met: undefined },
    { benchmark: "11. evidence steps: what ran, per mission", figure: `${c.checkpoints} checkpoints asked for, ${c.diffs} diffs, ${c.patches} git runs for the Reviewer's diffs (${round(e.steps.patchMs, 0)} ms), ${c.todoChecks} TODO checks (${e.steps.todoCheckMs === undefined ? "?" : round(e.steps.todoCheckMs, 0)} ms each) + ${c.wholeChecks} whole check (${e.steps.wholeCheckMs === undefined ? "?" : round(e.steps.wholeCheckMs, 0)} ms) as background jobs${c.checksNotPassed ? `, ${c.checksNotPassed} not passed` : ", all passed"}`, target: "—", met: undefined },
  ];
  return rows;
}

function sandboxRows(sb: SandboxBench | undefined): Row[] {
  if (!sb) return [];
  const s = sb.result;
  if (!s.measured) return [{ benchmark: "12. sandbox (bubblewrap) per command", figure: `not measured (${s.reason})`, target: "—", met: undefined }];
  return s.rows.map((row) => ({ benchmark: `12. sandbox per command (${sb.machine.cpus} cores): ${row.label}`, figure: `${msOf(row.off.medianMs)} off vs ${msOf(row.bubblewrap.medianMs)} bubblewrap → ratio ${round(row.ratio, 2)} (+${msOf(row.addedMs)})`, target: "—", met: undefined }));
}

function evidenceMethod(eb: EvidenceBench | undefined): string {
  if (!eb) return "";
  const e = eb.result;
  return `
11. **What the evidence steps cost on the wide mission.** The product's whole mission of 8 (${e.files.toLocaleString("en")} files,
   ${e.todos} one-file TODOs, the scripted model after ${e.latencyMs} ms, \`maxParallelSessions\` ${e.maxParallelSessions}) through the Commander,
   twice per run, on the same setup as 8 (each side its own server with our config, snapshots off, its
   own sandbox, a fresh copy of the repository, the same warm-up)${e.serverSettleMs === undefined ? "" : `, then a wait until the server's process
   group has used under 5 % of a core for a second (median ${secs(e.serverSettleMs)}): OpenCode burns over a core for several
   seconds after it starts, as much with 10 files as with 3,000, which a user's long-lived server did long
   ago, and a mission timed during it shares the two cores with it`}: (a) with every evidence step on —
   the orchestrator's checkpoint store (a checkpoint before and after each Worker attempt and before
   each review round, as \`ChangeRecorder\` asks for them, the diffs of each TODO's changes, the claim
   check on each "done", the Reviewer's real diff of each TODO through \`CheckpointStore.patches\`), a plan
   whose every TODO carries a \`check\` (\`${e.todoCheck}\`) and a plan-level \`check\` (\`${e.wholeCheck}\`), run as
   background jobs of a \`BackgroundJobManager\` given to the Commander as \`jobs\` with the jobs' shell and
   the permission gate the MissionHost sets (the gate reads the server's permission rules once), the
   git runs and the jobs started by the launcher as in the product, and the manager's bound as the
   MissionHost makes it (\`maxRunningJobs\` ${e.maxRunningJobs}: the mission's checks wait for a free slot); (b) without — no checkpoints (\`CommanderOptions.checkpoints\`
   undefined), no checks. ${e.runs} runs, the order rotated; medians. The overhead is (a − b) / a of the medians; the paired figure is the median of
   each pair's (a − b) / a. CPU: user + system seconds over the mission of the benchmark's process (the
   Commander and the scripted model) with its reaped children (\`git\`, the checks' jobs), from
   \`/proc/self/stat\`, plus the server's process group, as in 8; less moved than the makespan by other
   work on the machine. Measured on ${eb.date.slice(0, 10)} (${eb.durationS} s) on ${eb.machine.cpus} cores, the machine's 1-minute load
   average at the runs' start ${round(e.load, 1)}. \`BENCH_ONLY=evidence npm run bench\` runs 11 alone
   (\`BENCH_EVIDENCE_RUNS\` sets the pairs).
`;
}

function sandboxMethod(sb: SandboxBench | undefined): string {
  if (!sb) return "";
  const s = sb.result;
  const when = `Measured on ${sb.date.slice(0, 10)} (${sb.durationS} s) on ${sb.machine.cpus} cores`;
  if (!s.measured) return `
12. **What the opt-in sandbox costs per command.** Not measured: ${s.reason}. ${when}.
`;
  return `
12. **What the opt-in sandbox costs per command** (\`orchestrator.sandbox\` = \`"bubblewrap"\`). The agent shell of
   \`src/orchestrator/process/agentShell.ts\` written twice for one workspace, sandbox \`"off"\` and
   \`"bubblewrap"\` (\`${s.bwrap}\`), and short commands run through it as OpenCode's bash tool and the
   background jobs run them: \`<agent shell> -c <command>\` in the workspace, the environment without the
   orchestrator's secrets, from spawn to exit. ${s.rows.map((r) => `\`${r.command.replace(/\{mode\}/g, "<mode>").replace(/\{i\}/g, "<n>")}\``).join(" and ")}, ${s.rounds} rounds of ${s.n} of each
   per mode, the two modes paired and alternating which goes first (and the two commands interleaved),
   after 10 unmeasured of each; medians of all ${s.rounds * s.n} (means, 90th percentiles and each round's medians in
   latest.json). The inner shell is \`${s.innerShell}\` in both modes. ${when}, the
   1-minute load average at the start ${round(s.load, 1)}. \`BENCH_ONLY=sandbox npm run bench\` runs 12 alone
   (\`BENCH_SANDBOX_COMMANDS\` sets N); where bwrap is not installed it reports "not measured".
`;
}

function evidenceNote(eb: EvidenceBench): string {
  const e = eb.result;
  const c = e.counts;
  const pairs = e.on.samples.map((a, i) => {
    const b = e.off.samples[i];
    return b ? (a.makespanMs - b.makespanMs) / a.makespanMs : Number.NaN;
  });
  const spread = `the ${e.runs} pairs ranged from ${pct(Math.min(...pairs))} to ${pct(Math.max(...pairs))}`;
  const head = e.overhead <= 0.05 ? "Within the 5 % target" : "**Missed** (target ≤ 5 %)";
  const added = e.on.makespanMs - e.off.makespanMs;
  // The benchmark itself keeps about two cores busy: a load average above the cores is other work.
  const shared = e.load > eb.machine.cpus ? `, the load average ${round(e.load, 1)} on ${eb.machine.cpus} cores: the machine was shared with other work` : `, the load average ${round(e.load, 1)} at the runs' start`;
  const on = e.on.phases;
  const off = e.off.phases;
  const ms = (x: number | undefined) => (x === undefined ? "?" : `${round(x, 0)} ms`);
  const gap = `${secs(on.toReviewMs)} against ${secs(off.toReviewMs)}`;
  const steady = on.planMs - off.planMs + (on.toReviewMs - off.toReviewMs) + (on.reviewMs - off.reviewMs);
  const absolute = `About ${round(added / 1000, 1)} s per wave of ${e.todos} TODOs on ${eb.machine.cpus} cores: against model turns of tens of seconds it would be under one per cent of a mission, but against this benchmark's ${e.latencyMs} ms scripted model it is ${pct(e.overhead)}.`;
  const notes = [
    `- **Evidence steps on the wide mission: ${pct(e.overhead)} of the makespan.** ${head}, on this machine's ${eb.machine.cpus} cores: ${secs(e.on.makespanMs)} with every evidence step, ${secs(e.off.makespanMs)} without (${round(added, 0)} ms more; paired, ${pct(e.pairedOverhead)}; ${spread}${shared}); the CPU burnt per mission ${e.on.cpuS === undefined || e.off.cpuS === undefined ? "not measured" : `${round(e.on.cpuS, 1)} against ${round(e.off.cpuS, 1)} CPU-s`}. Per mission: ${c.checkpoints} checkpoints asked for (the store takes one for those that coincide, and gives its last again for an unchanged workspace), ${c.diffs} diffs, ${c.patches} git runs for the Reviewer's diffs, ${c.todoChecks} TODO checks and ${c.wholeChecks} whole check${c.checksNotPassed ? ` (${c.checksNotPassed} not passed)` : ", all passed"}. Up to the wave's end, with / without: plan ${phase(on.planMs, off.planMs)}, wave ${phase(on.waveMs, off.waveMs)}; the wave starts from the mission's first checkpoint (nothing was written since), and a Worker whose last writing tool call ended before the latest checkpoint was asked for shares it, so the ${e.todos} Workers end with one checkpoint, asked for by the first of them to end. The cost sits between the last Worker's end and the final review, ${gap}: every TODO's check, ${e.todos} background jobs starting within a moment of each other, each a guarded process started by the launcher (the Perl subreaper guard and the command; a command of plain words such as \`${e.todoCheck}\` needs no shell in front), ${ms(e.steps.todoCheckMs)} each (median; the whole check, alone, ${ms(e.steps.wholeCheckMs)}), no more at once than cores; then the Reviewer's diffs (one \`git diff-tree -p\` per pair of checkpoints of the batch, ${ms(e.steps.patchMs)}), while the checkpoint before the review is taken beside the Reviewer's start. The whole check and the mission's last checkpoint come after the review (review → seal ${phase(on.reviewMs, off.reviewMs)}). The Worker wave's length varies by a few hundred ms from run to run, with evidence or without; outside it the evidence steps add ${round(steady, 0)} ms (plan, last Worker → final review, review → seal), ${pct(steady / e.on.makespanMs)} of the makespan with them: the steadier figure. ${absolute} What is left is CPU: the ${e.todos + 1} checks' processes (guard, command), while the server finishes its ${e.todos} turns, on ${eb.machine.cpus} cores. \`BENCH_TRACE=1\` prints each run's events from the last Worker's end to the final review.`,
    `- **What brought it down from 25.7 %** (4.64 s with, 3.45 s without, on servers still in their start-up burn) **to 6.5 %**: one \`git diff-tree -p\` per pair of checkpoints for the Reviewer, split per file, instead of one per TODO (\`ChangeRecorder.diffsFor\`, \`changes/patchSections.ts\`); a guard that starts in half the CPU (no POSIX module) and no longer holds about one short command in 50 for half a second (a SIGCHLD that lands just before its wait; \`process/processGroup.ts\`); a wave dispatched together starting from the last quiet checkpoint instead of a new one; and, in this benchmark, missions timed once the server's start-up burn is over. **From 6.5 % to this figure** (the last Worker's end to the final review was 0.26 s): the Workers of a wave share the checkpoint asked for after their last writes (\`WorkDone.settledAt\`; ${c.checkpoints} checkpoints asked for per mission, was 33); git runs and jobs start from the launcher (\`process/launcher.ts\`: \`spawn\` from the benchmark's process, which forks it, was the largest item of its CPU profile during the checks; see 13); the guard loads no Perl module at all (~1 ms a process); jobs run in the user's shell without the agent shell's script when nothing is sandboxed, and a command of plain words starts its program without a shell (\`background/directCommand.ts\`); the Reviewer starts without waiting for the checkpoint before its round when nothing else runs, and the mission's first checkpoint is taken while the Planner plans; a checkpoint of an unchanged workspace is the last one. Not done, and why: starting a TODO's check before its checkpoint after the attempt (a check that writes, such as coverage or a formatter, would land half-written in a record that a revert may restore from); more checks at once than cores (4 at once run these thirty trivial checks ~20 % faster on an idle 2-core machine, but with the server finishing its turns beside them, one more than the cores made the wave's end slower here, 0.15 s against 0.12 s over 20 pairs; and a real check is a build or a test run that wants a core of its own).`,
  ];
  return notes.join("\n");
}

function spawnRows(sp: SpawnBench | undefined): Row[] {
  if (!sp) return [];
  return sp.result.rows.map((row) => ({
    benchmark: `13. starting a process from a host of ${round(row.rssMb, 0)} MB resident (${sp.machine.cpus} cores)`,
    figure: `event loop blocked ${msOf(row.direct.blockedMs)} by spawn here vs ${msOf(row.launcher.blockedMs)} through the launcher → ratio ${round(row.launcher.blockedMs / row.direct.blockedMs, 2)}; \`git --version\` round trip ${msOf(row.direct.roundTripMs)} vs ${msOf(row.launcher.roundTripMs)}`,
    target: "—",
    met: undefined,
  }));
}

/** The goal of issue 27: with the engine warm, Run Task → the first Worker under 10 s. */
const FIRST_WORKER_GOAL_MS = 10_000;

function firstWaitRows(fw: FirstWaitBench | undefined): Row[] {
  if (!fw) return [];
  return fw.cases.map((c) => ({
    benchmark: `14. Run Task → first Worker, ${c.kind === "demo" ? "demo model" : "configured provider"}, engine ${c.warm ? "warm" : "cold"}`,
    figure: `${secs(c.median.firstWorkerMs)} (Planner's end → first Worker ${msOf(c.median.gapMs)}; the model list ${secs(c.median.modelsMs)})`,
    target: c.warm ? "< 10 s" : "—",
    met: c.warm ? c.median.firstWorkerMs < FIRST_WORKER_GOAL_MS : undefined,
  }));
}

function firstWaitMethod(fw: FirstWaitBench | undefined): string {
  if (!fw) return "";
  return `
14. **The first wait** (\`bench/firstWorker.ts\`): Run Task → the first Worker session running, through
   the MissionHost as the extension drives it (plan approval at its default), on the demo model and on a
   configured provider (the scripted model in the workspace's \`opencode.json\`, a two-TODO plan). Cold:
   OpenCode not started (the model list is asked first, as Run Task's pick does); warm: the engine
   started first, as opening the Orchestrator view or the Run Task box now does. Medians of
   ${fw.cases[0]?.runs.length ?? 0} runs per case, measured on ${fw.date.slice(0, 10)} (${fw.durationS} s) on ${fw.machine.cpus} cores, OpenCode
   ${fw.machine.opencode}. \`BENCH_ONLY=first npm run bench\` runs 14 alone.
`;
}

function spawnMethod(sp: SpawnBench | undefined): string {
  if (!sp) return "";
  const r = sp.result;
  return `
13. **What starting a process costs the process that starts it** (\`bench/spawnCost.ts\`). On Linux Node's
   \`spawn\` forks, and fork copies the parent's page tables on the calling thread — the extension host's
   event loop. For each size, a fresh Node process holds that much extra memory (half touched buffers,
   half small objects on the heap) and starts \`git --version\` ${r.starts} times each way, alternating which
   goes first: with \`spawn\` from itself, and through the launcher (\`src/orchestrator/process/launcher.ts\`:
   one IPC message; the launcher, a small Node process of its own, forks). Medians of how long the call
   blocked the event loop and of the round trip to the command's exit. Measured on ${sp.date.slice(0, 10)} (${sp.durationS} s) on
   ${sp.machine.cpus} cores, Node ${sp.machine.node}. \`BENCH_ONLY=spawn npm run bench\` runs 13 alone.
`;
}

function spawnNote(sp: SpawnBench): string {
  const rows = sp.result.rows;
  const last = rows.at(-1);
  if (!last) return "";
  const each = rows.map((row) => `${msOf(row.direct.blockedMs)} from ${round(row.rssMb, 0)} MB`).join(", ");
  return `- **Starting a process blocks the host's event loop in proportion to its memory**: ${each} with Node's own \`spawn\`; through the launcher ${rows.map((row) => msOf(row.launcher.blockedMs)).join(", ")}. An extension host holds hundreds of MB (every extension's); a checkpoint is four \`git\` runs and a wave's end one check per TODO, so the git runs of the checkpoints and every background job (checks included) start through the launcher, and the host's part of a start stays under a millisecond whatever its size. The launcher costs one Node process (~40 MB) while the host lives, started on first use.`;
}

function sandboxNote(sb: SandboxBench): string {
  const s = sb.result;
  if (!s.measured) return `- **Sandbox per command: not measured** (${s.reason}).`;
  const parts = s.rows.map((r) => `${r.label} ${msOf(r.off.medianMs)} → ${msOf(r.bubblewrap.medianMs)} (${round(r.ratio, 2)}×, +${msOf(r.addedMs)}; the rounds' medians ${r.rounds.map((x) => `${round(x.offMs, 1)} → ${round(x.bubblewrapMs, 1)}`).join(", ")} ms)`).join("; ");
  const worst = Math.max(...s.rows.map((r) => r.addedMs));
  return `- **The bubblewrap sandbox: +${msOf(worst)} a command at most.** ${parts}, on ${sb.machine.cpus} cores${s.load > sb.machine.cpus ? ` shared with other work (load average ${round(s.load, 1)} at the start)` : ""}. bwrap sets up its namespaces and mounts for every command, and that is the cost; against a model turn of seconds and the commands agents really run (builds, tests) it is noise, and only a turn that runs hundreds of tiny commands would notice it.`;
}
