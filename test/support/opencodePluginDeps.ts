/**
 * OpenCode 1.x installs its plugin package (`@opencode-ai/plugin` and what it needs) into every
 * config folder the first time it starts there — the user's config folder and the workspace's
 * `.opencode` — and a server with a plugin (ours: the workspace guard) waits for those installs
 * before it answers: 10–40 s from the registry on these machines. A user pays that once per
 * workspace; a test that makes a fresh sandbox would pay it every time. So the sandboxes are seeded
 * with what OpenCode itself would have installed, made once per machine and OpenCode version by a
 * real server (preparePluginDeps.ts), and linked in (hard links: nothing is copied).
 *
 * OpenCode 2 installs nothing there: a 2.1.2 server started with our configuration, with a plugin
 * directory it loaded, or with none, left both config folders empty after its first answer and a
 * turn (its plugins are directories it imports as they are; there is no plugin package on npm to
 * fetch). So on v2 nothing is seeded.
 */
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { opencodeVersion, TEST_ENGINE, type EngineName } from "./engines";

const REPO_ROOT = join(__dirname, "..", "..");

/** The folder holding OpenCode's own install of its plugin package, made on first use. */
export function pluginDepsCache(): string {
  const dir = join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "opencode-orchestrator", `opencode-plugin-deps-${opencodeVersion("v1")}`);
  if (!existsSync(join(dir, "node_modules"))) {
    execFileSync(process.execPath, ["--import", "tsx", join(__dirname, "preparePluginDeps.ts"), dir], { cwd: REPO_ROOT, stdio: ["ignore", "ignore", "inherit"], timeout: 300_000 });
  }
  return dir;
}

/** Puts OpenCode's install of its plugin package into `folder`, as OpenCode would have (v1; v2 installs none). */
export function seedPluginDeps(folder: string, engine: EngineName = TEST_ENGINE): void {
  if (engine !== "v1") return;
  const cache = pluginDepsCache();
  mkdirSync(folder, { recursive: true });
  for (const name of readdirSync(cache)) {
    const to = join(folder, name);
    if (existsSync(to)) continue;
    try {
      execFileSync("cp", ["-al", join(cache, name), to]);
    } catch {
      cpSync(join(cache, name), to, { recursive: true });
    }
  }
}
