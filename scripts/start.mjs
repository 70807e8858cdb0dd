// `npm start`: builds the extension, then opens VS Code with it on a sample workspace.
// Desktop `code` when present (extension development mode); otherwise code-server in the browser,
// with its URL printed. The extension starts the OpenCode server itself; with no model provider
// configured it uses the scripted demo model and says so.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { homedir } from "node:os";
import { delimiter, join, resolve } from "node:path";

import { ensureNodeModules, repo } from "./bootstrap.mjs";
import { engineBinary, engineName } from "./opencodeEngines.mjs";

ensureNodeModules();
const cache = process.env.ORCHESTRATOR_CACHE ?? join(homedir(), ".cache", "opencode-orchestrator");
const workspace = resolve(process.env.ORCHESTRATOR_SAMPLE_WORKSPACE ?? join(cache, "sample-workspace"));

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: "inherit", ...options });
  if (result.status !== 0) process.exit(result.status ?? 1);
  return result;
}

const onPath = (name) => (process.env.PATH ?? "").split(delimiter).some((dir) => dir && existsSync(join(dir, name)));
/**
 * The user's own opencode if one is installed (npm puts our node_modules/.bin on PATH: skip it), else
 * ours: OpenCode 1 unless OPENCODE_ENGINE=v2 (the dev dependencies hold both; see opencodeEngines.mjs).
 */
const opencodeBinary = () =>
  (process.env.PATH ?? "").split(delimiter).filter((dir) => dir && !dir.startsWith(join(repo, "node_modules"))).map((dir) => join(dir, "opencode")).find((file) => existsSync(file)) ??
  engineBinary(engineName(process.env.OPENCODE_ENGINE || "v1"));

run("npm", ["run", "--silent", "package"], { cwd: repo });

if (!existsSync(join(workspace, ".git"))) {
  mkdirSync(workspace, { recursive: true });
  writeFileSync(join(workspace, "README.md"), "# Sample workspace\n\nRun **Orchestrator: Run Task** (F1) and give it a mission.\n");
  run("git", ["init", "-q"], { cwd: workspace });
}
// An initial commit, so the diffs of the first mission have something to compare with (also for
// sample workspaces made by an earlier version without one). Its own identity: none may be configured.
if (spawnSync("git", ["rev-parse", "--verify", "-q", "HEAD"], { cwd: workspace }).status !== 0) {
  run("git", ["add", "-A"], { cwd: workspace });
  run("git", ["-c", "user.name=OpenCode Orchestrator", "-c", "user.email=orchestrator@localhost", "commit", "-q", "--allow-empty", "-m", "Sample workspace"], { cwd: workspace });
}

if (onPath("code") && !process.env.ORCHESTRATOR_USE_CODE_SERVER) {
  console.log(`Opening VS Code with the extension on ${workspace}`);
  run("code", ["--extensionDevelopmentPath", repo, workspace]);
  process.exit(0);
}

const tools = spawnSync("bash", [join(repo, "scripts", "install-code-server.sh")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
if (tools.status !== 0) process.exit(tools.status ?? 1);
const value = (key) => tools.stdout.split("\n").find((l) => l.startsWith(`${key}=`))?.slice(key.length + 1);
const node24Bin = value("NODE24_BIN");
const codeServer = value("CODE_SERVER");

const userData = join(cache, "start", "user-data");
const extensions = join(cache, "start", "extensions");
mkdirSync(join(userData, "User"), { recursive: true });
mkdirSync(join(userData, "Machine"), { recursive: true });
const settings = {
  "workbench.startupEditor": "none",
  "chat.disableAIFeatures": true,
  "telemetry.telemetryLevel": "off",
  "security.workspace.trust.enabled": false,
    "remote.autoForwardPorts": false,
  // code-server's extension host takes PATH from a login shell, not from us: name the binary.
  "orchestrator.opencode.path": opencodeBinary(),
};
for (const scope of ["User", "Machine"]) {
  const file = join(userData, scope, "settings.json");
  let existing = {};
  try {
    existing = JSON.parse(readFileSync(file, "utf8"));
  } catch {
    // first start, or a file the user broke: ours replaces it
  }
  writeFileSync(file, JSON.stringify({ ...existing, ...settings }, null, 2));
}
const env = { ...process.env, PATH: `${node24Bin}${delimiter}${process.env.PATH}` };
run(codeServer, ["--extensions-dir", extensions, "--user-data-dir", userData, "--force", "--install-extension", join(repo, "dist", "opencode-orchestrator.vsix")], { env, stdio: ["ignore", "ignore", "inherit"] });

const port = Number(process.env.PORT) || (await new Promise((res) => {
  const probe = createServer().listen(0, "127.0.0.1", () => {
    const { port: p } = probe.address();
    probe.close(() => res(p));
  });
}));
const server = spawn(codeServer, ["--auth", "none", "--bind-addr", `127.0.0.1:${port}`, "--disable-telemetry", "--disable-update-check", "--disable-workspace-trust", "--extensions-dir", extensions, "--user-data-dir", userData, workspace], { env, stdio: ["ignore", "ignore", "inherit"], detached: true });
const stop = () => {
  try {
    process.kill(-server.pid, "SIGTERM");
  } catch {
    // already gone
  }
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
server.on("exit", (code) => process.exit(code ?? 0));
console.log(`\nOpenCode Orchestrator is running in VS Code (code-server):\n\n  http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}\n\nOpen it in a browser, press F1 and run "Orchestrator: Run Task". Ctrl+C stops it.\n`);
