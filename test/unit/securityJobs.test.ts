/**
 * Background jobs cannot exhaust the machine through us: their logs on disk are bounded (rotated),
 * written without blocking the extension host on the disk, never through a planted link, and only
 * so many run at once — one more is refused with a message that says what to do.
 */
import assert from "node:assert/strict";
import fs, { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { BackgroundJobManager, TooManyJobsError, type BackgroundJob } from "../../src/orchestrator/background/jobManager";

const workspace = mkdtempSync(join(tmpdir(), "jobs-security-"));
after(() => rmSync(workspace, { recursive: true, force: true }));

/** Resolves when the job has ended (its tree gone, its log written). */
const ended = (jobs: BackgroundJobManager, job: BackgroundJob) =>
  new Promise<void>((resolve) => {
    if (job.endedAt !== undefined) return resolve();
    const sub = jobs.changed.on((j) => {
      if (j.id === job.id && j.endedAt !== undefined) {
        sub.dispose();
        resolve();
      }
    });
  });

test("a job's log on disk is bounded: it rotates, keeping the newest output, at most two files", async () => {
  const jobs = new BackgroundJobManager({ workspace, maxLogBytes: 64 * 1024, outputCapacity: 16 * 1024 });
  // About 1.3 MB of numbered lines.
  const job = jobs.start("i=0; while [ $i -lt 100000 ]; do echo line-$i; i=$((i+1)); done");
  await ended(jobs, job);
  assert.equal(job.exitCode, 0);
  const current = readFileSync(job.logFile, "utf8");
  const previous = readFileSync(`${job.logFile}.1`, "utf8");
  assert.ok(statSync(job.logFile).size <= 64 * 1024 && statSync(`${job.logFile}.1`).size <= 64 * 1024, "each file within its bound");
  assert.match(current, /line-99999\n$/, "the newest output is kept");
  assert.ok((previous + current).endsWith(job.output.read()), "the files end as the ring buffer does");
  const lines = (previous + current).split("\n").filter(Boolean);
  const first = Number(lines[1]?.slice(5));
  for (let i = 1; i < lines.length; i++) assert.equal(lines[i], `line-${first + i - 1}`, "no gap between the two files");
  await jobs.dispose();
});

test("output is written without a synchronous file write on the extension host", async () => {
  const original = { appendFileSync: fs.appendFileSync, writeFileSync: fs.writeFileSync, writeSync: fs.writeSync };
  const forbidden = () => {
    throw new Error("a synchronous write blocked the extension host");
  };
  const jobs = new BackgroundJobManager({ workspace });
  Object.assign(fs, { appendFileSync: forbidden, writeFileSync: forbidden, writeSync: forbidden });
  let job: BackgroundJob;
  try {
    job = jobs.start("echo one; echo two >&2; echo three");
    await ended(jobs, job);
  } finally {
    Object.assign(fs, original);
  }
  assert.deepEqual(readFileSync(job.logFile, "utf8").split("\n").filter(Boolean).sort(), ["one", "three", "two"]);
  await jobs.dispose();
});

test("only so many jobs run at once; one more is refused saying what to do, and a slot frees when one ends", async () => {
  const jobs = new BackgroundJobManager({ workspace, maxRunningJobs: 2 });
  const a = jobs.start("sleep 300");
  jobs.start("sleep 300");
  assert.throws(() => jobs.start("sleep 300"), (e: unknown) => e instanceof TooManyJobsError && /Too many background jobs: 2 are running.*kill one you no longer need \(background_kill\)/.test(e.message));
  assert.equal(jobs.list().length, 2, "the refused one was never started");
  await jobs.kill(a.id);
  await ended(jobs, a);
  const c = jobs.start("echo again");
  await ended(jobs, c);
  assert.equal(c.exitCode, 0);
  await jobs.dispose();
});

test("a log file planted as a link is not written through; the job still runs, its output in memory", async () => {
  const ws = mkdtempSync(join(tmpdir(), "jobs-link-"));
  try {
    const victim = join(ws, "..", `victim-${process.pid}`);
    writeFileSync(victim, "precious\n");
    mkdirSync(join(ws, ".opencode", "orchestrator", "jobs"), { recursive: true });
    symlinkSync(victim, join(ws, ".opencode", "orchestrator", "jobs", "job-1.log"));
    const jobs = new BackgroundJobManager({ workspace: ws });
    const job = jobs.start("echo hello");
    await ended(jobs, job);
    assert.equal(job.output.read(), "hello\n");
    assert.equal(readFileSync(victim, "utf8"), "precious\n");
    rmSync(victim);
    await jobs.dispose();
    // A jobs folder that is itself a link out of the workspace is refused before anything runs.
    rmSync(join(ws, ".opencode", "orchestrator", "jobs"), { recursive: true });
    const elsewhere = mkdtempSync(join(tmpdir(), "jobs-elsewhere-"));
    symlinkSync(elsewhere, join(ws, ".opencode", "orchestrator", "jobs"));
    assert.throws(() => new BackgroundJobManager({ workspace: ws }).start("echo x"), /is a symbolic link/);
    assert.equal(existsSync(join(elsewhere, "job-1.log")), false);
    rmSync(elsewhere, { recursive: true });
  } finally {
    rmSync(ws, { recursive: true, force: true });
  }
});
