/** The process launcher: real processes started from its own small process, and what happens when it is killed. */
import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { BackgroundJobManager } from "../../src/orchestrator/background/jobManager";
import { SECRET_VARIABLES } from "../../src/orchestrator/process/secrets";
import { Launcher, launcher } from "../../src/orchestrator/process/launcher";
import { parentOf, processesInGroup, until } from "../support/processes";

const linux = process.platform === "linux";
const workspace = mkdtempSync(join(tmpdir(), "orch-launcher-"));
after(() => rmSync(workspace, { recursive: true, force: true }));
const here = { cwd: workspace, env: process.env };

/** The process a launcher starts its runs from (this one where it starts them here): the parent of a run. */
const startedFrom = async (l: Launcher) => Number((await l.run("sh", ["-c", "echo $PPID"], here)).stdout.toString());

test("a run gets its input, its output, its exit status; a missing program is ENOENT", async () => {
  const ran = await launcher.run("sh", ["-c", "read line; echo \"got $line\"; echo oops >&2; exit 3"], { ...here, input: "hello\n" });
  assert.deepEqual({ code: ran.code, out: ran.stdout.toString(), err: ran.stderr.toString() }, { code: 3, out: "got hello\n", err: "oops\n" });
  const binary = await launcher.run("head", ["-c", "4"], { ...here, input: Buffer.from([0, 255, 10, 1, 2]) });
  assert.deepEqual([...binary.stdout], [0, 255, 10, 1], "bytes travel as bytes");
  await assert.rejects(launcher.run("no-such-program-here", [], here), (error: NodeJS.ErrnoException) => error.code === "ENOENT");
});

test("on Linux the processes are the launcher's children; the launcher's own environment has no secret and no NODE_OPTIONS", { skip: !linux }, async () => {
  const seeded = { OPENCODE_SERVER_PASSWORD: "not-for-the-launcher-1234", NODE_OPTIONS: "--max-old-space-size=4096" };
  const before = { ...process.env };
  Object.assign(process.env, seeded);
  const own = new Launcher();
  try {
    const pid = await startedFrom(own);
    assert.notEqual(pid, process.pid, "started by the launcher, not by this process");
    assert.equal(parentOf(pid), process.pid, "the launcher is our child");
    const environ = readFileSync(`/proc/${pid}/environ`, "utf8");
    const names = environ.split("\0").map((v) => v.split("=")[0]);
    assert.ok(names.includes("ELECTRON_RUN_AS_NODE") && names.includes("PATH"), "ours, for a binary that needs what its wrapper set");
    for (const name of [...SECRET_VARIABLES, "NODE_OPTIONS"]) assert.ok(!names.includes(name), `${name} is not in the launcher's environment`);
    assert.ok(!environ.includes("not-for-the-launcher"));
    const given = await own.run("sh", ["-c", "echo $ORCH_TEST_VALUE"], { ...here, env: { ...before, ORCH_TEST_VALUE: "given" } });
    assert.equal(given.stdout.toString(), "given\n", "each process gets the environment its request carries");
  } finally {
    for (const name of Object.keys(seeded)) if (before[name] === undefined) delete process.env[name];
    else process.env[name] = before[name];
  }
});

test("the launcher killed: a job it started ends with its whole group, and the next run starts a new launcher", { skip: !linux, timeout: 30_000 }, async () => {
  const jobs = new BackgroundJobManager({ workspace });
  try {
    const job = jobs.start("sleep 300 & sleep 300");
    await until(() => job.pid > 0 && processesInGroup(job.pid).length >= 3);
    const first = parentOf(job.pid) as number;
    assert.equal(first, await startedFrom(launcher), "the job and the runs share the launcher");
    // A run under way when it dies runs again in a new launcher.
    const inFlight = launcher.run("sh", ["-c", "sleep 0.3; echo finished"], here);
    await until(() => processesInGroup(job.pid).length >= 3);
    process.kill(first, "SIGKILL");
    assert.equal((await inFlight).stdout.toString(), "finished\n");
    await until(() => job.endedAt !== undefined);
    assert.equal(job.exitCode, null, "the job ended with its launcher: killed, not exited");
    assert.deepEqual({ status: job.status, reason: job.reason }, { status: "failed", reason: "the process launcher went away; its guard ended everything the job started" });
    await until(() => processesInGroup(job.pid).length === 0);
    assert.deepEqual(processesInGroup(job.pid), [], "its guard ended its group when its lifeline closed");
    const again = await startedFrom(launcher);
    assert.notEqual(again, first);
    assert.equal(parentOf(again), process.pid, "a new launcher, our child");
  } finally {
    await jobs.dispose();
  }
});

test("a launcher that never comes up (no Node there, or one that hangs): processes start here instead", { skip: !linux, timeout: 30_000 }, async () => {
  const hangs = join(workspace, "hangs.sh");
  writeFileSync(hangs, "#!/bin/sh\nexec sleep 30\n");
  chmodSync(hangs, 0o755);
  for (const node of ["/bin/false", hangs]) {
    const broken = new Launcher({ node, readyWithinMs: 300 });
    assert.equal(await startedFrom(broken), process.pid, `${node}: run here`);
    const started = broken.start("sh", ["-c", "echo started"], here);
    let out = "";
    started.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    const closed = await new Promise<number | null>((resolve) => started.once("close", resolve));
    assert.deepEqual({ closed, out }, { closed: 0, out: "started\n" }, `${node}: started here`);
    assert.equal(parentOf(started.pid as number) ?? process.pid, process.pid, `${node}: its parent is this process`);
  }
});

test("output comes at the host's pace: a flood while the host's event loop is busy does not pile up in the launcher", { skip: !linux, timeout: 30_000 }, async () => {
  const launcherPid = await startedFrom(launcher);
  const flood = launcher.start("yes", [], { ...here, detached: true });
  let bytes = 0;
  flood.stdout.on("data", (chunk: Buffer) => (bytes += chunk.length));
  await new Promise((resolve) => flood.once("spawn", resolve));
  // The host busy for 1.5 s: without a bound the launcher would queue everything `yes` writes meanwhile.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1_500);
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${launcherPid}/status`, "utf8"))?.[1]);
  process.kill(flood.pid as number, "SIGKILL");
  await new Promise((resolve) => flood.once("close", resolve));
  assert.ok(bytes > 0, "output arrived");
  assert.ok(rssKb < 200 * 1024, `the launcher holds ${Math.round(rssKb / 1024)} MB`);
});
