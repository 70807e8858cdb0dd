/** What the extension-host suites share: the extension's API, and waiting for what it shows. */
import assert from "node:assert/strict";
import * as vscode from "vscode";
import type { OrchestratorApi } from "../../../src/extension/extension";

export const EXTENSION_ID = "opencode-orchestrator.opencode-orchestrator";

export function api(): OrchestratorApi {
  const extension = vscode.extensions.getExtension<OrchestratorApi>(EXTENSION_ID);
  assert.ok(extension, "the extension is installed");
  return extension.exports;
}

/** Resolves once `condition` holds (checked every 50 ms), or fails naming `what`. */
export async function until(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
