/**
 * The usual UI test: a sandbox, the scripted model configured as the workspace's provider (as a
 * user's opencode.json would name theirs), and real VS Code (code-server) with the packaged VSIX —
 * started before the file's tests, torn down after them, asserting that no OpenCode process is left.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before } from "node:test";
import type { Scenario } from "../../src/orchestrator/scriptedModel/scenario";
import { startScriptedModel, type ScriptedModel } from "../../src/orchestrator/scriptedModel/server";
import { openVsCode, type VsCodeSession } from "./codeServer";
import { writeScriptedOpencodeJson } from "./engineHarness";
import { BUNDLED_OPENCODE, createSandbox, REPO_ROOT, type Sandbox } from "./isolation";

export const UI_ARTIFACTS = join(REPO_ROOT, "test-results", "ui");

export interface ScriptedVsCode {
  sandbox: Sandbox;
  model: ScriptedModel;
  vscode: VsCodeSession;
}

export interface ScriptedVsCodeOptions {
  prefix: string;
  scenario: (workspace: string) => Scenario;
  /** VS Code settings over the defaults of test/support/codeServer.ts. */
  settings?: Record<string, unknown>;
  /** The model's price per million tokens in the provider config. */
  modelCost?: { input: number; output: number };
  /** The workspace as the tests need it before VS Code opens it (files, commits). */
  prepare?: (sandbox: Sandbox) => void;
}

/** Registers the file's before/after hooks; `use` receives the session once it is up. */
export function withScriptedVsCode(options: ScriptedVsCodeOptions, use: (session: ScriptedVsCode) => void): void {
  const started: Partial<ScriptedVsCode> = {};
  before(async () => {
    const sandbox = (started.sandbox = createSandbox(options.prefix));
    options.prepare?.(sandbox);
    const model = (started.model = await startScriptedModel(options.scenario(sandbox.workspace)));
    writeScriptedOpencodeJson(sandbox.workspace, model.baseURL, {}, options.modelCost);
    // code-server's extension host takes PATH from a login shell, not from us: name the binary.
    started.vscode = await openVsCode({ sandbox, artifacts: UI_ARTIFACTS, settings: { "orchestrator.opencode.path": BUNDLED_OPENCODE, ...options.settings } });
    use(started as ScriptedVsCode);
  });
  after(async () => {
    const left = await started.vscode?.close();
    await started.model?.close();
    started.sandbox?.remove();
    assert.deepEqual(left ?? [], [], "closing VS Code leaves no OpenCode process behind");
  });
}
