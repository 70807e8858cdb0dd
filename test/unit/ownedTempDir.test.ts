import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ownedTempDir, sweepStale } from "../../src/orchestrator/engine/ownedTempDir";

test("a folder whose owner process has ended is removed by the next owner of its kind; live owners' and other kinds' stay", () => {
  const parent = mkdtempSync(join(tmpdir(), "orch-owned-"));
  try {
    // A pid that was real and has ended: a child that exited.
    const ended = spawnSync(process.execPath, ["-e", ""]).pid as number;
    mkdirSync(join(parent, `orchestrator-pool-${ended}-abc`));
    mkdirSync(join(parent, `orchestrator-pool-${process.ppid}-def`));
    mkdirSync(join(parent, `orchestrator-shell-${ended}-ghi`));
    mkdirSync(join(parent, "orchestrator-pool-notapid"));
    const mine = ownedTempDir("pool", parent);
    assert.ok(mine.startsWith(join(parent, `orchestrator-pool-${process.pid}-`)));
    assert.deepEqual(readdirSync(parent).sort(), [`orchestrator-pool-${process.ppid}-def`, mine.slice(parent.length + 1), "orchestrator-pool-notapid", `orchestrator-shell-${ended}-ghi`].sort());
    assert.deepEqual(sweepStale("shell", parent), [`orchestrator-shell-${ended}-ghi`]);
    assert.ok(existsSync(mine), "a folder of this process is never swept");
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
});
