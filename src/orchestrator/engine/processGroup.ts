/**
 * Processes we start run in their own process group, under a guard that ends the group if we die,
 * and are stopped by group: one kill ends a server or a job with everything it started.
 *
 * A process group is not a cage: a descendant that calls `setsid` (or `setpgid`) leaves the group,
 * and once its parent exits it is re-parented to init — out of reach of a group kill. So on Linux
 * the guard is a small Perl program that makes itself a *child subreaper* (prctl
 * PR_SET_CHILD_SUBREAPER, which Node cannot call): every orphan among its descendants comes back
 * to it instead of init, it reaps them, and it exits only once none is left — when the program
 * ends, when we stop it, or when we die. Without Perl (or off Linux) the POSIX shell guard below
 * is used, and stopping walks /proc for descendants that left the group but still have a parent.
 */
import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { delimiter, join } from "node:path";

/**
 * A tiny POSIX shell guard that holds the read end of a pipe from us and runs "$@".
 * If our process dies in a way that runs no handler (SIGKILL, an editor shutting its extension host
 * down hard), the pipe reaches EOF and the guard kills the whole group: nothing is orphaned. When the
 * program exits by itself the guard exits with its status. The program's stdout and stderr are ours.
 */
const SHELL_GUARD = [
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

/**
 * The subreaper guard (Perl: on every Linux that has a shell toolbox, and able to make the system
 * call). Arguments: the prctl syscall number (0: unknown, no subreaper), then the program and its
 * arguments. Its stdin is the lifeline from us; the program gets /dev/null. It leaves only when no
 * descendant is left: after the program exits, what it left running is sent SIGTERM, then SIGKILL
 * after a grace period; a SIGTERM to the guard is passed to every descendant (also those that left
 * the group); EOF on the lifeline (we died) is SIGKILL to all. Exits with the program's status
 * (128 + signal, as a shell does).
 */
const PERL_GUARD = String.raw`
# Warnings by -w; no module at all (strict, POSIX, Errno through %!): each is a file to read and
# compile at every start, ~1 ms of a guard's ~3 ms. WNOHANG is 1 and EINTR 4 on every Linux.
my $nr = shift @ARGV;
syscall($nr, 36, 1, 0, 0, 0) if $nr;  # PR_SET_CHILD_SUBREAPER: orphans below us come back to us
sub tree {
  my %kids; opendir(my $d, '/proc') or return ();
  for my $p (grep { /^\d+$/ } readdir $d) {
    open(my $f, '<', "/proc/$p/stat") or next; my $s = <$f>; close $f; next unless defined $s;
    my @x = split / /, substr($s, rindex($s, ')') + 2);
    push @{$kids{$x[1]}}, $p unless $x[0] eq 'Z' || $x[0] eq 'X';
  }
  closedir $d;
  my @out; my @todo = ($$);
  while (@todo) { my $p = shift @todo; for my $k (@{$kids{$p} || []}) { push @out, $k; push @todo, $k; } }
  return @out;
}
sub reap { my $k; while (($k = waitpid(-1, 1)) > 0) { $main::status = $? if $k == $main::program; } return $k; }  # -1: no child left
sub pause_for { select(undef, undef, undef, $_[0]); }
sub sweep {  # everything below us is gone when we return (the dead are reaped at the end)
  return if reap() < 0;  # no child: no descendant either (orphans come back to us), no /proc scan needed
  my @left = tree();
  kill 'TERM', @left if @left;
  for (1 .. 20) { reap(); last unless tree(); pause_for(0.025); }
  for (1 .. 400) { my @t = tree(); last unless @t; kill 'KILL', @t; reap(); pause_for(0.005); }
  1 while waitpid(-1, 0) > 0;
}
our ($program, $status, $term) = (0, undef, 0);
$SIG{CHLD} = sub {};
$SIG{TERM} = sub { $term = 1 };
$program = fork();
die "fork: $!" unless defined $program;
if ($program == 0) { $SIG{TERM} = 'DEFAULT'; open(STDIN, '<', '/dev/null'); exec { $ARGV[0] } @ARGV; exit 127; }
# A SIGCHLD that lands between reap and select does not wake select: the first waits are short, so a
# quick program is not held up to half a second (a check of a few ms would be, about one time in 50).
my $wait = 0.005;
for (;;) {
  reap();
  last if defined $status;
  if ($term) { $term = 0; my @t = tree(); kill 'TERM', @t if @t; }
  my $rin = ''; vec($rin, fileno(STDIN), 1) = 1;
  if (select(my $rout = $rin, undef, undef, $wait) > 0) {
    my $n = sysread(STDIN, my $buf, 64);
    next if !defined $n && $! == 4;  # EINTR
    if (!$n) { for (1 .. 50) { my @t = tree(); last unless @t; kill 'KILL', @t; reap(); } exit 137; }  # we died
  }
  $wait = 0.5 if ($wait *= 2) > 0.5;
}
sweep();
exit(($status & 127) ? 128 + ($status & 127) : $status >> 8);
`;

/** prctl's system call number per architecture (Node's process.arch); elsewhere the guard kills what it finds. */
const PRCTL: Partial<Record<string, number>> = { x64: 157, arm64: 167, ia32: 172, arm: 172, riscv64: 167, loong64: 167, ppc64: 171, s390x: 172 };

let perlPath: string | null | undefined;

/** Perl, where the subreaper guard can run: Linux with perl on PATH (or in /usr/bin). */
function perl(): string | undefined {
  if (perlPath === undefined) {
    const dirs = [...(process.env.PATH ?? "").split(delimiter).filter(Boolean), "/usr/bin", "/bin"];
    perlPath = process.platform === "linux" ? (dirs.map((d) => join(d, "perl")).find((p) => existsSync(p)) ?? null) : null;
  }
  return perlPath ?? undefined;
}

/** Which guard `spawnGuarded` uses here: "subreaper" (every descendant is caught) or "group" (the shell guard). */
export function guardKind(): "subreaper" | "group" {
  return perl() && PRCTL[process.arch] ? "subreaper" : "group";
}

/** The command line that runs `program` under the guard. Start it detached (its own group), stdin a pipe we never write to: the guard's lifeline. */
export function guardedCommand(program: string, args: readonly string[]): { command: string; args: string[] } {
  const withPerl = perl();
  return withPerl ? { command: withPerl, args: ["-w", "-e", PERL_GUARD, String(PRCTL[process.arch] ?? 0), program, ...args] } : { command: "/bin/sh", args: ["-c", SHELL_GUARD, "orchestrator-guard", program, ...args] };
}

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

/** `sig` to the group and to every descendant of its leader outside it (those that called setsid). */
function signalTree(pgid: number, sig: NodeJS.Signals): void {
  for (const pid of liveDescendants(pgid)) if (procStat(pid)?.pgrp !== pgid) signal(pid, sig);
  signal(-pgid, sig);
}

/** SIGKILL to the whole tree, now, synchronously: the descendants first (while the guard still holds them), then the group. */
export function killTreeNow(pgid: number): void {
  if (pgid <= 1) return;
  for (let i = 0; i < 5; i++) {
    const left = liveDescendants(pgid);
    if (!left.length) break;
    for (const pid of left) signal(pid, "SIGKILL");
  }
  signal(-pgid, "SIGKILL");
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * SIGTERM to the group (and to descendants that left it), a grace period, then SIGKILL to all of
 * them: a busy server can outlive SIGTERM (ENVIRONMENT.md). Under the subreaper guard the group
 * lives until every descendant is gone, so "the group is dead" means the tree is.
 */
export async function stopProcessGroup(pgid: number, graceMs = 3000): Promise<void> {
  if (!isGroupAlive(pgid)) return;
  signalTree(pgid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isGroupAlive(pgid)) return;
    await sleep(50);
  }
  killTreeNow(pgid);
  for (let i = 0; i < 40 && isGroupAlive(pgid); i++) await sleep(25);
}
