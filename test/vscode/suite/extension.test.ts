/**
 * The extension against the real `vscode` API, in a real extension host, with the real OpenCode
 * server it starts itself. The workspace's opencode.json points OpenCode at the scripted model.
 */
import assert from "node:assert/strict";
import * as vscode from "vscode";
import type { OrchestratorApi } from "../../../src/extension/extension";

const EXTENSION_ID = "opencode-orchestrator.opencode-orchestrator";

function api(): OrchestratorApi {
  const extension = vscode.extensions.getExtension<OrchestratorApi>(EXTENSION_ID);
  assert.ok(extension, "the extension is installed");
  return extension.exports;
}

async function until(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

suite("Orchestrator in the extension host", () => {
  const folder = () => vscode.workspace.workspaceFolders?.[0]?.uri as vscode.Uri;

  test("activates and registers its commands", async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)?.activate();
    const commands = await vscode.commands.getCommands(true);
    for (const id of ["orchestrator.runTask", "orchestrator.stop", "orchestrator.openDashboard", "orchestrator.showLog", "orchestrator.setServerPassword"]) {
      assert.ok(commands.includes(id), `${id} is registered`);
    }
  });

  test("contributes typed settings with bounds and defaults", () => {
    const config = vscode.workspace.getConfiguration("orchestrator");
    assert.equal(config.get("turnLivenessSeconds"), 300);
    assert.equal(config.get("demoMode"), "auto");
    const properties = vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON.contributes.configuration.properties;
    assert.equal(properties["orchestrator.turnLivenessSeconds"].minimum, 10);
    assert.deepEqual(properties["orchestrator.demoMode"].enum, ["auto", "always", "never"]);
  });

  test("Run Task with a mission runs a Worker that writes into the workspace", async () => {
    await vscode.commands.executeCommand("orchestrator.runTask", "Write a greeting into hello.md");
    const content = new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder(), "hello.md")));
    assert.equal(content, "Hello from the extension host suite\n");
    const snapshot = api().snapshot;
    assert.equal(snapshot.phase, "done");
    assert.deepEqual(snapshot.filesChanged, ["hello.md"]);
    assert.ok(snapshot.sessionId?.startsWith("ses_"));
    assert.equal(snapshot.demo, false, "a configured provider means no demo model");
  });

  test("a whitespace-only mission runs nothing", async () => {
    const before = api().snapshot;
    await vscode.commands.executeCommand("orchestrator.runTask", "   \n  ");
    assert.deepEqual(api().snapshot, before);
  });

  test("Stop aborts the running mission", async () => {
    const running = vscode.commands.executeCommand("orchestrator.runTask", "stall until stopped");
    await until(() => api().snapshot.phase === "running" && api().snapshot.sessionId !== undefined, "the Worker session");
    await vscode.commands.executeCommand("orchestrator.stop");
    await running;
    assert.equal(api().snapshot.phase, "stopped");
  });

  test("the dashboard opens as a webview panel", async () => {
    await vscode.commands.executeCommand("orchestrator.openDashboard");
    await until(() => vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith("orchestrator.dashboard"))), "the dashboard tab", 10_000);
  });
});
