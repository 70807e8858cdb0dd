/**
 * Run Task's model pick in real VS Code (code-server) with the packaged VSIX and the real OpenCode
 * server: the models OpenCode has configured are offered; the one picked runs the mission and shows
 * in the status bar and the TODO tree; Escape in the pick starts nothing. Then the Missions view:
 * the mission is in the workspace's history, and it reopens from there.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { missionScenario, todo } from "../../src/orchestrator/scriptedModel/missionScenario";
import type { ScriptedModel } from "../../src/orchestrator/scriptedModel/server";
import type { VsCodeSession } from "../support/codeServer";
import { openOrchestrator, pane, rows, toast } from "../support/workbench";
import { runTask } from "../support/palette";
import type { Sandbox } from "../support/isolation";
import { withScriptedVsCode } from "../support/scriptedVsCode";

let sandbox: Sandbox;
let model: ScriptedModel;
let vscode: VsCodeSession;

withScriptedVsCode(
  { prefix: "orch-ui-pick-", scenario: (workspace) => missionScenario({ workspace, latencyMs: 600, plans: [{ todos: [todo("M1", [], ["m1.md"])] }] }), settings: { "orchestrator.pickModel": "ask" } },
  (session) => ({ sandbox, model, vscode } = session),
);

const pickWidget = (vs: VsCodeSession) => vs.page.locator(".quick-input-widget", { hasText: "which model runs the mission" });

test("Escape in the model pick starts no mission", () =>
  vscode.screenshotOnFailure("model-pick-escape", async () => {
    const { page } = vscode;
    await runTask(page, "Never mind");
    await pickWidget(vscode).locator(".quick-input-list .monaco-list-row", { hasText: "scripted/scripted-model" }).first().waitFor({ timeout: 60_000 });
    await page.keyboard.press("Escape");
    await pickWidget(vscode).waitFor({ state: "hidden" });
    assert.equal(model.requests.length, 0, "no model request");
    const missions = join(sandbox.workspace, ".opencode", "orchestrator", "missions");
    let count = 0;
    try {
      count = readdirSync(missions).length;
    } catch {
      // no folder: no mission
    }
    assert.equal(count, 0, "no mission was created");
  }));

test("the models OpenCode has are offered; the one picked runs the mission and shows in the status bar and the tree", () =>
  vscode.screenshotOnFailure("model-pick", async () => {
    const { page } = vscode;
    await runTask(page, "Write m1");
    const row = pickWidget(vscode).locator(".quick-input-list .monaco-list-row", { hasText: "scripted/scripted-model" }).filter({ hasNotText: "OpenCode's default" }).first();
    await row.waitFor({ timeout: 60_000 });
    await vscode.screenshot("model-pick");
    await row.click();
    await page.locator(".statusbar-item", { hasText: /Orchestrator .*· scripted-model/ }).waitFor({ timeout: 60_000 });
    // The mission's root in the TODO tree names its model.
    await openOrchestrator(vscode.page);
    await rows(page, "TODOs", /Write m1.*scripted\/scripted-model/).waitFor({ timeout: 30_000 });
    await toast(page, /mission sealed/).waitFor({ timeout: 90_000 });
    const missions = join(sandbox.workspace, ".opencode", "orchestrator", "missions");
    const [id] = readdirSync(missions);
    const state = JSON.parse(readFileSync(join(missions, id as string, "mission.json"), "utf8")) as { model?: string };
    assert.equal(state.model, "scripted/scripted-model", "the mission records the model it ran with");
  }));

test("the Missions view lists the workspace's missions; one reopens from there, and is deleted for good", () =>
  vscode.screenshotOnFailure("mission-history", async () => {
    const { page } = vscode;
    await openOrchestrator(vscode.page);
    const header = pane(page, "Missions").locator(".pane-header");
    if ((await header.getAttribute("aria-expanded")) !== "true") await header.click();
    const row = rows(page, "Missions", /Write m1.*sealed · 1\/1 TODOs done/);
    await row.waitFor({ timeout: 30_000 });
    await vscode.screenshot("mission-history");
    await row.click();
    await rows(page, "TODOs", /M1 · Make M1/).waitFor({ timeout: 30_000 });
    await row.click({ button: "right" });
    await page.locator(".context-view .action-label", { hasText: "Delete Mission" }).waitFor();
    // The menu's last item, by keyboard (its items act on key or mouse-up, not on a synthetic click).
    await page.keyboard.press("ArrowUp");
    await page.keyboard.press("Enter");
    await page.locator(".monaco-dialog-box .monaco-button", { hasText: "Delete" }).click();
    await row.waitFor({ state: "detached", timeout: 30_000 });
    const missions = join(sandbox.workspace, ".opencode", "orchestrator", "missions");
    assert.deepEqual(readdirSync(missions).filter((f) => !f.startsWith(".")), [], "its folder is gone");
  }));
