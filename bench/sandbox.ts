/**
 * What the opt-in sandbox (orchestrator.sandbox = "bubblewrap", src/orchestrator/process/agentShell.ts)
 * costs per command: short commands run through the agent shell as OpenCode's bash tool and the
 * background jobs run them (`$SHELL -c <command>`, SHELL being the agent shell's script), with the
 * sandbox "off" and "bubblewrap", paired and alternating which goes first. Where bwrap is not
 * installed (or cannot run here), nothing is measured and the result says why.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { createAgentShell, findBubblewrap, innerShell, type AgentShell, type SandboxMode } from "../src/orchestrator/process/agentShell";
import { withoutSecrets } from "../src/orchestrator/process/secrets";
import { median, percentile } from "./stats";

export interface SandboxCommandRow {
  /** What the row measures, for the report. */
  label: string;
  /** The command as run (`{i}` is the sample's number). */
  command: string;
  off: { medianMs: number; meanMs: number; p90Ms: number };
  bubblewrap: { medianMs: number; meanMs: number; p90Ms: number };
  /** bubblewrap / off, of the medians. */
  ratio: number;
  /** bubblewrap − off, of the medians (ms a command). */
  addedMs: number;
  /** Each round's medians: how much the figure moved while the machine's other work came and went. */
  rounds: Array<{ offMs: number; bubblewrapMs: number }>;
}

export type SandboxResult =
  | { measured: false; reason: string }
  | {
      measured: true;
      /** Commands per mode, per command kind and per round. */
      n: number;
      rounds: number;
      bwrap: string;
      /** The shell the agent shell execs (the user's SHELL where OpenCode would use it). */
      innerShell: string;
      /** The machine's 1-minute load average when the measurement began. */
      load: number;
      rows: SandboxCommandRow[];
    };

const COMMANDS = [
  { label: "`true`", command: "true" },
  { label: "write a file in the workspace", command: "printf 'sample {i}\\n' > out/{mode}-{i}.txt" },
];

/** Runs `command` through the agent shell in `cwd`, as OpenCode's bash tool does; the wall time from spawn to exit, in ms. */
function timeCommand(shell: AgentShell, command: string, cwd: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(shell.path, ["-c", command], { cwd, env: withoutSecrets(process.env), stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.once("error", reject);
    child.once("close", (code) => {
      const ms = performance.now() - started;
      if (code === 0) resolve(ms);
      else reject(new Error(`\`${command}\` through the ${shell.sandbox} agent shell exited ${code}: ${stderr.trim()}`));
    });
  });
}

const summary = (samples: number[]) => ({ medianMs: median(samples), meanMs: samples.reduce((a, b) => a + b, 0) / samples.length, p90Ms: percentile(samples, 90) });

export async function sandboxCost(options: { n: number; rounds: number; log?: (line: string) => void }): Promise<SandboxResult> {
  const bwrap = findBubblewrap();
  if (!bwrap) return { measured: false, reason: "bwrap not installed" };
  const root = mkdtempSync(join(tmpdir(), "bench-sandbox-"));
  const workspace = join(root, "workspace");
  mkdirSync(join(workspace, "out"), { recursive: true });
  const shells: Partial<Record<SandboxMode, AgentShell>> = {};
  try {
    const userShell = process.env.SHELL;
    shells.off = createAgentShell({ workspace, sandbox: "off", userShell });
    shells.bubblewrap = createAgentShell({ workspace, sandbox: "bubblewrap", userShell, bwrap });
    const modes: SandboxMode[] = ["off", "bubblewrap"];
    const run = (mode: SandboxMode, command: string, i: number | string) => timeCommand(shells[mode] as AgentShell, command.replace(/\{i\}/g, String(i)).replace(/\{mode\}/g, mode), workspace);
    // Warm-up, not measured (and a check that bwrap can run here at all: user namespaces may be off).
    try {
      for (let i = 0; i < 10; i++) for (const mode of modes) for (const c of COMMANDS) await run(mode, c.command, `warm${i}`);
    } catch (error) {
      return { measured: false, reason: `bwrap cannot run here: ${(error as Error).message}` };
    }
    const load = loadavg()[0] ?? 0;
    // samples[command][mode][round]: the kinds and the modes interleaved, so that both meet the machine's other work alike.
    const samples = COMMANDS.map(() => ({ off: [] as number[][], bubblewrap: [] as number[][] }));
    for (let r = 0; r < options.rounds; r++) {
      for (const cell of samples) for (const mode of modes) cell[mode].push([]);
      for (let i = 0; i < options.n; i++) {
        // Paired, alternating which mode goes first (and which command).
        const kinds = i % 2 === 0 ? COMMANDS.map((_, k) => k) : COMMANDS.map((_, k) => COMMANDS.length - 1 - k);
        for (const k of kinds) {
          const c = COMMANDS[k] as (typeof COMMANDS)[number];
          for (const mode of (i + r) % 2 === 0 ? modes : [...modes].reverse()) samples[k]?.[mode][r]?.push(await run(mode, c.command, `${r}-${i}`));
        }
      }
    }
    // The sandboxed write must land in the workspace, as the unsandboxed one does.
    const missing = modes.flatMap((mode) => Array.from({ length: options.rounds * options.n }, (_, j) => join(workspace, "out", `${mode}-${Math.floor(j / options.n)}-${j % options.n}.txt`))).filter((f) => !existsSync(f));
    if (missing.length) throw new Error(`${missing.length} files the commands wrote are not in the workspace (first: ${missing[0]})`);
    const rows: SandboxCommandRow[] = COMMANDS.map((c, k) => {
      const cell = samples[k] as { off: number[][]; bubblewrap: number[][] };
      const off = summary(cell.off.flat());
      const sandboxed = summary(cell.bubblewrap.flat());
      const rounds = cell.off.map((o, r) => ({ offMs: median(o), bubblewrapMs: median(cell.bubblewrap[r] ?? []) }));
      options.log?.(`  ${c.label}: ${off.medianMs.toFixed(2)} ms off, ${sandboxed.medianMs.toFixed(2)} ms bubblewrap (medians of ${options.rounds} × ${options.n}; rounds: ${rounds.map((x) => `${x.offMs.toFixed(1)}/${x.bubblewrapMs.toFixed(1)}`).join(", ")} ms)`);
      return { label: c.label, command: c.command, off, bubblewrap: sandboxed, ratio: sandboxed.medianMs / off.medianMs, addedMs: sandboxed.medianMs - off.medianMs, rounds };
    });
    return { measured: true, n: options.n, rounds: options.rounds, bwrap, innerShell: innerShell(userShell), load, rows };
  } finally {
    shells.off?.dispose();
    shells.bubblewrap?.dispose();
    rmSync(root, { recursive: true, force: true });
  }
}
