/**
 * Makes the cache opencodePluginDeps.ts seeds sandboxes from: a real OpenCode 1 server, started with
 * our plugin in a throwaway sandbox whose workspace has a `.opencode` folder, installs its plugin
 * package there before it answers; that folder's install is then kept. Run as a script:
 * `node --import tsx test/support/preparePluginDeps.ts <cache folder>`.
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createV1Client } from "../../src/orchestrator/engine/v1/api";
import { guardSettingsEnv } from "../../src/orchestrator/engine/plugin/guardSettings";
import { buildServerConfig } from "../../src/orchestrator/engine/serverConfig";
import { startServer } from "../../src/orchestrator/engine/serverProcess";
import { memoryLogger } from "../../src/orchestrator/common/logger";
import { bundledOpencode } from "./engines";

async function prepare(cache: string): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), "orch-plugin-deps-"));
  const workspace = join(root, "workspace");
  const env: NodeJS.ProcessEnv = { ...process.env, OPENCODE_DISABLE_MODELS_FETCH: "1", ...guardSettingsEnv({ sandbox: false }) };
  for (const [key, dir] of Object.entries({ HOME: "home", XDG_CONFIG_HOME: "config", XDG_DATA_HOME: "data", XDG_STATE_HOME: "state", XDG_CACHE_HOME: "cache" })) {
    mkdirSync(join(root, dir), { recursive: true });
    env[key] = join(root, dir);
  }
  mkdirSync(join(workspace, ".opencode"), { recursive: true });
  execFileSync("git", ["init", "-q"], { cwd: workspace });
  const server = await startServer({ binary: bundledOpencode("v1"), cwd: workspace, config: buildServerConfig({}), env, logger: memoryLogger() });
  try {
    // A server with a plugin answers its first request for a folder only once the installs are done.
    await createV1Client(server, workspace).config.get({}, { throwOnError: true });
  } finally {
    await server.stop(500);
  }
  // Into place in one rename: another process preparing at the same time keeps its own or ours, never half of one.
  mkdirSync(dirname(cache), { recursive: true });
  const temp = `${cache}.${process.pid}.tmp`;
  cpSync(join(workspace, ".opencode"), temp, { recursive: true });
  try {
    renameSync(temp, cache);
  } catch {
    rmSync(temp, { recursive: true, force: true });
  }
  rmSync(root, { recursive: true, force: true });
}

const cache = process.argv[2];
if (!cache) throw new Error("usage: preparePluginDeps.ts <cache folder>");
prepare(cache).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
