/**
 * The sandbox and the files that configure git, OpenCode and the editor (issue 26, item 5), with the
 * real bwrap: read-only where they exist; where they do not, a command that creates them has them
 * taken away when it ends — also when it is stopped — kept in the quarantine folder, and told so.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { createAgentShell, findBubblewrap } from "../../src/orchestrator/process/agentShell";
import { withoutSecrets } from "../../src/orchestrator/process/secrets";
import { REPO_ROOT } from "../support/isolation";

const skip = findBubblewrap() ? false : "bwrap is not installed (scripts/install-system-deps.sh installs it)";

/** A workspace outside /tmp (the sandbox's /tmp is private): on the root file system. */
function workspace(): { ws: string; remove(): void } {
  const parent = existsSync("/var/tmp") ? "/var/tmp" : join(REPO_ROOT, "test-results");
  mkdirSync(parent, { recursive: true });
  const ws = mkdtempSync(join(parent, "orch-protected-"));
  return { ws, remove: () => rmSync(ws, { recursive: true, force: true }) };
}

function run(shell: string, ws: string, command: string, onStart?: (pid: number) => void): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(shell, ["-c", command], { cwd: ws, env: withoutSecrets(process.env), stdio: ["ignore", "pipe", "pipe"], detached: true });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    child.stdout.on("data", (chunk: Buffer) => {
      if (chunk.toString("utf8").includes("ready")) onStart?.(child.pid as number);
    });
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stderr }));
  });
}

const CREATE_ALL = [
  "mkdir -p .vscode && echo '{}' > .vscode/settings.json",
  "echo '{}' > opencode.json",
  "echo '{}' > opencode.jsonc",
  "mkdir -p .git/hooks && echo 'echo pwned' > .git/hooks/pre-commit",
  "echo 'echo pwned' > .envrc",
  "echo 'x' > .opencode/plugin.js",
  "echo ok > made.txt",
].join("; ");

test("protected files a sandboxed command creates are taken away when it ends, kept, and the command told", { skip }, async () => {
  const { ws, remove } = workspace();
  const shell = createAgentShell({ workspace: ws, sandbox: "bubblewrap", userShell: "/bin/sh" });
  try {
    const { stderr } = await run(shell.path, ws, CREATE_ALL);
    assert.equal(readFileSync(join(ws, "made.txt"), "utf8"), "ok\n", "the workspace itself stays writable");
    for (const name of [".vscode", "opencode.json", "opencode.jsonc", ".git", ".envrc"]) {
      assert.ok(!existsSync(join(ws, name)), `${name} is not left in the workspace`);
      assert.match(stderr, new RegExp(`created ${name.replace(".", "\\.")}, which the workspace protects`), `the command is told about ${name}`);
    }
    assert.ok(!existsSync(join(ws, ".opencode", "plugin.js")), ".opencode (our state's folder) is read-only");
    const kept = readdirSync(join(ws, ".opencode", "orchestrator", "quarantine"));
    assert.equal(kept.length, 1);
    assert.equal(readFileSync(join(ws, ".opencode", "orchestrator", "quarantine", kept[0] as string, ".git", "hooks", "pre-commit"), "utf8"), "echo pwned\n", "nothing was deleted");
  } finally {
    shell.dispose();
    remove();
  }
});

test("protected files that exist are read-only in the sandbox, and not moved", { skip }, async () => {
  const { ws, remove } = workspace();
  mkdirSync(join(ws, ".vscode"));
  writeFileSync(join(ws, ".vscode", "settings.json"), "{}\n");
  writeFileSync(join(ws, "opencode.json"), "{}\n");
  const shell = createAgentShell({ workspace: ws, sandbox: "bubblewrap", userShell: "/bin/sh" });
  try {
    const { stderr } = await run(shell.path, ws, "echo evil > opencode.json; echo evil > .vscode/settings.json; echo evil > .vscode/tasks.json; echo done");
    assert.equal(readFileSync(join(ws, "opencode.json"), "utf8"), "{}\n");
    assert.equal(readFileSync(join(ws, ".vscode", "settings.json"), "utf8"), "{}\n");
    assert.ok(!existsSync(join(ws, ".vscode", "tasks.json")));
    assert.match(stderr, /Read-only file system/);
    assert.doesNotMatch(stderr, /moved to/, "what was there before the command is the user's: never moved");
  } finally {
    shell.dispose();
    remove();
  }
});

test("a sandboxed command stopped while it runs still has what it created taken away", { skip }, async () => {
  const { ws, remove } = workspace();
  const shell = createAgentShell({ workspace: ws, sandbox: "bubblewrap", userShell: "/bin/sh" });
  try {
    const done = run(shell.path, ws, "echo '{}' > opencode.json; echo ready; sleep 600", (pid) => process.kill(-pid, "SIGTERM"));
    const { code, stderr } = await done;
    assert.equal(code, 143, "ended by the stop");
    assert.ok(!existsSync(join(ws, "opencode.json")));
    assert.match(stderr, /created opencode\.json, which the workspace protects/);
  } finally {
    shell.dispose();
    remove();
  }
});
