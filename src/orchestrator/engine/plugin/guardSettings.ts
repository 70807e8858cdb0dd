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
 * The plugin's file as OpenCode loads it: the bundle beside the extension's own (dist/), or, run
 * from source (tests, benchmarks), the TypeScript itself, which Bun (OpenCode's runtime) reads as is.
 */
export function guardPluginUrl(): string {
  const source = join(__dirname, "workspaceGuard.ts");
  return pathToFileURL(existsSync(source) ? source : join(__dirname, "workspace-guard.mjs")).href;
}
