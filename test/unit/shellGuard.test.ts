/** The POSIX shell guard (process/guard.sh), where Perl cannot run: the program's status and output pass through; our death ends its group. */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { REPO_ROOT } from "../support/isolation";
import { killGroup, processesInGroup, until } from "../support/processes";

const SHELL_GUARD = readFileSync(join(REPO_ROOT, "src", "orchestrator", "process", "guard.sh"), "utf8");
const guarded = (script: string) => spawn("/bin/sh", ["-c", SHELL_GUARD, "orchestrator-guard", "/bin/sh", "-c", script], { detached: true, stdio: ["pipe", "pipe", "pipe"] });

test("the shell guard exits with its program's status; the program's output is ours", async () => {
  const child = guarded("echo out; echo err >&2; exit 7");
  let out = "";
  let err = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
  assert.deepEqual({ code, out, err }, { code: 7, out: "out\n", err: "err\n" });
});

test("its lifeline closed (we died), the shell guard ends its whole group", { skip: process.platform !== "linux", timeout: 30_000 }, async () => {
  const child = guarded("sleep 300 & sleep 300");
  const pid = child.pid as number;
  try {
    await until(() => processesInGroup(pid).length >= 4, 10_000);
    assert.ok(processesInGroup(pid).length >= 4, "the guard, its watcher, the program and what it started");
    child.stdin.end();
    await until(() => processesInGroup(pid).length === 0, 10_000);
    assert.deepEqual(processesInGroup(pid), []);
  } finally {
    killGroup(pid);
  }
});
