import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { test } from "node:test";
import { namespaceScope, ownedTempDir, sweepStale } from "../../src/orchestrator/process/ownedTempDir";
import { followOutput } from "../support/processes";

const linux = process.platform === "linux";

/** A pid that was real and has ended: a child that exited. */
const endedPid = () => spawnSync(process.execPath, ["-e", ""]).pid as number;

test("a folder whose owner process has ended is removed by the next owner of its kind; live owners' and other kinds' stay", () => {
  const parent = mkdtempSync(join(tmpdir(), "orch-owned-"));
  try {
    const ended = endedPid();
    const scope = namespaceScope() ? `${namespaceScope()}-` : "";
    mkdirSync(join(parent, `orchestrator-pool-${ended}-${scope}abc123`));
    mkdirSync(join(parent, `orchestrator-pool-${process.ppid}-${scope}def456`));
    mkdirSync(join(parent, `orchestrator-shell-${ended}-${scope}ghi789`));
    mkdirSync(join(parent, "orchestrator-pool-notapid"));
    const mine = ownedTempDir("pool", parent);
    assert.ok(mine.startsWith(join(parent, `orchestrator-pool-${process.pid}-${scope}`)));
    assert.deepEqual(readdirSync(parent).sort(), [`orchestrator-pool-${process.ppid}-${scope}def456`, basename(mine), "orchestrator-pool-notapid", `orchestrator-shell-${ended}-${scope}ghi789`].sort());
    assert.deepEqual(sweepStale("shell", parent), [`orchestrator-shell-${ended}-${scope}ghi789`]);
    assert.ok(existsSync(mine), "a folder of this process is never swept");
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
});

test("a folder of another PID namespace or boot, or of one not known, stays: its owner's pid means nothing here", { skip: !linux && "Linux only" }, () => {
  const parent = mkdtempSync(join(tmpdir(), "orch-owned-"));
  try {
    const ended = endedPid();
    const [namespace, boot] = (namespaceScope() as string).split(".") as [string, string];
    const otherBoot = boot === "00000000" ? "11111111" : "00000000";
    const foreign = [`orchestrator-shell-${ended}-${Number(namespace) + 1}.${boot}-abc123`, `orchestrator-shell-${ended}-${namespace}.${otherBoot}-def456`, `orchestrator-shell-${ended}-ghi789`];
    for (const name of foreign) mkdirSync(join(parent, name));
    assert.deepEqual(sweepStale("shell", parent), []);
    assert.deepEqual(readdirSync(parent).sort(), foreign.sort());
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
});

/** A pid no process has here, for a process in another namespace to take. */
function unusedPid(): number {
  for (;;) {
    const pid = 10_000 + Math.floor(Math.random() * 20_000);
    if (!existsSync(`/proc/${pid}`) && !existsSync(`/proc/${pid + 1}`)) return pid;
  }
}

test("a live window in another PID namespace, sharing /tmp, keeps its folder though its pid is nobody's here", { skip: !linux && "Linux only", timeout: 60_000 }, async () => {
  const parent = mkdtempSync(join(tmpdir(), "orch-owned-"));
  const pid = unusedPid();
  // The other window: a Node process in a PID namespace of its own, made to get a pid that is free here.
  const script = `const { ownedTempDir } = require(${JSON.stringify(join(__dirname, "..", "..", "src", "orchestrator", "process", "ownedTempDir.ts"))}); console.log("made " + ownedTempDir("shell", ${JSON.stringify(parent)})); setInterval(() => undefined, 60000);`;
  const inNamespace = `echo ${pid - 1} > /proc/sys/kernel/ns_last_pid && ${JSON.stringify(process.execPath)} --import tsx -e '${script}'; :`;
  const unshare = process.getuid?.() === 0 ? ["--pid"] : ["--user", "--map-root-user", "--pid"];
  const other = spawn("unshare", [...unshare, "--fork", "--kill-child", "sh", "-c", inNamespace], { stdio: ["ignore", "pipe", "inherit"] });
  try {
    const folder = (await followOutput(other, "the other window").waitFor(/made (\S+)/))[1] as string;
    assert.match(basename(folder), new RegExp(`^orchestrator-shell-${pid}-`), "its owner's pid, as its namespace numbers it");
    assert.equal(existsSync(`/proc/${pid}`), false, "no process has that pid here");
    assert.deepEqual(sweepStale("shell", parent), []);
    assert.ok(existsSync(folder), "the live window's folder stays");
  } finally {
    other.kill("SIGKILL");
    rmSync(parent, { recursive: true, force: true });
  }
});
