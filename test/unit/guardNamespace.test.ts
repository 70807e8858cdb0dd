/**
 * What a program sees inside the guard's PID namespace, and what it keeps: the user's own ids and
 * files, its exit status, its output as it comes, git and node; only its own processes, under pids
 * that are not the namespace's first few; and the stop order of a job's leftovers (SIGTERM first,
 * SIGKILL after the grace period). Run as root, the user namespace is tried as `nobody`, whom no
 * CAP_SYS_ADMIN spares it.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { BackgroundJobManager } from "../../src/orchestrator/background/jobManager";
import { containment, guardedCommand } from "../../src/orchestrator/process/guard";
import { processesWithArgument, sleepMarker, until } from "../support/processes";

const workspace = mkdtempSync(join(tmpdir(), "guard-ns-"));
const markers: string[] = [];
after(() => {
  for (const pid of markers.flatMap(processesWithArgument)) process.kill(pid, "SIGKILL");
  rmSync(workspace, { recursive: true, force: true });
});
const marker = () => {
  const m = sleepMarker();
  markers.push(m);
  return m;
};
const ns = { skip: process.platform !== "linux" && "Linux only" };
const lines = (text: string) => Object.fromEntries(text.split("\n").filter((l) => l.includes("=")).map((l) => l.split("=", 2) as [string, string]));

test("a job in the guard's namespace keeps the user's ids, its files, its exit status and its streamed output; it sees only its own processes", ns, async () => {
  assert.equal(await containment(), "namespace");
  const jobs = new BackgroundJobManager({ workspace });
  const job = jobs.start(`echo uid=$(id -u) gid=$(id -g); echo data > owned.txt; echo processes=$(ls /proc | grep -c '^[0-9]*$') pid=$$; until [ -e go ]; do sleep 0.02; done; echo second; exit 3`);
  await until(() => job.output.read().includes("pid="));
  assert.ok(!job.output.read().includes("second"), "the first lines came while the job still ran");
  writeFileSync(join(workspace, "go"), "");
  await until(() => job.endedAt !== undefined);
  const out = job.output.read();
  const seen = { ...lines(out.replace(/ /g, "\n")) };
  assert.deepEqual({ status: job.status, code: job.exitCode }, { status: "exited", code: 3 });
  assert.deepEqual([seen.uid, seen.gid], [String(process.getuid?.()), String(process.getgid?.())]);
  assert.equal(statSync(join(workspace, "owned.txt")).uid, process.getuid?.(), "what it writes is the user's");
  assert.ok(Number(seen.processes) <= 6, `it sees only its own processes (${seen.processes}), not the machine's`);
  assert.ok(Number(seen.pid) > 900, `its pids (${seen.pid}) are not the namespace's first few, which every namespace would share`);
  assert.match(out, /second\n$/);
  await jobs.dispose();
});

test("without CAP_SYS_ADMIN (as nobody), a user namespace maps the user's own ids: files, git, node and the exit status are as outside", { skip: ns.skip || (process.getuid?.() !== 0 && "needs root to become nobody") }, async () => {
  chmodSync(workspace, 0o711);
  const dir = mkdtempSync(join(workspace, "nobody-"));
  chmodSync(dir, 0o777);
  const escaped = marker();
  const script = [`setsid sleep ${escaped} &`, "echo uid=$(id -u)", "echo map=$(tr -s ' ' _ < /proc/self/uid_map)", "echo data > owned.txt", "git init -q . && echo git=$(git rev-parse --is-inside-work-tree)", `echo node=$(${JSON.stringify(process.execPath)} -e 'process.stdout.write(String(process.getuid()))')`, "exit 5"].join("\n");
  const guard = guardedCommand("/bin/sh", ["-c", script]);
  const child = spawn(guard.command, guard.args, { cwd: dir, uid: 65534, gid: 65534, env: { PATH: process.env.PATH, HOME: dir }, stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  const seen = lines(out);
  assert.equal(code, 5, out);
  assert.deepEqual({ uid: seen.uid, map: seen.map, git: seen.git, node: seen.node }, { uid: "65534", map: "_65534_65534_1", git: "true", node: "65534" }, out);
  assert.equal(statSync(join(dir, "owned.txt")).uid, 65534);
  assert.deepEqual(processesWithArgument(escaped), [], "its setsid child ended with it");
});

test("the guard's environment (a server's holds its password) is closed to what the program starts, as the user's own process", { skip: ns.skip || (process.getuid?.() !== 0 && "needs root to become nobody") }, async () => {
  chmodSync(workspace, 0o711);
  const dir = mkdtempSync(join(workspace, "nobody-env-"));
  chmodSync(dir, 0o777);
  // Without a namespace of ours (as a sandboxed job, or where none can be made) the guard is the
  // program's parent, visible to what it starts: that reads its /proc/<pid>/environ.
  const script = 'tr "\\0" "\\n" < /proc/$PPID/environ 2>&1; exit 0';
  const guard = guardedCommand("/bin/sh", ["-c", script], { namespace: false });
  const child = spawn(guard.command, guard.args, { cwd: dir, uid: 65534, gid: 65534, env: { PATH: process.env.PATH, HOME: dir, OPENCODE_SERVER_PASSWORD: "guard-env-secret-0123456789" }, stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (out += chunk.toString()));
  assert.equal(await new Promise<number | null>((resolve) => child.on("close", resolve)), 0, out);
  assert.doesNotMatch(out, /guard-env-secret/, out);
  assert.match(out, /Permission denied/, out);
});

test("what a job left running is sent SIGTERM first, then SIGKILL after the grace period", ns, async () => {
  const jobs = new BackgroundJobManager({ workspace });
  const [polite, stubborn] = [marker(), marker()];
  // One ends on SIGTERM (and says so), one ignores it and is SIGKILLed.
  const job = jobs.start(`setsid sh -c 'trap "echo term > got-term; exit 0" TERM; echo > ready-1; sleep ${polite} & wait' & setsid sh -c 'trap "" TERM; echo > ready-2; exec sleep ${stubborn}' & until [ -e ready-1 ] && [ -e ready-2 ]; do sleep 0.02; done`);
  await until(() => job.endedAt !== undefined);
  assert.equal(job.status, "exited");
  assert.ok(existsSync(join(workspace, "got-term")), "SIGTERM came first");
  assert.deepEqual([...processesWithArgument(polite), ...processesWithArgument(stubborn)], [], "and nothing is left");
  await jobs.dispose();
});

test("killing a job sends SIGTERM to its whole tree first, also to what left its group", ns, async () => {
  const jobs = new BackgroundJobManager({ workspace });
  const job = jobs.start(`setsid sh -c 'trap "echo term > stopped-term; exit 0" TERM; echo > ready-stop; while :; do sleep 0.05; done' & until [ -e ready-stop ]; do sleep 0.02; done; echo started; sleep ${marker()}`);
  await until(() => job.output.read().includes("started"));
  await jobs.kill(job.id);
  await until(() => job.endedAt !== undefined);
  assert.equal(job.status, "killed");
  assert.equal(readFileSync(join(workspace, "stopped-term"), "utf8"), "term\n");
  await jobs.dispose();
});
