/**
 * Nothing we start outlives us, and nothing it starts can make it so: a job's (or a server's) child
 * that calls `setsid` is ended when the job's command exits, when the job is killed, and when the
 * process that started it is SIGKILLed; a job that kills its guard, or a guard stopped before its
 * owner dies, leaves nothing running either, and a job whose guard was killed says so.
 *
 * What a test starts is found by a marker in its command line (a `sleep` of a duration no other
 * process has): inside the guard's PID namespace the pids a process sees for itself are not ours.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { BackgroundJobManager, type BackgroundJob } from "../../src/orchestrator/background/jobManager";
import { cgroupParent, containment } from "../../src/orchestrator/process/guard";
import { spawnGuarded, stopProcessGroup } from "../../src/orchestrator/process/processGroup";
import { followOutput, processesWithArgument, sleepMarker, until as untilHolds } from "../support/processes";

const workspace = mkdtempSync(join(tmpdir(), "orphans-"));
const markers: string[] = [];
const stopped: number[] = [];
after(() => {
  // Whatever a failed assertion left behind, by pid (never by name): what carries our markers, and guards we stopped.
  for (const pid of [...markers.flatMap(processesWithArgument), ...stopped]) kill(pid);
  rmSync(workspace, { recursive: true, force: true });
});

const kill = (pid: number) => {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // gone already
  }
};

/** A `sleep` only this test starts, and the processes that carry it. */
function marker(): string {
  const m = sleepMarker();
  markers.push(m);
  return m;
}
const running = (m: string) => processesWithArgument(m).length > 0;

/** These wait on a guard's grace periods: longer than the default. */
const until = (condition: () => boolean) => untilHolds(condition, 10_000);
const ended = (job: BackgroundJob) => until(() => job.endedAt !== undefined);

/** A file in the workspace the job waits for: the test creates it once it has seen what it needs. */
function go(name: string): { wait: string; now(): void } {
  const file = join(workspace, name);
  return { wait: `until [ -e ${name} ]; do sleep 0.02; done`, now: () => writeFileSync(file, "") };
}

test("this machine's guard puts the program in a PID namespace (Linux with Perl and namespaces)", async () => {
  assert.equal(await containment(), "namespace");
});

test("a job whose child calls setsid: the child dies when the job's command exits", async () => {
  const jobs = new BackgroundJobManager({ workspace });
  const escaped = marker();
  const signal = go("go-exit");
  const job = jobs.start(`setsid sleep ${escaped} & ${signal.wait}`);
  await until(() => running(escaped));
  assert.ok(running(escaped), "the setsid child runs");
  signal.now();
  await ended(job);
  assert.deepEqual({ status: job.status, code: job.exitCode }, { status: "exited", code: 0 });
  assert.equal(running(escaped), false, "the setsid child did not outlive its job");
  await jobs.dispose();
});

test("a job whose child calls setsid: kill ends the child too", async () => {
  const jobs = new BackgroundJobManager({ workspace });
  const escaped = marker();
  const job = jobs.start(`setsid sleep ${escaped} & sleep ${marker()}`);
  await until(() => running(escaped));
  assert.ok(running(escaped), "the escaped child runs");
  await jobs.kill(job.id);
  await until(() => !running(escaped));
  assert.equal(running(escaped), false);
  await jobs.dispose();
});

test("a guarded server's tool that calls setsid is ended by stopping the server's group", async () => {
  const escaped = marker();
  const child = spawnGuarded("/bin/sh", ["-c", `setsid sleep ${escaped} & echo started; exec sleep ${marker()}`], { cwd: workspace });
  await followOutput(child, "the server").waitFor(/started/);
  await until(() => running(escaped));
  assert.ok(running(escaped));
  await stopProcessGroup(child.pid as number, 500);
  assert.equal(running(escaped), false);
});

test("a job that kills its guard from inside (setsid sleep & kill -9 $PPID): nothing of it is left, and its state says what happened", async () => {
  const jobs = new BackgroundJobManager({ workspace });
  const escaped = marker();
  const signal = go("go-ppid");
  const job = jobs.start(`setsid sleep ${escaped} & ${signal.wait}; kill -9 $PPID`);
  await until(() => running(escaped));
  signal.now();
  await ended(job);
  assert.equal(running(escaped), false, "the setsid child did not outlive its job");
  if ((await containment()) === "namespace") {
    // $PPID is the namespace's init, which nothing inside can kill: the command simply ended.
    assert.deepEqual({ status: job.status, code: job.exitCode }, { status: "exited", code: 0 });
  } else {
    assert.equal(job.status, "failed");
    assert.match(job.reason ?? "", /its guard was killed \(signal 9\)/);
  }
  await jobs.dispose();
});

test("a guard killed from outside: the job fails and says so, and everything it started is ended", async () => {
  const jobs = new BackgroundJobManager({ workspace });
  const [escaped, own] = [marker(), marker()];
  const job = jobs.start(`setsid sleep ${escaped} & sleep ${own}`);
  await until(() => running(escaped) && running(own));
  process.kill(job.pid, "SIGKILL");
  await ended(job);
  assert.equal(job.status, "failed");
  assert.equal(job.reason, "its guard was killed (signal 9); everything it started was ended");
  assert.deepEqual([running(escaped), running(own)], [false, false], "nothing of the job outlived its guard");
  await jobs.dispose();
});

test("without a PID namespace of ours (a sandboxed job's bubblewrap makes its own), the guard's cgroup ends what left the group when the guard is killed", { skip: !cgroupParent() && "no cgroup v2 we may write here" }, async () => {
  const jobs = new BackgroundJobManager({ workspace });
  // A shell that is not plain is the sandbox's script, which brings its own namespace: the guard makes none.
  jobs.setShell("/bin/sh", { plain: false });
  const escaped = marker();
  const signal = go("go-cgroup");
  const job = jobs.start(`setsid sleep ${escaped} & ${signal.wait}; kill -9 $PPID`);
  await until(() => running(escaped));
  signal.now();
  await ended(job);
  assert.equal(job.status, "failed");
  assert.equal(job.reason, "its guard was killed (signal 9); everything it started was ended");
  assert.equal(running(escaped), false, "the cgroup took the setsid child with it");
  assert.equal(existsSync(join(cgroupParent() as string, `orchestrator-${job.pid}`)), false, "its cgroup is removed");
  await jobs.dispose();
});

/** Plays the extension host: starts a job, says its guard's pid, and lives until it is killed. */
function owner(command: string) {
  const script = `const { BackgroundJobManager } = require(${JSON.stringify(join(__dirname, "..", "..", "src", "orchestrator", "background", "jobManager.ts"))});
const job = new BackgroundJobManager({ workspace: ${JSON.stringify(workspace)} }).start(${JSON.stringify(command)});
const timer = setInterval(() => { if (job.pid > 0) { process.stdout.write("guard " + job.pid + "\\n"); clearInterval(timer); } }, 20);
setInterval(() => undefined, 60000);`;
  return spawn(process.execPath, ["--import", "tsx", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
}

test("when the process that started the job is SIGKILLed, the setsid child dies with the job", { timeout: 60_000 }, async () => {
  const escaped = marker();
  const host = owner(`setsid sleep ${escaped} & sleep ${marker()}`);
  await followOutput(host, "the owner").waitFor(/guard (\d+)/);
  await until(() => running(escaped));
  assert.ok(running(escaped));
  host.kill("SIGKILL");
  await until(() => !running(escaped));
  assert.equal(running(escaped), false, "the guard took the escaped child with its owner");
});

test("a guard stopped (SIGSTOP) before its owner is SIGKILLed: the job's tree still ends", { timeout: 60_000 }, async () => {
  const [escaped, own] = [marker(), marker()];
  const host = owner(`setsid sleep ${escaped} & sleep ${own}`);
  const guard = Number((await followOutput(host, "the owner").waitFor(/guard (\d+)/))[1]);
  await until(() => running(escaped) && running(own));
  process.kill(guard, "SIGSTOP");
  stopped.push(guard);
  host.kill("SIGKILL");
  await until(() => !running(escaped) && !running(own));
  assert.deepEqual([running(escaped), running(own)], [false, false], "the job's tree ended though its guard could not act");
  kill(guard); // the stopped guard itself holds nothing any more
});
