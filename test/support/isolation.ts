/**
 * A sandbox for one real OpenCode server: its own HOME and XDG dirs (several servers sharing one
 * data dir contend on SQLite) and a temp git workspace.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { seedPluginDeps } from "./opencodePluginDeps";

export const REPO_ROOT = resolve(__dirname, "..", "..");
/** The opencode the tests run: OPENCODE_TEST_BINARY when set (to run them on the other major by hand), else the bundled one. */
export const BUNDLED_OPENCODE = process.env.OPENCODE_TEST_BINARY || join(REPO_ROOT, "node_modules", ".bin", "opencode");

export interface Sandbox {
  root: string;
  workspace: string;
  env: NodeJS.ProcessEnv;
  remove(): void;
}

export function createSandbox(prefix = "orch-"): Sandbox {
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
  seedPluginDeps(join(root, dirs.XDG_CONFIG_HOME, "opencode"));
  seedPluginDeps(join(workspace, ".opencode"));
  execFileSync("git", ["init", "-q"], { cwd: workspace });
  execFileSync("git", ["-c", "user.email=t@t", "-c", "user.name=t", "commit", "-q", "--allow-empty", "-m", "init"], { cwd: workspace });
  return { root, workspace, env, remove: () => rmSync(root, { recursive: true, force: true }) };
}
