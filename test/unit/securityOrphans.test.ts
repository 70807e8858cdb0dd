/**
 * Nothing we start outlives us: a job's (or a server's) child that calls `setsid` leaves the process
 * group, yet it is still ended — when the job's command exits, when the job is killed, and when the
 * process that started it is SIGKILLed.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { BackgroundJobManager, type BackgroundJob } from "../../src/orchestrator/background/jobManager";
import { guardKind, spawnGuarded, stopProcessGroup } from "../../src/orchestrator/engine/processGroup";
import { followOutput, until as untilHolds } from "../support/processes";

const workspace = mkdtempSync(join(tmpdir(), "orphans-"));
const escaped: number[] = [];
after(() => {
  // Whatever a failed assertion left behind, by pid (never by name).
  for (const pid of escaped) if (alive(pid)) process.kill(pid, "SIGKILL");
  rmSync(workspace, { recursive: true, force: true });
});

/** A child that leaves the group and the session, reporting its pid: `escaped <pid>`. */
const ESCAPE = `setsid sh -c 'echo escaped $$; exec sleep 1000' &`;

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/^[ZX]$/.test(stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3));
  } catch {
    return false;
  }
}

/** These wait on a guard's grace periods: longer than the default. */
const until = (condition: () => boolean) => untilHolds(condition, 10_000);

const escapedPid = async (job: BackgroundJob) => {
  await until(() => /escaped (\d+)/.test(job.output.read()));
  const pid = Number(/escaped (\d+)/.exec(job.output.read())?.[1]);
  escaped.push(pid);
  return pid;
};

test("this machine's guard is the subreaper (Linux with Perl)", () => {
  assert.equal(guardKind(), "subreaper");
});

test("a job whose child calls setsid: the child dies when the job's command exits", async () => {
  const jobs = new BackgroundJobManager({ workspace });
  // The command exits as soon as its escaped child has started (and said so).
  const job = jobs.start(`setsid sh -c 'echo escaped $$; exec sleep 1000' > escaped.out & until [ -s escaped.out ]; do sleep 0.01; done; cat escaped.out`);
  const pid = await escapedPid(job);
  await until(() => job.endedAt !== undefined);
  assert.equal(job.status, "exited");
  assert.equal(alive(pid), false, "the setsid child did not outlive its job");
  await jobs.dispose();
});

test("a job whose child calls setsid: kill ends the child too", async () => {
  const jobs = new BackgroundJobManager({ workspace });
  const job = jobs.start(`${ESCAPE} sleep 1000`);
  const pid = await escapedPid(job);
  assert.ok(alive(pid), "the escaped child runs");
  await jobs.kill(job.id);
  await until(() => !alive(pid));
  assert.equal(alive(pid), false);
  await jobs.dispose();
});

test("a guarded server's tool that calls setsid is ended by stopping the server's group", async () => {
  const child = spawnGuarded("/bin/sh", ["-c", `${ESCAPE} exec sleep 1000`], { cwd: workspace });
  const pid = Number((await followOutput(child, "the server").waitFor(/escaped (\d+)/))[1]);
  escaped.push(pid);
  await stopProcessGroup(child.pid as number, 500);
  assert.equal(alive(pid), false);
});

test("when the process that started the job is SIGKILLed, the setsid child dies with the job", { timeout: 60_000 }, async () => {
  const script = `const { BackgroundJobManager } = require(${JSON.stringify(join(__dirname, "..", "..", "src", "orchestrator", "background", "jobManager.ts"))});
const job = new BackgroundJobManager({ workspace: ${JSON.stringify(workspace)} }).start(${JSON.stringify(`${ESCAPE} sleep 1000`)});
const timer = setInterval(() => { const m = /escaped (\\d+)/.exec(job.output.read()); if (m) { process.stdout.write("escaped-pid " + m[1] + "\\n"); clearInterval(timer); } }, 20);
setInterval(() => undefined, 60000);`;
  const owner = spawn(process.execPath, ["--import", "tsx", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  const pid = Number((await followOutput(owner, "the owner").waitFor(/escaped-pid (\d+)/))[1]);
  escaped.push(pid);
  assert.ok(alive(pid));
  owner.kill("SIGKILL");
  await until(() => !alive(pid));
  assert.equal(alive(pid), false, "the guard took the escaped child with its owner");
});
