/**
 * A sandbox for one real OpenCode server: its own HOME and XDG dirs (several servers sharing one
 * data dir contend on SQLite) and a temp git workspace.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { bundledOpencode, TEST_ENGINE, type EngineName } from "./engines";
import { seedPluginDeps } from "./opencodePluginDeps";

export const REPO_ROOT = resolve(__dirname, "..", "..");
/** The OpenCode binary of the engine under test (OPENCODE_ENGINE, see engines.ts). */
export const BUNDLED_OPENCODE = bundledOpencode();

export interface Sandbox {
  root: string;
  workspace: string;
  env: NodeJS.ProcessEnv;
  remove(): void;
}

/** `engine`: the OpenCode that will run in it (what its config folders are seeded with); the one under test unless said. */
export function createSandbox(prefix = "orch-", engine: EngineName = TEST_ENGINE): Sandbox {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const workspace = join(root, "workspace");
  const dirs = { HOME: "home", XDG_CONFIG_HOME: "config", XDG_DATA_HOME: "data", XDG_STATE_HOME: "state", XDG_CACHE_HOME: "cache" };
  const env: NodeJS.ProcessEnv = { ...process.env, OPENCODE_DISABLE_MODELS_FETCH: "1" };
  for (const [key, dir] of Object.entries(dirs)) {
    const path = join(root, dir);
    mkdirSync(path, { recursive: true });
    env[key] = path;
  }
  mkdirSync(workspace);
  // What OpenCode installs into its config folders on a first start, which a server with our plugin waits for.
  seedPluginDeps(join(root, dirs.XDG_CONFIG_HOME, "opencode"), engine);
  seedPluginDeps(join(workspace, ".opencode"), engine);
  execFileSync("git", ["init", "-q"], { cwd: workspace });
  execFileSync("git", ["-c", "user.email=t@t", "-c", "user.name=t", "commit", "-q", "--allow-empty", "-m", "init"], { cwd: workspace });
  return { root, workspace, env, remove: () => rmSync(root, { recursive: true, force: true }) };
}
