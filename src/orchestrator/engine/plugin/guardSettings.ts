/**
 * What the orchestrator tells the workspace guard inside a server, and where the guard's code is.
 * The settings travel in one environment variable of the server (the guard removes it at once).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

export const GUARD_SETTINGS_VARIABLE = "OPENCODE_ORCHESTRATOR_GUARD";

export interface GuardSettings {
  /** Agents' commands run in the sandbox: writes outside the workspace are refused, not asked. */
  sandbox: boolean;
}

export function guardSettingsEnv(settings: GuardSettings): Record<string, string> {
  return { [GUARD_SETTINGS_VARIABLE]: JSON.stringify(settings) };
}

/** Anything unreadable counts as the strictest setting: the guard must not open up on bad input. */
export function parseGuardSettings(text: string | undefined): GuardSettings {
  try {
    const value = JSON.parse(text ?? "{}") as Partial<GuardSettings>;
    return { sandbox: value.sandbox !== false };
  } catch {
    return { sandbox: true };
  }
}

/**
 * The plugin's package as OpenCode loads it (a directory: OpenCode 2 loads no single file, OpenCode 1
 * loads either): the one built beside the extension's bundle (dist/workspace-guard/), or, run from
 * source (tests, benchmarks), this folder, whose package.json names the TypeScript entry that Bun
 * (OpenCode's runtime) reads as is.
 */
export function guardPluginUrl(): string {
  const source = existsSync(join(__dirname, "workspaceGuard.ts"));
  return pathToFileURL(source ? __dirname : join(__dirname, "workspace-guard")).href;
}
