/**
 * A wide mission on a real-sized repository: 30 independent one-file TODOs in a committed git repo of
 * 3,000 small source files. This product (the whole mission through the Commander, on a server with
 * our config: OpenCode's per-step snapshots off) against raw OpenCode in its default configuration
 * (snapshots on) driven with the same turns through the SDK. Each side on its own server, own
 * sandbox HOME/XDG dirs and a fresh copy of the repo per run. Also: what the server burns in CPU,
 * and how many Worker requests the model sees at once.
 */
import { execFileSync } from "node:child_process";
import { createServer, type Server } from "node:net";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Engine } from "../src/orchestrator/engine/engine";
import { silentLogger } from "../src/orchestrator/common/logger";
import type { CheckpointStore } from "../src/orchestrator/changes/checkpointStore";
import type { PlannedTodo } from "../src/orchestrator/domain/schemas";
import type { Checkpoints } from "../src/orchestrator/mission/changeRecorder";
import { todo } from "../src/orchestrator/scriptedModel/missionScenario";
import type { RecordedRequest, ScriptedModel } from "../src/orchestrator/scriptedModel/server";
import { scriptedProvider } from "../test/support/engineHarness";
import { bundledOpencode, type EngineName } from "../test/support/engines";
import { createSandbox, type Sandbox } from "../test/support/isolation";
import { reportToolsFor } from "./reportTools";
import { checkpointsOf, orchestratorMission, rawMission, type MissionTarget } from "./opencode";
import { median } from "./stats";

// gc.auto=0: no background gc racing the copies; the repository is packed once, synchronously, instead.
const GIT_ID = ["-c", "user.email=bench@example.invalid", "-c", "user.name=bench", "-c", "gc.auto=0"];
const git = (cwd: string, ...args: string[]) => execFileSync("git", [...GIT_ID, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 * 2 ** 20 });

/** A committed git repository of `files` small TypeScript modules (src/mod0000.ts …; 1,000 a folder past 5,000). */
export function generateRepo(dir: string, files: number): void {
  mkdirSync(dir, { recursive: true });
  const width = String(files - 1).length;
  for (let i = 0; i < files; i++) {
    const name = `mod${String(i).padStart(width, "0")}.ts`;
    const path = files > 5_000 ? join(dir, "src", `g${String(Math.floor(i / 1_000)).padStart(2, "0")}`, name) : join(dir, "src", name);
    if (i === 0 || (files > 5_000 && i % 1_000 === 0)) mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `// Module ${i}.\nexport const id${i} = ${i};\n\nexport function value${i}(x: number): number {\n  return x + id${i};\n}\n`);
  }
  git(dir, "init", "-q");
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "-m", `${files} modules`);
  git(dir, "repack", "-a", "-d", "-q");
}

export const copyRepo = (template: string, to: string) => {
  rmSync(to, { recursive: true, force: true });
  execFileSync("cp", ["-a", template, to]);
};

/**
 * CPU seconds of a process group (the server under its guard, and the git processes it ran): user +
 * system of every live member, plus what their reaped children used. Linux only (/proc).
 */
export function groupCpuSeconds(pgid: number): number | undefined {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return undefined;
  }
  let ticks = 0;
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // Fields after the command name: state ppid pgrp … utime(14) stime(15) cutime(16) cstime(17).
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(f[2]) !== pgid) continue;
      ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    } catch {
      // gone meanwhile
    }
  }
  return ticks / 100; // USER_HZ is 100 on Linux
}

/**
 * Waits until the server's process group has used under 5 % of a core for a whole second, at most
 * `maxMs`; returns the milliseconds waited. OpenCode burns more than a core for several seconds after
 * it starts (its own start-up: as much with 10 files as with 3,000), which a user's long-lived server
 * did long ago; a mission timed during it shares the cores with it, and on 2 cores that weighs most
 * on whatever else needs a core then.
 */
export async function untilServerQuiet(pgid: number, maxMs = 20_000): Promise<number> {
  const started = performance.now();
  let last = groupCpuSeconds(pgid);
  while (last !== undefined && performance.now() - started < maxMs) {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const now = groupCpuSeconds(pgid);
    if (now === undefined || now - last < 0.05) break;
    last = now;
  }
  return performance.now() - started;
}

/** The most requests of `role` the model was answering at the same moment: max overlap of [receivedAt, finishedAt]. */
export function peakConcurrent(requests: readonly RecordedRequest[], role: string): number {
  const edges: Array<[number, number]> = [];
  for (const r of requests) {
    if (r.role !== role) continue;
    edges.push([r.receivedAt, 1], [r.finishedAt ?? Number.POSITIVE_INFINITY, -1]);
  }
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]); // an end before a start at the same instant
  let now = 0;
  let peak = 0;
  for (const [, d] of edges) peak = Math.max(peak, (now += d));
  return peak;
}

export interface WideSample {
  makespanMs: number;
  peakWorkers: number;
  cpuS?: number;
  /** Checkpoints the Commander asked its store for (product side only). */
  checkpoints?: number;
}

export interface WideSide {
  makespanMs: number;
  peakWorkers: number;
  cpuS?: number;
  checkpoints?: number;
  samples: WideSample[];
}

export interface WideResult {
  files: number;
  todos: number;
  latencyMs: number;
  maxParallelSessions: number;
  runs: number;
  /** (a) this product: the Commander, on a server with our config (snapshots off). */
  product: WideSide;
  /** (b) raw OpenCode, default config (snapshots on), the same turns through the SDK. */
  raw: WideSide;
  ratio: number;
}

type Side = "product" | "raw";

/**
 * OpenCode's per-step snapshots on, as each line spells it: v2 reads v1's `snapshot` and its own
 * `snapshots`, the latter winning (2.1.2: `snapshot: false` beside `snapshots: true` snapshots), so
 * both are set whichever our v2 config uses; v1 knows only `snapshot`.
 */

/** The wide mission's plan: `todos` independent TODOs, each one new file (src/todo00.ts …). */
export const widePlan = (todos: number): PlannedTodo[] => Array.from({ length: todos }, (_, i) => todo(`W${i}`, [], [`src/todo${String(i).padStart(2, "0")}.ts`]));

/** A server of one run: its sandbox (a fresh copy of the repository as the workspace), the server, and the product's checkpoint store when asked for. */
export interface WideServer {
  sandbox: Sandbox;
  engine: Engine;
  store?: CheckpointStore;
  /** Stops the server and removes the sandbox. */
  stop(): Promise<void>;
}

/**
 * One run's server, warmed up and not yet measured: a sandbox of its own (HOME/XDG dirs), a fresh
 * copy of `template` as its workspace, a server with our config (OpenCode's per-step snapshots off,
 * or on with `snapshot`), and the same warm-up on every side: a planner and a reviewer turn.
 * OpenCode's first prompt loads its providers (over a second), and with snapshots on its first step
 * indexes the whole worktree into its snapshot repository, which a user's long-lived data dir has
 * done before. The product's counterpart is the first checkpoint of its own store (kept in the
 * workspace across missions): taken here too when `checkpoints`, and timed on its own in benchmark 9.
 */
export async function startWideServer(template: string, model: ScriptedModel, options: { prefix: string; snapshot: boolean; checkpoints: boolean; latencyMs: number; engine: EngineName }): Promise<WideServer> {
  const sandbox = createSandbox(options.prefix, options.engine);
  const tools = await reportToolsFor(options.engine);
  let engine: Engine | undefined;
  try {
    copyRepo(template, sandbox.workspace);
    engine = await Engine.start({
      directory: sandbox.workspace,
      binary: { pathEnv: "", fallbacks: [bundledOpencode(options.engine)] },
      // Raw OpenCode's default is snapshots on; over our config so that the same agents exist.
      config: { provider: scriptedProvider(model.baseURL), model: "scripted/scripted-model", stepSnapshots: options.snapshot === true, ...tools.config },
      env: sandbox.env,
      logger: silentLogger,
      reports: tools.reports,
    });
    const store = options.checkpoints ? checkpointsOf(sandbox.workspace) : undefined;
    await rawMission({ engine, model, workspace: sandbox.workspace }, "warm-up", [], options.latencyMs);
    await store?.checkpoint("warm-up");
    const started = engine;
    return {
      sandbox,
      engine,
      store,
      stop: async () => {
        await started.stop();
        await tools.close();
        sandbox.remove();
      },
    };
  } catch (error) {
    await engine?.stop();
    await tools.close();
    sandbox.remove();
    throw error;
  }
}

/**
 * A committed repository of `files` modules in a temp folder, for `body` to copy from, with port
 * 4096 held meanwhile; removed afterwards. `opencode serve --port 0` listens on 4096 when it is
 * free, so server after server would share one origin, and a keep-alive socket that Node's fetch
 * pooled for the last one was seen to be reset on the next one's first request. Holding 4096 here
 * gives each server a port of its own.
 */
export async function withRepoTemplate<T>(files: number, prefix: string, body: (template: string) => Promise<T>): Promise<T> {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const holder = await holdPort(4096);
  try {
    const template = join(root, "repo");
    generateRepo(template, files);
    return await body(template);
  } finally {
    await new Promise((resolve) => (holder ? holder.close(resolve) : resolve(undefined)));
    rmSync(root, { recursive: true, force: true });
  }
}

async function oneRun(side: Side, template: string, model: ScriptedModel, run: number, todos: number, latencyMs: number, maxParallelSessions: number, engine: EngineName): Promise<WideSample> {
  const server = await startWideServer(template, model, { prefix: `bench-wide-${side}-`, snapshot: side === "raw", checkpoints: side === "product", latencyMs, engine });
  try {
    const { engine, store, sandbox } = server;
    let asked = 0;
    const counted: Checkpoints | undefined = store && { checkpoint: (label) => (asked++, store.checkpoint(label)), diff: (from, to, paths) => store.diff(from, to, paths) };
    const t: MissionTarget = { engine, model, workspace: sandbox.workspace, checkpoints: counted };
    const plan = widePlan(todos);
    const pid = engine.server?.pid;
    const cpuBefore = pid ? groupCpuSeconds(pid) : undefined;
    const firstRequest = model.requests.length;
    let makespanMs: number;
    if (side === "product") {
      const result = await orchestratorMission(t, `wide run ${run}`, plan, latencyMs, maxParallelSessions);
      if (result.status !== "sealed" || result.errors.length) throw new Error(`wide mission did not seal cleanly: ${result.status} ${result.errors.join("; ")}`);
      makespanMs = result.ms;
    } else {
      makespanMs = await rawMission(t, `wide run ${run}`, plan, latencyMs);
    }
    const cpuAfter = pid ? groupCpuSeconds(pid) : undefined;
    const written = plan.filter((p) => existsSync(join(sandbox.workspace, p.files[0] as string))).length;
    if (written !== todos) throw new Error(`${side} run ${run}: ${written}/${todos} files written`);
    const sample: WideSample = { makespanMs, peakWorkers: peakConcurrent(model.requests.slice(firstRequest), "worker") };
    if (cpuBefore !== undefined && cpuAfter !== undefined) sample.cpuS = cpuAfter - cpuBefore;
    if (store) sample.checkpoints = asked;
    return sample;
  } finally {
    await server.stop();
  }
}

const summarize = (samples: WideSample[]): WideSide => {
  const cpu = samples.map((s) => s.cpuS).filter((c): c is number => c !== undefined);
  const asked = samples.map((s) => s.checkpoints).filter((c): c is number => c !== undefined);
  return { makespanMs: median(samples.map((s) => s.makespanMs)), peakWorkers: median(samples.map((s) => s.peakWorkers)), cpuS: cpu.length === samples.length ? median(cpu) : undefined, checkpoints: asked.length ? median(asked) : undefined, samples };
};

export async function wideMission(model: ScriptedModel, options: { files?: number; todos?: number; runs: number; latencyMs: number; maxParallelSessions?: number; engine: EngineName; log?: (line: string) => void }): Promise<WideResult> {
  const files = options.files ?? 3_000;
  const todos = options.todos ?? 30;
  const maxParallelSessions = options.maxParallelSessions ?? 50;
  return withRepoTemplate(files, "bench-wide-repo-", async (template) => {
    const samples: Record<Side, WideSample[]> = { product: [], raw: [] };
    for (let r = 0; r < options.runs; r++) {
      // Alternate which goes first, so neither always meets the machine in the same state.
      const order: Side[] = r % 2 === 0 ? ["product", "raw"] : ["raw", "product"];
      for (const side of order) {
        const s = await oneRun(side, template, model, r, todos, options.latencyMs, maxParallelSessions, options.engine);
        options.log?.(`  run ${r + 1} ${side}: ${(s.makespanMs / 1000).toFixed(2)} s, peak ${s.peakWorkers} Worker requests, server ${s.cpuS?.toFixed(1) ?? "?"} CPU-s`);
        samples[side].push(s);
      }
    }
    const product = summarize(samples.product);
    const raw = summarize(samples.raw);
    return { files, todos, latencyMs: options.latencyMs, maxParallelSessions, runs: options.runs, product, raw, ratio: product.makespanMs / raw.makespanMs };
  });
}

/** Listens on 127.0.0.1:`port` if it is free (undefined when it is not: then it is not OpenCode's anyway). */
export function holdPort(port: number): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const server = createServer((socket) => socket.destroy());
    server.once("error", () => resolve(undefined));
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}
