/**
 * Run Task's model pick in real VS Code (code-server) with the packaged VSIX and the real OpenCode
 * server: opening the Orchestrator view starts OpenCode in the background, so the pick lists the
 * models at once (issue 27); the models OpenCode has configured are offered, each once; the one
 * picked runs the mission and shows by its one name in the status bar and the TODO tree; Escape in
 * the pick starts nothing. Then the Missions view: the mission is in the workspace's history, as the
 * tree has it on the same update, and it reopens from there.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { missionScenario, todo } from "../../src/orchestrator/scriptedModel/missionScenario";
import type { ScriptedModel } from "../../src/orchestrator/scriptedModel/server";
import type { VsCodeSession } from "../support/codeServer";
import { actUntilShown, openOrchestrator, pane, rows, toast } from "../support/workbench";
import { opencodeServersIn } from "../support/processes";
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

/** Whether the extension's log (under code-server's user data) has a line matching. */
function logged(line: RegExp): boolean {
  const root = join(sandbox.root, "vscode-user", "logs");
  let files: string[];
  try {
    files = readdirSync(root, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".log"));
  } catch {
    return false;
  }
  return files.some((f) => {
    try {
      return line.test(readFileSync(join(root, f), "utf8"));
    } catch {
      return false;
    }
  });
}

async function until(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !check(); ) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

test("opening the Orchestrator view starts OpenCode in the background: Run Task's pick then lists the models at once", () =>
  vscode.screenshotOnFailure("model-pick-warm", async () => {
    const { page } = vscode;
    assert.equal(opencodeServersIn(sandbox.workspace).length, 0, "nothing started before the view is opened");
    await openOrchestrator(page);
    await until("OpenCode to start and list its models", () => logged(/Run Task's model pick has 1 model\(s\) to show at once/), 120_000);
    assert.ok(opencodeServersIn(sandbox.workspace).length > 0, "the server runs before any mission");
    assert.equal(model.requests.length, 0, "and asked no model anything");
    await runTask(page, "Never mind");
    const widget = pickWidget(vscode);
    await widget.waitFor({ timeout: 30_000 });
    // At once: the pick opens with the models, never "Starting OpenCode to list its models…".
    assert.match((await widget.locator("input").getAttribute("placeholder")) ?? "", /^Pick a model/);
    await widget.locator(".quick-input-list .monaco-list-row", { hasText: "scripted/scripted-model" }).first().waitFor({ timeout: 1_000 });
    await page.keyboard.press("Escape");
    await widget.waitFor({ state: "hidden" });
  }));

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
    const listed = pickWidget(vscode).locator(".quick-input-list .monaco-list-row", { hasText: "scripted/scripted-model" });
    const row = listed.first();
    await row.waitFor({ timeout: 60_000 });
    // OpenCode's default is the model it is: listed once, marked as the default.
    assert.equal(await listed.count(), 1, "the default model is not listed twice");
    assert.match((await row.textContent()) ?? "", /OpenCode's default/);
    await vscode.screenshot("model-pick");
    await row.click();
    // One model line everywhere: the status bar and the mission's row in the TODO tree name it alike.
    await page.locator(".statusbar-item", { hasText: /Orchestrator .*· scripted\/scripted-model/ }).waitFor({ timeout: 60_000 });
    await openOrchestrator(vscode.page);
    await rows(page, "TODOs", /Write m1.*scripted\/scripted-model/).waitFor({ timeout: 30_000 });
    const header = pane(page, "Missions").locator(".pane-header");
    if ((await header.getAttribute("aria-expanded")) !== "true") await header.click();
    await toast(page, /mission sealed/).waitFor({ timeout: 90_000 });
    // The history follows the tree on the same update: when the tree says sealed, so does the Missions view.
    await rows(page, "TODOs", /Write m1\s*sealed/).waitFor({ timeout: 10_000 });
    await rows(page, "Missions", /Write m1\s*sealed · 1\/1 TODOs done/).waitFor({ timeout: 1_000 });
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
    // The menu's last item, by keyboard (its items act on key or mouse-up, not on a synthetic click);
    // a key lost on a busy machine, or a menu closed by the list's refresh, is tried again.
    const confirm = page.locator(".monaco-dialog-box .monaco-button", { hasText: "Delete" });
    await actUntilShown(async () => {
      if (await page.locator(".context-view .action-label").count()) await page.keyboard.press("Escape");
      await row.click({ button: "right" });
      await page.locator(".context-view .action-label", { hasText: "Delete Mission" }).waitFor({ timeout: 10_000 }).catch(() => undefined);
      await page.keyboard.press("ArrowUp");
      await page.keyboard.press("Enter");
    }, confirm, { eachMs: 10_000 });
    await confirm.click();
    await row.waitFor({ state: "detached", timeout: 30_000 });
    const missions = join(sandbox.workspace, ".opencode", "orchestrator", "missions");
    assert.deepEqual(readdirSync(missions).filter((f) => !f.startsWith(".")), [], "its folder is gone");
  }));
