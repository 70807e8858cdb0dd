import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { BackgroundJobManager } from "../../src/orchestrator/background/jobManager";
import { RingBuffer } from "../../src/orchestrator/background/ringBuffer";
import { followOutput, processesInGroup, until } from "../support/processes";

const workspace = mkdtempSync(join(tmpdir(), "jobs-"));
after(() => rmSync(workspace, { recursive: true, force: true }));


test("the ring buffer keeps the newest characters and counts everything written", () => {
  const ring = new RingBuffer(10);
  ring.write("hello ");
  ring.write("world, again");
  assert.equal(ring.read(), "rld, again");
  assert.equal(ring.total, 18);
  assert.equal(ring.dropped, 8);
  assert.equal(ring.read(5), "again");
});

test("a job runs in its own process group; its output is in memory (bounded) and in full on disk", async () => {
  const jobs = new BackgroundJobManager({ workspace, outputCapacity: 16 });
  const job = jobs.start("for i in 1 2 3 4 5 6 7 8; do echo line-$i; done");
  await until(() => job.status !== "running");
  assert.equal(job.status, "exited");
  assert.equal(job.exitCode, 0);
  assert.equal(job.output.read().length, 16);
  assert.match(job.output.read(), /line-8\n$/);
  assert.equal(readFileSync(job.logFile, "utf8").split("\n").filter(Boolean).length, 8);
  await jobs.dispose();
});

test("a timeout kills the job and every process it started", async () => {
  const jobs = new BackgroundJobManager({ workspace });
  const job = jobs.start("sleep 300 & sleep 300", 1);
  await until(() => processesInGroup(job.pid).length >= 2);
  assert.ok(processesInGroup(job.pid).length >= 2, "the shell and its children share the job's group");
  await until(() => job.status !== "running" && processesInGroup(job.pid).length === 0);
  assert.equal(job.status, "timed-out");
  assert.deepEqual(processesInGroup(job.pid), []);
  await jobs.dispose();
});

test("kill and dispose end running jobs with their tree", async () => {
  const jobs = new BackgroundJobManager({ workspace });
  const a = jobs.start("sleep 300");
  const b = jobs.start("sleep 300 & wait");
  await jobs.kill(a.id);
  assert.equal(a.status, "killed");
  await jobs.dispose();
  assert.equal(b.status, "killed");
  assert.deepEqual([...processesInGroup(a.pid), ...processesInGroup(b.pid)], []);
  assert.throws(() => new BackgroundJobManager({ workspace }).start("  "), /needs a command/);
});

test("a job dies with its whole tree when the process that started it is SIGKILLed (no handler runs)", { timeout: 60_000 }, async () => {
  // The owner is a separate node process running the job manager; it prints the job's group and waits.
  const script = `const { BackgroundJobManager } = require(${JSON.stringify(join(__dirname, "..", "..", "src", "orchestrator", "background", "jobManager.ts"))});
const jobs = new BackgroundJobManager({ workspace: ${JSON.stringify(workspace)} });
const job = jobs.start("sleep 600 & sleep 600");
// Its pid is known once the process has started (the launcher tells it).
const tell = () => job.pid > 0 && process.stdout.write("job-group " + job.pid + "\\n");
if (!tell()) { const sub = jobs.changed.on(() => tell() && sub.dispose()); }
setInterval(() => undefined, 60000);`;
  const owner = spawn(process.execPath, ["--import", "tsx", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  const pgid = Number((await followOutput(owner, "the owner").waitFor(/job-group (\d+)/))[1]);
  await until(() => processesInGroup(pgid).length >= 3);
  assert.ok(processesInGroup(pgid).length >= 3, "guard, shell and its children run");
  owner.kill("SIGKILL");
  await until(() => processesInGroup(pgid).length === 0);
  assert.deepEqual(processesInGroup(pgid), [], "the guard took the job's group with its owner");
});
