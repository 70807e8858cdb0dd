/**
 * Processes we start run in their own process group, under a guard that ends the group if we die,
 * and are stopped by group: one kill ends a server or a job with everything it started.
 */
import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/**
 * A tiny POSIX shell guard that holds the read end of a pipe from us and runs "$@".
 * If our process dies in a way that runs no handler (SIGKILL, an editor shutting its extension host
 * down hard), the pipe reaches EOF and the guard kills the whole group: nothing is orphaned. When the
 * program exits by itself the guard exits with its status. The program's stdout and stderr are ours.
 */
const GUARD_SCRIPT = [
  "exec 3<&0",
  '"$@" </dev/null 3<&- &',
  "program=$!",
  "{ read -r _ <&3; kill -KILL 0; } &",
  "guard=$!",
  'wait "$program"',
  "code=$?",
  'kill "$guard" 2>/dev/null',
  'exit "$code"',
].join("\n");

/** Starts `program` in a new process group under the guard; the child's pid is the group's id. */
export function spawnGuarded(program: string, args: string[], options: Omit<SpawnOptions, "detached" | "stdio">): ChildProcess {
  return spawn("/bin/sh", ["-c", GUARD_SCRIPT, "orchestrator-guard", program, ...args], {
    ...options,
    detached: true, // its own process group
    stdio: ["pipe", "pipe", "pipe"], // stdin: the guard's lifeline to us; we never write to it
  });
}

/**
 * Live (not zombie) processes of a group, from /proc. Where nothing reaps orphans (a container whose
 * init does not), the dead stay as zombies and a plain `kill(-pgid, 0)` would call them alive.
 */
export function livePidsInGroup(pgid: number): number[] | undefined {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return undefined; // no /proc (macOS): the caller falls back to kill(-pgid, 0)
  }
  return entries.filter((entry) => /^\d+$/.test(entry) && isLiveIn(procStat(Number(entry)), pgid)).map(Number);
}

/** State letter and process group of one process, from /proc; undefined once it is gone (or without /proc). */
function procStat(pid: number): { state: string; pgrp: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (in parentheses) may hold spaces: the fields start after its last ")".
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { state: state as string, pgrp: Number(pgrp) };
  } catch {
    return undefined;
  }
}

/** Running in that group, not a zombie (Z) or dead (X) left for a reaper. */
const isLiveIn = (stat: { state: string; pgrp: number } | undefined, pgid: number) => stat !== undefined && stat.pgrp === pgid && stat.state !== "Z" && stat.state !== "X";

export function isGroupAlive(pgid: number): boolean {
  if (pgid <= 1) return false; // never signal init or "every process"
  try {
    process.kill(-pgid, 0);
  } catch {
    return false;
  }
  // Cheap first: a live group leader settles it; only without one is the whole of /proc read.
  if (isLiveIn(procStat(pgid), pgid)) return true;
  const live = livePidsInGroup(pgid);
  return live === undefined || live.length > 0;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** SIGTERM to the group, a grace period, then SIGKILL: a busy server can outlive SIGTERM (ENVIRONMENT.md). */
export async function stopProcessGroup(pgid: number, graceMs = 3000): Promise<void> {
  if (!isGroupAlive(pgid)) return;
  try {
    process.kill(-pgid, "SIGTERM");
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isGroupAlive(pgid)) return;
    await sleep(50);
  }
  try {
    process.kill(-pgid, "SIGKILL");
  } catch {
    return;
  }
  for (let i = 0; i < 40 && isGroupAlive(pgid); i++) await sleep(25);
}
