/**
 * Processes we start run in their own process group, under a guard (guard.ts) that ends everything
 * they started if we die, and are stopped as a tree: one stop ends a server or a job with all of it.
 *
 * Stopping reaches what left the group too: descendants that called `setsid` (from /proc, while
 * they still have a parent among ours) and the members of the guard's cgroup where it made one
 * (also once the guard itself is gone). In a guard's PID namespace the kernel ends what is left.
 */
import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { readdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { guardCgroup, guardedCommand } from "./guard";

/** Starts `program` in a new process group under the guard, from this process; the child's pid is the group's id. */
export function spawnGuarded(program: string, args: string[], options: Omit<SpawnOptions, "detached" | "stdio">): ChildProcess {
  const guard = guardedCommand(program, args);
  const child = spawn(guard.command, guard.args, {
    ...options,
    detached: true, // its own process group
    stdio: ["pipe", "pipe", "pipe"], // stdin: the guard's lifeline to us; we never write to it
  });
  watchGuard(child);
  return child;
}

/** Ends a guard's tree when this process exits normally, from the moment its pid is known until it exits. */
export function watchGuard(child: { readonly pid?: number; once(event: "spawn" | "exit", listener: () => void): unknown }): void {
  const watch = (pid: number) => {
    guarded.add(pid);
    child.once("exit", () => guarded.delete(pid));
    if (!exitHooked) {
      exitHooked = true;
      process.once("exit", () => guarded.forEach(killTreeNow));
    }
  };
  if (child.pid !== undefined) watch(child.pid);
  else child.once("spawn", () => child.pid !== undefined && watch(child.pid));
}

/**
 * The guards still running. Our normal exit ends their trees: the descendants that left the group
 * first (a group kill in a caller's own exit hook would miss them), then the group. One hook for all.
 */
const guarded = new Set<number>();
let exitHooked = false;

interface ProcStat {
  state: string;
  ppid: number;
  pgrp: number;
}

/** State letter, parent and process group of one process, from /proc; undefined once it is gone (or without /proc). */
function procStat(pid: number): ProcStat | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (in parentheses) may hold spaces: the fields start after its last ")".
    const [state, ppid, pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { state: state as string, ppid: Number(ppid), pgrp: Number(pgrp) };
  } catch {
    return undefined;
  }
}

/** Every live process from /proc, or undefined without /proc (macOS). */
function procTable(): Map<number, ProcStat> | undefined {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return undefined;
  }
  const table = new Map<number, ProcStat>();
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = procStat(Number(entry));
    if (stat && isLive(stat)) table.set(Number(entry), stat);
  }
  return table;
}

/** Running, not a zombie (Z) or dead (X) left for a reaper. */
const isLive = (stat: ProcStat) => stat.state !== "Z" && stat.state !== "X";

/**
 * Live (not zombie) processes of a group, from /proc. Where nothing reaps orphans (a container whose
 * init does not), the dead stay as zombies and a plain `kill(-pgid, 0)` would call them alive.
 */
export function livePidsInGroup(pgid: number): number[] | undefined {
  const table = procTable();
  return table && [...table].filter(([, s]) => s.pgrp === pgid).map(([pid]) => pid);
}

/** Live descendants of `root` (children, theirs, …), whatever group or session they moved to. */
export function liveDescendants(root: number): number[] {
  const table = procTable();
  if (!table) return [];
  const children = new Map<number, number[]>();
  for (const [pid, s] of table) {
    const siblings = children.get(s.ppid);
    if (siblings) siblings.push(pid);
    else children.set(s.ppid, [pid]);
  }
  const out: number[] = [];
  for (let queue = [root]; queue.length; ) {
    for (const child of children.get(queue.shift() as number) ?? []) {
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

export function isGroupAlive(pgid: number): boolean {
  if (pgid <= 1) return false; // never signal init or "every process"
  try {
    process.kill(-pgid, 0);
  } catch {
    return false;
  }
  // Cheap first: a live group leader settles it; only without one is the whole of /proc read.
  const leader = procStat(pgid);
  if (leader && leader.pgrp === pgid && isLive(leader)) return true;
  const live = livePidsInGroup(pgid);
  return live === undefined || live.length > 0;
}

const signal = (pid: number, sig: NodeJS.Signals) => {
  try {
    process.kill(pid, sig);
  } catch {
    // gone already
  }
};

/** Live members of the cgroup the guard of this group made: none where it made none. */
function cgroupMembers(pgid: number): number[] {
  const dir = guardCgroup(pgid);
  if (!dir) return [];
  try {
    const pids = readFileSync(join(dir, "cgroup.procs"), "utf8").split("\n").filter(Boolean).map(Number);
    return pids.filter((pid) => {
      const stat = procStat(pid);
      return stat !== undefined && isLive(stat);
    });
  } catch {
    return [];
  }
}

/** Whether anything of the tree is left: its group, or its guard's cgroup (which outlives a killed guard). */
const treeAlive = (pgid: number) => isGroupAlive(pgid) || cgroupMembers(pgid).length > 0;

/** `sig` to the group, to every descendant of its leader outside it (those that called setsid), and to its guard's cgroup. */
function signalTree(pgid: number, sig: NodeJS.Signals): void {
  for (const pid of liveDescendants(pgid)) if (procStat(pid)?.pgrp !== pgid) signal(pid, sig);
  for (const pid of cgroupMembers(pgid)) signal(pid, sig);
  signal(-pgid, sig);
}

/** SIGKILL to the whole tree, now, synchronously: the descendants first (while the guard still holds them), its cgroup, then the group. */
export function killTreeNow(pgid: number): void {
  if (pgid <= 1) return;
  for (let i = 0; i < 5; i++) {
    const left = liveDescendants(pgid);
    if (!left.length) break;
    for (const pid of left) signal(pid, "SIGKILL");
  }
  const cgroup = guardCgroup(pgid);
  if (cgroup) {
    try {
      writeFileSync(join(cgroup, "cgroup.kill"), "1"); // Linux 5.14: the kernel kills every member
    } catch {
      for (const pid of cgroupMembers(pgid)) signal(pid, "SIGKILL");
    }
  }
  signal(-pgid, "SIGKILL");
}

/** Removes the guard's cgroup once it is empty (its guard removes it, unless it was killed). */
function removeCgroup(pgid: number): void {
  const cgroup = guardCgroup(pgid);
  try {
    if (cgroup) rmdirSync(cgroup);
  } catch {
    // still in use (a zombie nobody reaps), or gone meanwhile
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * SIGTERM to the group (and to descendants that left it, and its guard's cgroup), a grace period,
 * then SIGKILL to all of them: a busy server can outlive SIGTERM (ENVIRONMENT.md). A live guard
 * stays in the group until everything below it is gone, so "the group is dead" means the tree is.
 */
export async function stopProcessGroup(pgid: number, graceMs = 3000): Promise<void> {
  if (treeAlive(pgid)) {
    signalTree(pgid, "SIGTERM");
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline && treeAlive(pgid)) await sleep(50);
    if (treeAlive(pgid)) killTreeNow(pgid);
    for (let i = 0; i < 40 && treeAlive(pgid); i++) await sleep(25);
  }
  removeCgroup(pgid);
}
