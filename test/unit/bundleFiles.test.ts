/** What the extension reads from beside its bundle is built there, packaged, and runs from there. */
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { REPO_ROOT } from "../support/isolation";

/** Files the code finds next to itself (`join(__dirname, …)`): in the extension, next to dist/extension.js. */
const BESIDE_THE_BUNDLE = ["dist/launcherProgram.mjs", "dist/guard.pl", "dist/guard.sh", "dist/agentShell.sh", "dist/workspace-guard/index.mjs", "dist/workspace-guard/package.json", "dist/web-tree-sitter.wasm", "dist/tree-sitter-bash.wasm"];

test("the launcher's program, the guards and the agents' shell are built beside the bundle and shipped; the launcher's program runs from there", { timeout: 120_000 }, async () => {
  execFileSync(process.execPath, [join(REPO_ROOT, "scripts", "build.mjs")], { cwd: REPO_ROOT, stdio: "ignore" });
  for (const file of BESIDE_THE_BUNDLE) assert.ok(existsSync(join(REPO_ROOT, file)), `${file} is built`);
  const packaged = new Set(execFileSync(join(REPO_ROOT, "node_modules", ".bin", "vsce"), ["ls", "--no-dependencies", "--readme-path", "marketplace/README.md"], { cwd: REPO_ROOT, encoding: "utf8" }).split("\n").filter(Boolean));
  for (const file of BESIDE_THE_BUNDLE) assert.ok(packaged.has(file), `${file} is packaged`);

  // Started as launcher.ts starts it: Node (Electron as Node) on the file, an IPC channel; it says it is ready, then runs a request.
  const child = spawn(process.execPath, [join(REPO_ROOT, "dist", "launcherProgram.mjs")], { stdio: ["ignore", "ignore", "inherit", "ipc"], serialization: "advanced", env: { ...process.env, ELECTRON_RUN_AS_NODE: "1" } });
  try {
    const replies: Array<{ id: number; type: string; stdout?: Uint8Array }> = [];
    const done = new Promise<void>((resolve) => child.on("message", (reply: { id: number; type: string }) => (replies.push(reply), reply.type === "done" && resolve())));
    child.send({ id: 1, command: "sh", args: ["-c", "cat"], cwd: REPO_ROOT, env: process.env, collect: true, input: "through the bundle's launcher" });
    await done;
    assert.deepEqual(replies.map((r) => r.type), ["ready", "spawn", "done"]);
    assert.equal(Buffer.from(replies[2]?.stdout ?? []).toString(), "through the bundle's launcher");
  } finally {
    child.disconnect();
  }
});
