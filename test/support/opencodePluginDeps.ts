/**
 * OpenCode 1.x installs its plugin package (`@opencode-ai/plugin` and what it needs) into every
 * config folder the first time it starts there — the user's config folder and the workspace's
 * `.opencode` — and a server with a plugin (ours: the workspace guard) waits for those installs
 * before it answers: 10–40 s from the registry on these machines. A user pays that once per
 * workspace; a test that makes a fresh sandbox would pay it every time. So the sandboxes are seeded
 * with what OpenCode itself would have installed, made once per machine and OpenCode version by a
 * real server (preparePluginDeps.ts), and linked in (hard links: nothing is copied). OpenCode 2
 * installs nothing there before it answers: with it, nothing is seeded.
 */
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { BUNDLED_OPENCODE } from "./isolation";

const REPO_ROOT = join(__dirname, "..", "..");

let testedVersion: string | undefined;

/** What the opencode the tests run says it is (`--version`: "1.18.33", "opencode v2.1.2"). */
function opencodeVersion(): string {
  return (testedVersion ??= execFileSync(BUNDLED_OPENCODE, ["--version"], { encoding: "utf8" }).trim().replace(/^opencode v/, ""));
}

/** The folder holding OpenCode's own install of its plugin package, made on first use. */
export function pluginDepsCache(): string {
  const dir = join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "opencode-orchestrator", `opencode-plugin-deps-${opencodeVersion()}`);
  if (!existsSync(join(dir, "node_modules"))) {
    execFileSync(process.execPath, ["--import", "tsx", join(__dirname, "preparePluginDeps.ts"), dir], { cwd: REPO_ROOT, stdio: ["ignore", "ignore", "inherit"], timeout: 300_000 });
  }
  return dir;
}

/** Puts OpenCode's install of its plugin package into `folder`, as OpenCode 1 would have. */
export function seedPluginDeps(folder: string): void {
  if (!opencodeVersion().startsWith("1.")) return;
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
