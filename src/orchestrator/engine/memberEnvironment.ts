/**
 * The environment of one pool member's server. Several OpenCode processes sharing one data
 * directory contend on its SQLite database, so every member after the first gets data and state
 * directories of its own (XDG_DATA_HOME, XDG_STATE_HOME). Member 1 runs as a single server always
 * did, in the user's directories. HOME, the config and the cache stay the user's: the agents' shell
 * commands need the user's HOME (git identity, package caches), the config holds the user's
 * providers and rules, and the cache holds provider packages a member could not fetch offline. The
 * user's provider logins live in the data directory: each member links to them.
 */
import { existsSync, mkdirSync, symlinkSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/** Files of OpenCode's data directory that hold the user's credentials (provider and MCP logins). */
const SHARED_DATA_FILES = ["auth.json", "mcp-auth.json"];

/** OpenCode's data directory (xdg-basedir's rule, on every platform). */
export function opencodeDataDir(env: NodeJS.ProcessEnv): string {
  return join(env.XDG_DATA_HOME || join(env.HOME || homedir(), ".local", "share"), "opencode");
}

/** `root`: the pool's own folder; member `index` (0-based) gets `member-<index + 1>/` in it. */
export function memberEnvironment(base: NodeJS.ProcessEnv, root: string, index: number): NodeJS.ProcessEnv {
  if (index === 0) return base;
  const dir = join(root, `member-${index + 1}`);
  const data = join(dir, "data");
  const state = join(dir, "state");
  mkdirSync(join(data, "opencode"), { recursive: true });
  mkdirSync(state, { recursive: true });
  const userData = opencodeDataDir(base);
  for (const file of SHARED_DATA_FILES) {
    const from = join(userData, file);
    const to = join(data, "opencode", file);
    // A link, not a copy: a login or token refresh made through one member is every member's.
    if (existsSync(from) && !existsSync(to)) symlinkSync(from, to);
  }
  return { ...base, XDG_DATA_HOME: data, XDG_STATE_HOME: state };
}
