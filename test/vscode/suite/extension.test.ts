/**
 * The extension against the real `vscode` API, in a real extension host, with the real OpenCode
 * server it starts itself. The workspace's opencode.json points OpenCode at the scripted model.
 */
import assert from "node:assert/strict";
import * as vscode from "vscode";
import { COMMAND_IDS } from "../../../src/shared/commands";
import { api, EXTENSION_ID, until } from "./support";


suite("Orchestrator in the extension host", () => {
  const folder = () => vscode.workspace.workspaceFolders?.[0]?.uri as vscode.Uri;

  test("activates and registers every command of the list", async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)?.activate();
    const commands = await vscode.commands.getCommands(true);
    assert.ok(COMMAND_IDS.length >= 25);
    for (const id of COMMAND_IDS) assert.ok(commands.includes(id), `${id} is registered`);
  });

  test("contributes typed settings with bounds and defaults", () => {
    const config = vscode.workspace.getConfiguration("orchestrator");
    assert.equal(config.get("turnLivenessSeconds"), 300);
    assert.equal(config.get("demoMode"), "auto");
    const properties = vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON.contributes.configuration.properties;
    assert.equal(properties["orchestrator.turnLivenessSeconds"].minimum, 10);
    assert.deepEqual(properties["orchestrator.demoMode"].enum, ["auto", "always", "never"]);
  });

  test("Run Task runs a whole mission: planned, worked, reviewed, sealed", async () => {
    await vscode.commands.executeCommand("orchestrator.runTask", "Write a greeting");
    const read = async (name: string) => new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder(), name)));
    assert.equal(await read("hello.md"), "H1 attempt 1\n");
    assert.equal(await read("world.md"), "H2 attempt 1\n");
    const snapshot = api().snapshot;
    assert.equal(snapshot.phase, "done");
    assert.equal(snapshot.status, "sealed");
    assert.deepEqual(snapshot.todos.map((t) => `${t.id}:${t.status}`), ["H1:done", "H2:done"]);
    assert.ok(snapshot.missionId);
    const state = JSON.parse(await read(`.opencode/orchestrator/missions/${snapshot.missionId}/mission.json`));
    assert.equal(state.status, "sealed");
    assert.equal(snapshot.demo, false, "a configured provider means no demo model");
  });

  test("a whitespace-only mission runs nothing", async () => {
    const before = api().snapshot;
    await vscode.commands.executeCommand("orchestrator.runTask", "   \n  ");
    assert.deepEqual(api().snapshot, before);
  });

  test("Stop aborts the running mission", async () => {
    const running = vscode.commands.executeCommand("orchestrator.runTask", "stall until stopped");
    await until(() => api().snapshot.counts.runningTodos > 0, "a running Worker");
    await vscode.commands.executeCommand("orchestrator.stop");
    await running;
    assert.equal(api().snapshot.phase, "stopped");
    assert.equal(api().snapshot.status, "stopped");
    assert.ok(api().snapshot.todos.every((t) => t.status === "pending"), "the stopped mission can be resumed");
  });

  test("the dashboard opens as a webview panel", async () => {
    await vscode.commands.executeCommand("orchestrator.openDashboard");
    await until(() => vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith("orchestrator.dashboard"))), "the dashboard tab", 10_000);
  });
});
