/**
 * Demo mode in real VS Code (code-server) with the packaged VSIX and the real OpenCode server, on a
 * machine with no model provider configured (issue 27): the demo-model notification is shown once
 * per window, and from then on every surface says "demo model" — the status bar, the mission's row,
 * after a window reload too (not "orchestrator-demo/scripted"). A mission's report opens as a
 * read-only document that never asks to be saved.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { openVsCode, type VsCodeSession } from "../support/codeServer";
import { BUNDLED_OPENCODE, createSandbox, REPO_ROOT, type Sandbox } from "../support/isolation";
import { openOrchestrator, pane, rows, toast } from "../support/workbench";
import { runCommand, runTask } from "../support/palette";

let sandbox: Sandbox;
let vscode: VsCodeSession;

before(async () => {
  // No opencode.json and an empty HOME: OpenCode has no provider, the extension plays its demo model.
  sandbox = createSandbox("orch-ui-demo-");
  vscode = await openVsCode({ sandbox, artifacts: join(REPO_ROOT, "test-results", "ui"), settings: { "orchestrator.opencode.path": BUNDLED_OPENCODE } });
});

after(async () => {
  const left = await vscode?.close();
  sandbox?.remove();
  assert.deepEqual(left ?? [], [], "closing VS Code leaves no process behind");
});

const demoToast = (vs: VsCodeSession) => toast(vs.page, /Orchestrator is using its demo model/);

/** The notification centre's entries that match (the toasts hide; the centre keeps them). */
async function inCentre(vs: VsCodeSession, text: RegExp): Promise<number> {
  await runCommand(vs.page, "Notifications: Show Notifications");
  const centre = vs.page.locator(".notifications-center");
  await centre.waitFor();
  const count = await centre.locator(".notification-list-item", { hasText: text }).count();
  await runCommand(vs.page, "Notifications: Hide Notifications");
  await centre.waitFor({ state: "hidden" });
  return count;
}

test("the demo model is told once per window; the status bar and the mission's row say it on every mission, after a reload too", () =>
  vscode.screenshotOnFailure("demo", async () => {
    const { page } = vscode;
    await runTask(page, "Write a haiku about the sea");
    const told = demoToast(vscode);
    await told.waitFor({ timeout: 120_000 });
    await page.locator(".statusbar-item", { hasText: /Orchestrator .*· demo model/ }).waitFor({ timeout: 60_000 });
    // The user has read it and closes it.
    await told.hover();
    await told.locator('.codicon-notifications-clear, .codicon-close, [aria-label^="Clear Notification"]').first().click();
    await told.waitFor({ state: "hidden" });
    await toast(page, /mission sealed — 4\/4 TODOs done/).waitFor({ timeout: 120_000 });

    await runTask(page, "Write another haiku");
    await page.locator(".statusbar-item", { hasText: /Orchestrator .*· demo model/ }).waitFor({ timeout: 60_000 });
    await openOrchestrator(page);
    await rows(page, "TODOs", /Write another haiku.*demo model/).waitFor({ timeout: 30_000 });
    // This mission's row (the first mission's "sealed" toast may still be on screen).
    await rows(page, "TODOs", /Write another haiku\s*sealed/).waitFor({ timeout: 120_000 });
    // Not again: the status bar and the row say it now.
    assert.equal(await demoToast(vscode).count(), 0, "the demo notification did not come back");
    assert.equal(await inCentre(vscode, /using its demo model/), 0, "nor waits in the notification centre");

    // After a reload the mission shown is still the demo's, by that name.
    await vscode.reload();
    await openOrchestrator(page);
    await rows(page, "TODOs", /Write another haiku\s*sealed .*demo model/).waitFor({ timeout: 60_000 });
    assert.equal(await rows(page, "TODOs", /orchestrator-demo/).count(), 0, "not the demo provider's id");
    await vscode.screenshot("demo-after-reload");
  }));

test("Show Mission Report opens a read-only document, not an Untitled one that asks to be saved", () =>
  vscode.screenshotOnFailure("mission-report", async () => {
    const { page } = vscode;
    await openOrchestrator(page);
    const header = pane(page, "Missions").locator(".pane-header");
    if ((await header.getAttribute("aria-expanded")) !== "true") await header.click();
    const row = rows(page, "Missions", /Write another haiku/);
    await row.waitFor({ timeout: 30_000 });
    await row.click({ button: "right" });
    const item = page.locator(".context-view .action-label", { hasText: "Show Mission Report" });
    await item.waitFor();
    // The menu acts on key or mouse-up: walk to the item by keyboard.
    const labels = (await page.locator(".context-view .action-label").allTextContents()).filter((l) => l.trim());
    for (let i = 0; i <= labels.findIndex((l) => l.includes("Show Mission Report")); i++) await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Enter");
    const tab = page.locator(".tab", { hasText: /Report — Write another haiku/ });
    await tab.waitFor({ timeout: 30_000 });
    assert.equal(await page.locator(".tab", { hasText: /Untitled/ }).count(), 0, "no Untitled document");
    await page.locator(".monaco-editor", { hasText: "Mission sealed" }).first().waitFor({ timeout: 30_000 });
    await vscode.screenshot("mission-report");
    // Typing changes nothing (read-only), and closing asks nothing.
    await page.locator(".monaco-editor .view-lines").first().click();
    await page.keyboard.type("x");
    assert.equal(await page.locator(".tab.dirty").count(), 0, "nothing to save");
    await page.keyboard.press("Control+W");
    await tab.waitFor({ state: "detached", timeout: 10_000 });
    assert.equal(await page.locator(".monaco-dialog-box").count(), 0, "no question on close");
  }));
