/**
 * A fresh machine without OpenCode, in real VS Code (code-server) with the packaged VSIX: Run Task
 * says what is missing with two ways on — Open Settings lands on the setting (in a remote window
 * machine-scoped settings live under the Remote tab; the User tab would show "No Settings Found"),
 * and Install OpenCode asks before it runs the install in a terminal the user sees. The mission
 * typed is kept, to be resumed once OpenCode is there. The terminal's npm runs with --dry-run (its
 * environment, set by the test), so nothing is installed on the machine running the test.
 */
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { openVsCode, type VsCodeSession } from "../support/codeServer";
import { openOrchestrator, rows, toast } from "../support/workbench";
import { runTask } from "../support/palette";
import { createSandbox, REPO_ROOT, type Sandbox } from "../support/isolation";

let sandbox: Sandbox;
let vscode: VsCodeSession;

before(async () => {
  sandbox = createSandbox("orch-ui-missing-");
  mkdirSync(join(sandbox.root, "npm-global"), { recursive: true });
  vscode = await openVsCode({
    sandbox,
    artifacts: join(REPO_ROOT, "test-results", "ui"),
    withoutOpencode: true,
    settings: {
      "terminal.integrated.env.linux": { npm_config_dry_run: "true", npm_config_prefix: join(sandbox.root, "npm-global") },
      // The DOM renderer: the terminal's text is in the page, where the test can read it.
      "terminal.integrated.gpuAcceleration": "off",
    },
  });
});

after(async () => {
  const left = await vscode?.close();
  sandbox?.remove();
  assert.deepEqual(left ?? [], [], "closing VS Code leaves no process behind");
});

const missing = (vs: VsCodeSession) => toast(vs.page, /OpenCode not found\. Set .orchestrator\.opencode\.path. to the opencode binary/);

test("Run Task without OpenCode: the mission is kept; Open Settings shows the setting in the Remote tab", () =>
  vscode.screenshotOnFailure("opencode-missing", async () => {
    const { page } = vscode;
    await runTask(page, "Write x");
    const error = missing(vscode);
    await error.waitFor({ timeout: 60_000 });
    assert.doesNotMatch((await error.textContent()) ?? "", /`/, "no raw backticks in the message");
    await vscode.screenshot("opencode-missing");
    // The mission typed is not lost: it waits, stopped, with the reason.
    await openOrchestrator(page);
    await rows(page, "TODOs", /Write x.*stopped/).waitFor({ timeout: 30_000 });
    const dir = join(sandbox.workspace, ".opencode", "orchestrator", "missions");
    const [id] = readdirSync(dir);
    const state = JSON.parse(readFileSync(join(dir, id as string, "mission.json"), "utf8")) as { status: string; stopReason?: string };
    assert.equal(state.status, "stopped");
    assert.match(state.stopReason ?? "", /OpenCode did not start: OpenCode not found/);

    await error.getByRole("button", { name: "Open Settings" }).click();
    const editor = page.locator(".settings-editor");
    await editor.waitFor({ timeout: 30_000 });
    await editor.locator(".setting-item-contents", { hasText: "Opencode: Path" }).first().waitFor({ timeout: 30_000 });
    // The setting says where it lives: a machine setting is only under the Remote tab in a remote window (issue 27).
    await editor.locator(".setting-item-contents", { hasText: "Opencode: Path" }).first().locator(".setting-item-description", { hasText: /in a remote window .* it is under the Remote tab of the Settings editor; the User and Workspace tabs do not list it/ }).waitFor({ timeout: 10_000 });
    assert.equal(await editor.getByText("No Settings Found").isVisible(), false);
    assert.match((await editor.locator(".settings-tabs-widget .action-item .checked, .settings-tabs-widget .action-item.checked").first().textContent()) ?? "", /Remote/, "the Remote tab, where machine settings live");
    await vscode.screenshot("open-settings-remote");
    await page.keyboard.press("Escape");
    await editor.waitFor({ state: "hidden" });
  }));

test("Install OpenCode asks first, then runs the install in a terminal the user sees", () =>
  vscode.screenshotOnFailure("install-opencode", async () => {
    const { page } = vscode;
    await runTask(page, "Write y");
    const error = missing(vscode);
    await error.waitFor({ timeout: 60_000 });
    await error.getByRole("button", { name: "Install OpenCode" }).click();
    const dialog = page.locator(".monaco-dialog-box", { hasText: "Install OpenCode with “npm install -g @opencode/cli” in a terminal?" });
    await dialog.waitFor();
    assert.equal(await page.locator(".terminal-tabs-entry, .single-terminal-tab", { hasText: "Install OpenCode" }).count(), 0, "nothing runs before the user agrees");
    await dialog.getByRole("button", { name: "Install" }).click();
    await page.locator(".single-terminal-tab, .terminal-tabs-entry", { hasText: "Install OpenCode" }).first().waitFor({ timeout: 30_000 });
    await page.locator(".xterm-rows", { hasText: "npm install -g @opencode/cli" }).first().waitFor({ timeout: 30_000 });
    await vscode.screenshot("install-opencode");
  }));
