/**
 * How a program runs under the guard (guard.pl) — so that nothing it starts outlives it, nor us —
 * and what the guard achieves on this machine.
 *
 * A process group is not a cage: a descendant that calls `setsid` leaves it, and once its parent
 * exits it is re-parented to init, out of reach of a group kill; a descendant that kills the guard
 * leaves the rest unguarded. So on Linux with Perl the guard puts the program, at each start, in
 * the strongest containment the kernel gives an unprivileged process (guard.pl's header says how):
 *  - a PID namespace (in a user namespace mapping the user's own ids, where we are not root with
 *    CAP_SYS_ADMIN): nothing inside can leave it, see the guard or signal it, and the kernel ends
 *    everything in it when its init ends — with the program, with the guard, or with us;
 *  - else a cgroup (v2) of its own under ours, where we may write one: ended with one write even
 *    after its guard died, but a process inside can move itself out to any cgroup we may write;
 *  - else a child subreaper (prctl PR_SET_CHILD_SUBREAPER): orphans come back to the guard while
 *    it lives.
 * Without Perl (or off Linux) the POSIX shell guard below holds the process group only.
 */
import { spawn } from "node:child_process";
import { accessSync, constants, existsSync, readFileSync, readlinkSync } from "node:fs";
import { delimiter, join } from "node:path";

/**
 * The POSIX shell guard (guard.sh, read once): a tiny script that holds the read end of a pipe from
 * us and runs "$@", ending the whole group when the pipe reaches EOF (we died). It holds the
 * process group only. The build copies it beside the bundle.
 */
let shellGuardProgram: string | undefined;
const shellGuard = () => (shellGuardProgram ??= readFileSync(join(__dirname, "guard.sh"), "utf8"));

/**
 * The Perl guard (guard.pl, read once): on every Linux that has a shell toolbox, and able to make the
 * system calls Node cannot. It puts the program in the strongest containment the machine allows (a
 * PID namespace; else a cgroup of its own; else a child subreaper) and ends everything it started
 * when it exits, when we stop it, or when we die. The build copies guard.pl beside the bundle.
 */
let guardProgram: string | undefined;
const perlGuard = () => (guardProgram ??= readFileSync(join(__dirname, "guard.pl"), "utf8"));

/**
 * System call numbers per architecture (Node's process.arch): prctl, clone, mount, pidfd_open,
 * clone3. 0 where the guard must not use one: s390x passes clone's arguments in another order, and
 * clone3's argument block is 64-bit words (a 64-bit Perl's pack).
 */
const SYSCALLS: Partial<Record<string, readonly number[]>> = {
  x64: [157, 56, 165, 434, 435],
  arm64: [167, 220, 40, 434, 435],
  riscv64: [167, 220, 40, 434, 435],
  loong64: [167, 220, 40, 434, 435],
  ppc64: [171, 120, 21, 434, 435],
  s390x: [172, 0, 21, 434, 435],
  ia32: [172, 120, 21, 434, 0],
  arm: [172, 120, 21, 434, 0],
};

let perlPath: string | null | undefined;

/** Perl, where the guard can run: Linux with perl on PATH (or in /usr/bin). */
function perl(): string | undefined {
  if (perlPath === undefined) {
    const dirs = [...(process.env.PATH ?? "").split(delimiter).filter(Boolean), "/usr/bin", "/bin"];
    perlPath = process.platform === "linux" && SYSCALLS[process.arch] ? (dirs.map((d) => join(d, "perl")).find((p) => existsSync(p)) ?? null) : null;
  }
  return perlPath ?? undefined;
}

let cgroupParentDir: string | null | undefined;

/**
 * The cgroup (v2) folder this process runs in, where we may make cgroups of our own (a systemd user
 * session delegates the user's part of the tree to the user; root may write anywhere); else undefined.
 */
export function cgroupParent(): string | undefined {
  if (cgroupParentDir === undefined) {
    cgroupParentDir = null;
    try {
      const own = /^0::(\/.*)$/m.exec(readFileSync("/proc/self/cgroup", "utf8"))?.[1];
      // The cgroup2 mount: its fifth field is where it is mounted, the ninth (after " - ") its type.
      const mount = readFileSync("/proc/self/mountinfo", "utf8").split("\n").map((line) => line.split(" ")).find((f) => f[f.indexOf("-") + 1] === "cgroup2" && f[3] === "/")?.[4];
      if (own !== undefined && mount) {
        const dir = join(mount, own);
        accessSync(join(dir, "cgroup.procs"), constants.W_OK);
        accessSync(dir, constants.W_OK);
        cgroupParentDir = dir;
      }
    } catch {
      // no cgroup v2 here, or not ours to write
    }
  }
  return cgroupParentDir ?? undefined;
}

/** The cgroup the guard with this pid made for its program, if it made one (and still exists). */
export function guardCgroup(pid: number): string | undefined {
  const parent = cgroupParent();
  const dir = parent && join(parent, `orchestrator-${pid}`);
  return dir && existsSync(dir) ? dir : undefined;
}

export interface GuardOptions {
  /** A PID namespace for the program (default true); false where it makes its own (bubblewrap's --unshare-pid). */
  namespace?: boolean;
}

/** The command line that runs `program` under the guard. Start it detached (its own group), stdin a pipe we never write to: the guard's lifeline. */
export function guardedCommand(program: string, args: readonly string[], options: GuardOptions = {}): { command: string; args: string[] } {
  const withPerl = perl();
  if (!withPerl) return { command: "/bin/sh", args: ["-c", shellGuard(), "orchestrator-guard", program, ...args] };
  const calls = [...(SYSCALLS[process.arch] ?? [])];
  if (options.namespace === false) calls[1] = 0;
  return { command: withPerl, args: ["-w", "-e", perlGuard(), calls.join(","), cgroupParent() ?? "", program, ...args] };
}

/**
 * What a guard achieves: "namespace" (nothing inside can escape; the kernel ends it all), "cgroup"
 * (ended from outside even without its guard, unless a process moved itself out), "subreaper" (a
 * descendant that leaves the group is caught while the guard lives), "group" (the shell guard: the
 * process group only).
 */
export type Containment = "namespace" | "cgroup" | "subreaper" | "group";

let probed: Promise<Containment> | undefined;

/** What the guard achieves here, found once by running it (a shell that says where it runs). */
export function containment(): Promise<Containment> {
  probed ??= new Promise<Containment>((resolve) => {
    if (!perl()) return resolve("group");
    const guard = guardedCommand("/bin/sh", ["-c", "readlink /proc/self/ns/pid; grep '^0::' /proc/self/cgroup"]);
    const child = spawn(guard.command, guard.args, { stdio: ["pipe", "pipe", "ignore"] });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    // Never left waiting: the least it can be, if it does not answer.
    const silent = setTimeout(() => (child.kill("SIGKILL"), resolve("subreaper")), 10_000);
    silent.unref();
    child.on("error", () => resolve("subreaper"));
    child.on("close", () => {
      clearTimeout(silent);
      child.stdin.destroy();
      const [pidNamespace, cgroup] = out.split("\n");
      const ours = (read: () => string | undefined) => {
        try {
          return read();
        } catch {
          return undefined;
        }
      };
      if (pidNamespace && pidNamespace !== ours(() => readlinkSync("/proc/self/ns/pid"))) resolve("namespace");
      else if (cgroup && cgroup !== ours(() => /^0::.*$/m.exec(readFileSync("/proc/self/cgroup", "utf8"))?.[0])) resolve("cgroup");
      else resolve("subreaper");
    });
  });
  return probed;
}

/** What contained the tree of a guard (by its pid) that has died: its cgroup if it made one, else what guards achieve here. */
export async function containmentOf(pid: number, options: GuardOptions = {}): Promise<Containment> {
  if (guardCgroup(pid)) return "cgroup";
  if (options.namespace === false) return "namespace"; // the program's own (bubblewrap dies with its parent, the guard)
  const here = await containment();
  return here === "cgroup" ? "subreaper" : here; // a cgroup it did not make holds nothing
}
