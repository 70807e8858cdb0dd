/** Finding and ending the processes a test started, by pid and process group, never by name. */
import type { ChildProcess } from "node:child_process";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { livePidsInGroup } from "../../src/orchestrator/process/processGroup";

function procEntries(): number[] {
  return readdirSync("/proc").filter((e) => /^\d+$/.test(e)).map(Number);
}

/** The parent of a process, from /proc; undefined once it is gone. */
export function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  }
}

/** Live processes whose process group is `pgid` (zombies left unreaped by a container's init are dead). */
export function processesInGroup(pgid: number): number[] {
  return livePidsInGroup(pgid) ?? [];
}

/** Processes running in `dir` (their cwd): what a sandboxed server started there left behind. */
export function processesWithCwd(dir: string): number[] {
  return procEntries().filter((pid) => {
    try {
      return readlinkSync(`/proc/${pid}/cwd`) === dir;
    } catch {
      return false;
    }
  });
}

/**
 * Live processes whose command line holds `marker`, a word only the calling test put there (say, the
 * duration of a `sleep`): how a test finds what it started inside a PID namespace, where the pids a
 * process sees for itself are not ours.
 */
export function processesWithArgument(marker: string): number[] {
  return procEntries().filter((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      if (/^[ZX]/.test(stat.slice(stat.lastIndexOf(")") + 2))) return false;
      return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").includes(marker);
    } catch {
      return false;
    }
  });
}

/** A duration for `sleep` that no other process has: its marker (see processesWithArgument). */
export function sleepMarker(): string {
  return `${900 + Math.floor(Math.random() * 99)}.${process.pid}${Math.floor(Math.random() * 1e6)}`;
}

export function killGroup(pgid: number, signal: NodeJS.Signals = "SIGKILL"): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // gone already
  }
}

/** The command line of a process, for messages about processes that should not be there. */
/**
 * The OpenCode servers running in `dir`, described: either engine's binary (`opencode serve`, or
 * `opencode.exe serve` as both npm packages name the binary they start).
 */
export function opencodeServersIn(dir: string): string[] {
  return processesWithCwd(dir).map(describeProcess).filter((cmd) => /\bopencode(\.exe)? serve\b/.test(cmd));
}

export function describeProcess(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
  } catch {
    return "(gone)";
  }
}

export interface FollowedOutput {
  /** Everything the child printed to stdout so far. */
  output(): string;
  /** The first match of `pattern` in the output; rejects if the child exits before printing it. */
  waitFor(pattern: RegExp): Promise<RegExpExecArray>;
  /** Resolves when the child has exited. */
  exited: Promise<void>;
}

/** Follows a child process's stdout, for tests that act when it reaches a point (then kill it). */
export function followOutput(child: ChildProcess, name = "the child process"): FollowedOutput {
  let out = "";
  const waiters = new Set<{ pattern: RegExp; resolve: (m: RegExpExecArray) => void }>();
  const check = () => {
    for (const w of waiters) {
      const match = w.pattern.exec(out);
      if (match) {
        waiters.delete(w);
        w.resolve(match);
      }
    }
  };
  child.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
    check();
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    output: () => out,
    exited,
    waitFor: (pattern) =>
      new Promise((resolve, reject) => {
        waiters.add({ pattern, resolve });
        check();
        void exited.then(() => reject(new Error(`${name} ended early:\n${out}`)));
      }),
  };
}

/** Polls `condition` every 25 ms until it holds, for at most `timeoutMs` (the caller asserts what it needs). */
export async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  for (let waited = 0; waited < timeoutMs && !condition(); waited += 25) await new Promise((resolve) => setTimeout(resolve, 25));
}
