/**
 * What the evidence steps cost on the wide mission of benchmark 8 (3,000-file repository, 30
 * one-file TODOs): the orchestrator's checkpoints before and after each Worker attempt and before
 * each review round, the claim check, the Reviewer's real diff, each TODO's acceptance check run as a
 * background job, and the project's whole check before the final review. The product's whole mission
 * through the Commander, paired and alternating which goes first: (on) with every evidence step —
 * the checkpoint store, a `check` on every TODO and one on the plan, a BackgroundJobManager as `jobs`
 * as the MissionHost makes it (its default bound of 16 running jobs, the jobs' shell and the
 * permission gate); (off) without — no checkpoints, no checks. Each side on its own server
 * (snapshots off), sandbox and fresh copy of the repository (bench/wide.ts).
 */
import { existsSync, readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import type { PermissionRule } from "../src/orchestrator/agents/commandPolicy";
import { BackgroundJobManager, DEFAULT_MAX_RUNNING_JOBS } from "../src/orchestrator/background/jobManager";
import { createAgentShell, type AgentShell } from "../src/orchestrator/process/agentShell";
import type { Engine } from "../src/orchestrator/engine/engine";
import { JobPermission } from "../src/orchestrator/host/jobPermission";
import { silentLogger } from "../src/orchestrator/common/logger";
import type { Checkpoints } from "../src/orchestrator/mission/changeRecorder";
import { Commander } from "../src/orchestrator/mission/commander";
import { MissionStore } from "../src/orchestrator/mission/missionStore";
import { missionScenario } from "../src/orchestrator/scriptedModel/missionScenario";
import type { ScriptedModel } from "../src/orchestrator/scriptedModel/server";
import { SCRIPTED_MODEL } from "../test/support/engineHarness";
import { median } from "./stats";
import { groupCpuSeconds, startWideServer, untilServerQuiet, widePlan, withRepoTemplate } from "./wide";

export type EvidenceSideName = "on" | "off";

/** What one mission ran of the evidence steps (all zero on the side without them). */
export interface EvidenceCounts {
  /** Checkpoints the Commander asked its store for (coalesced by the store when they coincide). */
  checkpoints: number;
  /** Diffs of the store: each TODO's changes after its attempt (shared by a wave), and an attempt's own. */
  diffs: number;
  /** Git runs that read the Reviewer's real diffs: one per pair of checkpoints in a review batch (a TODO whose part is not found reads its own). */
  patches: number;
  /** Acceptance checks of TODOs run as background jobs, and the project's whole check. */
  todoChecks: number;
  wholeChecks: number;
  /** Checks that did not pass (a failed, timed-out or refused check: the mission is then not the same work). */
  checksNotPassed: number;
  /** Checks the permission gate would have asked the user about (answered "once" here). */
  checksAsked: number;
  /** Checks that could not start because the job manager's bound on running jobs was reached. */
  checksRefusedForLimit: number;
}

export interface EvidenceSample extends EvidenceCounts {
  makespanMs: number;
  /** How long the server's start-up burn was waited out before the mission (0 when not: see `settle`). */
  settleMs: number;
  /**
   * CPU seconds the mission burnt: this process (the Commander, the scripted model) with its reaped
   * children (git, the checks' jobs), plus the server's process group. Less moved by other work on
   * the machine than the makespan. Undefined off Linux.
   */
  cpuS?: number;
  /**
   * Where the time went (ms): from the start to the first Worker's session (the plan), to the last
   * Worker's turn's end (the wave, with the checkpoints before and after each attempt), from there to
   * the final Reviewer's session (the last checks, the whole check, the checkpoint before the review
   * and the Reviewer's diffs), and from there to the seal.
   */
  phases: EvidencePhases;
  /** Time inside the store's `patch` and `patches` (the Reviewer's diffs; summed where they overlap), and the checks' own durations (medians of the TODOs'; the whole check's). */
  patchMs: number;
  todoCheckMs?: number;
  wholeCheckMs?: number;
  /** Worker turns and review rounds: the same on both sides when no evidence step changed the mission's course. */
  workerTurns: number;
  reviewRounds: number;
}

export interface EvidencePhases {
  planMs: number;
  waveMs: number;
  toReviewMs: number;
  reviewMs: number;
}

export interface EvidenceSide {
  makespanMs: number;
  cpuS?: number;
  /** Medians of each phase over the runs. */
  phases: EvidencePhases;
  samples: EvidenceSample[];
}

export interface EvidenceResult {
  files: number;
  todos: number;
  latencyMs: number;
  maxParallelSessions: number;
  runs: number;
  /** The machine's 1-minute load average when each run began (median): other work shares its cores. */
  load: number;
  /**
   * Each mission began once its server had been quiet for a second (its start-up burn over), waited
   * for this long (median, ms); undefined in results from before it did.
   */
  serverSettleMs?: number;
  /** The checks the plan carried: a TODO's (for its file) and the plan's. */
  todoCheck: string;
  wholeCheck: string;
  /** The job manager's bound on (on): room for every check at once. */
  maxRunningJobs: number;
  on: EvidenceSide;
  off: EvidenceSide;
  /** (on − off) / on, from the medians: the share of the mission's makespan the evidence steps take. */
  overhead: number;
  /** The median of each run's paired (on − off) / on: less sensitive to a run that met a busy machine. */
  pairedOverhead: number;
  /** Per mission, medians over the runs of the side with the evidence steps. */
  counts: EvidenceCounts;
  /** Of (on), medians over the runs: the Reviewer's diffs' wall time, a TODO's check and the whole check (ms). */
  steps: { patchMs: number; todoCheckMs?: number; wholeCheckMs?: number };
}

/** This process's CPU seconds with its reaped children (/proc/self/stat), plus the server group's; undefined off Linux. */
function cpuSeconds(serverPid: number | undefined): number | undefined {
  try {
    const stat = readFileSync("/proc/self/stat", "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const self = (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / 100; // utime stime cutime cstime, USER_HZ 100
    const server = serverPid ? groupCpuSeconds(serverPid) : 0;
    return server === undefined ? undefined : self + server;
  } catch {
    return undefined;
  }
}

/** The rules in force, as the MissionHost reads them for the gate: the server's merged configuration. */
async function configuredRules(engine: Engine): Promise<PermissionRule[]> {
  try {
    return (await engine.api.permissionRules(AbortSignal.timeout(10_000))) ?? [];
  } catch {
    return [];
  }
}

async function oneRun(side: EvidenceSideName, template: string, model: ScriptedModel, run: number, o: { todos: number; latencyMs: number; maxParallelSessions: number; maxRunningJobs: number; todoCheck: (file: string) => string; wholeCheck: string; settle: boolean; log?: (line: string) => void }): Promise<EvidenceSample> {
  const on = side !== "off";
  const server = await startWideServer(template, model, { prefix: `bench-evidence-${side}-`, snapshot: false, checkpoints: on, latencyMs: o.latencyMs, engine: "v1" });
  let jobs: BackgroundJobManager | undefined;
  let shell: AgentShell | undefined;
  try {
    const { engine, store, sandbox } = server;
    const workspace = sandbox.workspace;
    const settleMs = o.settle && engine.server?.pid ? await untilServerQuiet(engine.server.pid) : 0;
    let patchMs = 0;
    const counts: EvidenceCounts = { checkpoints: 0, diffs: 0, patches: 0, todoChecks: 0, wholeChecks: 0, checksNotPassed: 0, checksAsked: 0, checksRefusedForLimit: 0 };
    // BENCH_TRACE=1: what happened from the last Worker's end to the final review, printed per run.
    const tracing = Boolean(process.env.BENCH_TRACE) && on;
    const trace: Array<[number, string]> = [];
    const checkpoints: Checkpoints | undefined = store && {
      checkpoint: (label) => {
        counts.checkpoints++;
        if (!tracing) return store.checkpoint(label);
        const asked = performance.now();
        trace.push([asked, `checkpoint asked: ${label}`]);
        return store.checkpoint(label).finally(() => trace.push([performance.now(), `checkpoint taken: ${label} (${(performance.now() - asked).toFixed(0)} ms)`]));
      },
      diff: (from, to, paths) => (counts.diffs++, store.diff(from, to, paths)),
      patch: async (from, to, paths, maxBytes) => {
        counts.patches++;
        const t0 = performance.now();
        try {
          return await store.patch(from, to, paths, maxBytes);
        } finally {
          patchMs += performance.now() - t0;
        }
      },
      patches: async (from, to, paths) => {
        counts.patches++;
        const t0 = performance.now();
        try {
          return await store.patches(from, to, paths);
        } finally {
          patchMs += performance.now() - t0;
        }
      },
    };
    if (on) {
      // The workspace's jobs as the MissionHost gives them: its default bound, the jobs' shell (sandbox off, the default) and the permission gate.
      jobs = new BackgroundJobManager({ workspace, maxRunningJobs: o.maxRunningJobs });
      shell = createAgentShell({ workspace, sandbox: "off", userShell: process.env.SHELL });
      jobs.setShell(shell.jobShell, { plain: shell.sandbox === "off" });
      // Read before the mission, as the MissionHost reads them before it makes the Commander: not on the first check's path.
      const rules = await configuredRules(engine);
      jobs.setGate(
        new JobPermission(
          async () => rules,
          async () => {
            counts.checksAsked++;
            return "once";
          },
          silentLogger,
          workspace,
        ).gate,
      );
    }
    const plan = widePlan(o.todos).map((t) => (on ? { ...t, check: o.todoCheck(t.files[0] as string) } : t));
    model.setScenario(missionScenario({ workspace, plans: [{ todos: plan, check: on ? o.wholeCheck : undefined }], latencyMs: o.latencyMs }));
    const commander = Commander.create(`evidence ${side} run ${run}`, { engine, store: new MissionStore(workspace), checkpoints, jobs, logger: silentLogger, model: SCRIPTED_MODEL, limits: { maxParallelSessions: o.maxParallelSessions } });
    const errors: string[] = [];
    let workerTurns = 0;
    let reviewRounds = 0;
    const at = { firstWorker: Number.NaN, lastWorkerEnd: Number.NaN, reviewers: [] as number[] };
    const todoCheckMs: number[] = [];
    let wholeCheckMs: number | undefined;
    commander.events.on((e) => {
      const now = performance.now();
      if (tracing) trace.push([now, `${e.type} ${"todoId" in e ? (e.todoId ?? "") : ""}${"to" in e ? ` → ${e.to}` : ""}${"role" in e ? ` ${e.role}` : ""}${"durationMs" in e && e.type === "check.finished" ? ` (${e.durationMs} ms)` : ""}`]);
      if (e.type === "turn.finished" && !e.ok) errors.push(e.error ?? "error");
      if (e.type === "turn.started" && e.role === "worker") {
        workerTurns++;
        if (Number.isNaN(at.firstWorker)) at.firstWorker = now;
      }
      if (e.type === "turn.finished" && e.role === "worker") at.lastWorkerEnd = now;
      if (e.type === "turn.started" && e.role === "reviewer") at.reviewers.push(now);
      if (e.type === "check.finished" && e.durationMs !== undefined) {
        if (e.todoId) todoCheckMs.push(e.durationMs);
        else wholeCheckMs = e.durationMs;
      }
      if (e.type === "review.round") reviewRounds++;
      if (e.type === "check.finished") {
        if (e.todoId) counts.todoChecks++;
        else counts.wholeChecks++;
        if (e.status !== "passed") counts.checksNotPassed++;
        // A check the job manager could not start: its result says why (the TODO goes back to its Worker).
        const result = e.todoId ? commander.state.todos.find((t) => t.id === e.todoId)?.checkResult : undefined;
        if (result?.status === "error" && result.tail.includes("Too many background jobs")) counts.checksRefusedForLimit++;
      }
    });
    const pid = engine.server?.pid;
    const cpuBefore = cpuSeconds(pid);
    const started = performance.now();
    const state = await commander.run();
    const makespanMs = performance.now() - started;
    // The checks' jobs end (and are reaped) before the seal: their CPU is in the children's.
    const cpuAfter = cpuSeconds(pid);
    if (state.status !== "sealed" || errors.length) throw new Error(`evidence ${side} run ${run} did not seal cleanly: ${state.status} ${errors.join("; ")}`);
    const written = plan.filter((p) => existsSync(join(workspace, p.files[0] as string))).length;
    if (written !== o.todos) throw new Error(`evidence ${side} run ${run}: ${written}/${o.todos} files written`);
    if (on && (counts.todoChecks < o.todos || counts.wholeChecks < 1)) throw new Error(`evidence ${side}, run ${run}: ${counts.todoChecks} TODO checks and ${counts.wholeChecks} whole checks ran, expected ${o.todos} and 1`);
    // Every check must pass (they wait for a free slot, never refused): else the mission did other work than the side without checks.
    if (side === "on" && counts.checksNotPassed) throw new Error(`evidence on, run ${run}: ${counts.checksNotPassed} checks did not pass`);
    const finalReview = at.reviewers.find((t) => t >= at.lastWorkerEnd) ?? Number.NaN;
    if (tracing) {
      o.log?.(`  run ${run + 1} evidence ${side}, ms from the last Worker's end to the final review:`);
      for (const [t, what] of trace.sort((x, y) => x[0] - y[0])) if (t >= at.lastWorkerEnd - 400 && t <= finalReview) o.log?.(`    ${(t - at.lastWorkerEnd).toFixed(0).padStart(5)}  ${what}`);
    }
    const phases: EvidencePhases = { planMs: at.firstWorker - started, waveMs: at.lastWorkerEnd - at.firstWorker, toReviewMs: finalReview - at.lastWorkerEnd, reviewMs: started + makespanMs - finalReview };
    const sample: EvidenceSample = { makespanMs, settleMs, phases, patchMs, todoCheckMs: todoCheckMs.length ? median(todoCheckMs) : undefined, wholeCheckMs, workerTurns, reviewRounds, ...counts };
    if (cpuBefore !== undefined && cpuAfter !== undefined) sample.cpuS = cpuAfter - cpuBefore;
    return sample;
  } finally {
    await jobs?.dispose();
    shell?.dispose();
    await server.stop();
  }
}

const optionalMedian = (values: Array<number | undefined>) => {
  const known = values.filter((v): v is number => v !== undefined);
  return known.length ? median(known) : undefined;
};

const countsOf = (samples: EvidenceSample[]): EvidenceCounts => {
  const m = (key: keyof EvidenceCounts) => median(samples.map((s) => s[key]));
  return { checkpoints: m("checkpoints"), diffs: m("diffs"), patches: m("patches"), todoChecks: m("todoChecks"), wholeChecks: m("wholeChecks"), checksNotPassed: m("checksNotPassed"), checksAsked: m("checksAsked"), checksRefusedForLimit: m("checksRefusedForLimit") };
};

export async function evidenceCost(model: ScriptedModel, options: { files?: number; todos?: number; runs: number; latencyMs: number; maxParallelSessions?: number; settle?: boolean; log?: (line: string) => void }): Promise<EvidenceResult> {
  const files = options.files ?? 3_000;
  const todos = options.todos ?? 30;
  const maxParallelSessions = options.maxParallelSessions ?? 50;
  // As the MissionHost makes its manager: the mission's checks wait for a free slot, never refused.
  const maxRunningJobs = DEFAULT_MAX_RUNNING_JOBS;
  const todoCheck = (file: string) => `test -s ${file}`;
  const wholeCheck = "test -d src";
  const sides: EvidenceSideName[] = ["on", "off"];
  return withRepoTemplate(files, "bench-evidence-repo-", async (template) => {
    const samples: Record<EvidenceSideName, EvidenceSample[]> = { on: [], off: [] };
    const loads: number[] = [];
    const paired: number[] = [];
    for (let r = 0; r < options.runs; r++) {
      // Rotate which goes first, so no side always meets the machine in the same state.
      const order = sides.map((_, i) => sides[(i + r) % sides.length] as EvidenceSideName);
      loads.push(loadavg()[0] ?? 0);
      const pair: Partial<Record<EvidenceSideName, number>> = {};
      for (const side of order) {
        const s = await oneRun(side, template, model, r, { todos, latencyMs: options.latencyMs, maxParallelSessions, maxRunningJobs, todoCheck, wholeCheck, settle: options.settle !== false, log: options.log });
        const refused = s.checksRefusedForLimit ? ` (${s.checksRefusedForLimit} refused: too many jobs)` : "";
        const ran = side !== "off" ? `, ${s.checkpoints} checkpoints, ${s.diffs} diffs, ${s.patches} Reviewer diffs in ${s.patchMs.toFixed(0)} ms, ${s.todoChecks} + ${s.wholeChecks} checks (${s.todoCheckMs?.toFixed(0) ?? "?"} ms a TODO's, ${s.wholeCheckMs?.toFixed(0) ?? "?"} ms the whole)${refused}` : "";
        const p = s.phases;
        const where = `plan ${(p.planMs / 1000).toFixed(2)}, wave ${(p.waveMs / 1000).toFixed(2)}, to review ${(p.toReviewMs / 1000).toFixed(2)}, review ${(p.reviewMs / 1000).toFixed(2)} s`;
        options.log?.(`  run ${r + 1} evidence ${side}: ${(s.makespanMs / 1000).toFixed(2)} s (${where}), ${s.cpuS?.toFixed(1) ?? "?"} CPU-s, ${s.workerTurns} Worker turns, ${s.reviewRounds} review rounds${ran}`);
        samples[side].push(s);
        pair[side] = s.makespanMs;
      }
      if (pair.on !== undefined && pair.off !== undefined) paired.push((pair.on - pair.off) / pair.on);
    }
    const makespan = (side: EvidenceSideName) => median(samples[side].map((s) => s.makespanMs));
    const phases = (side: EvidenceSideName): EvidencePhases => {
      const m = (key: keyof EvidencePhases) => median(samples[side].map((s) => s.phases[key]));
      return { planMs: m("planMs"), waveMs: m("waveMs"), toReviewMs: m("toReviewMs"), reviewMs: m("reviewMs") };
    };
    const cpu = (side: EvidenceSideName) => (samples[side].every((s) => s.cpuS !== undefined) ? optionalMedian(samples[side].map((s) => s.cpuS)) : undefined);
    const on = makespan("on");
    const off = makespan("off");
    return {
      files,
      todos,
      latencyMs: options.latencyMs,
      maxParallelSessions,
      runs: options.runs,
      load: median(loads),
      serverSettleMs: options.settle === false ? undefined : median([...samples.on, ...samples.off].map((s) => s.settleMs)),
      todoCheck: todoCheck("src/todoNN.ts"),
      wholeCheck,
      maxRunningJobs,
      on: { makespanMs: on, cpuS: cpu("on"), phases: phases("on"), samples: samples.on },
      off: { makespanMs: off, cpuS: cpu("off"), phases: phases("off"), samples: samples.off },
      overhead: (on - off) / on,
      pairedOverhead: median(paired),
      counts: countsOf(samples.on),
      steps: { patchMs: median(samples.on.map((s) => s.patchMs)), todoCheckMs: optionalMedian(samples.on.map((s) => s.todoCheckMs)), wholeCheckMs: optionalMedian(samples.on.map((s) => s.wholeCheckMs)) },
    };
  });
}
