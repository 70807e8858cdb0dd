/**
 * The agents' changes in real VS Code (code-server + headless Chromium + the packaged VSIX + real
 * OpenCode + the scripted model): the TODO tree lists each TODO's files with +/−, Show Changes opens
 * VS Code's diff editor on the Worker's change, Revert Mission puts the workspace back.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { missionScenario, todo } from "../../src/orchestrator/scriptedModel/missionScenario";
import { startScriptedModel, type ScriptedModel } from "../../src/orchestrator/scriptedModel/server";
import { openVsCode, type VsCodeSession } from "../support/codeServer";
import { writeScriptedOpencodeJson } from "../support/engineHarness";
import { BUNDLED_OPENCODE, createSandbox, REPO_ROOT, type Sandbox } from "../support/isolation";
import { rows, toast } from "../support/workbench";
import { runCommand, runTask } from "../support/palette";

const ARTIFACTS = join(REPO_ROOT, "test-results", "ui");
let sandbox: Sandbox;
let model: ScriptedModel;
let vscode: VsCodeSession;


before(async () => {
  sandbox = createSandbox("orch-ui-changes-");
  writeFileSync(join(sandbox.workspace, "greeting.md"), "# Greeting\n\nHello.\n");
  execFileSync("git", ["add", "greeting.md"], { cwd: sandbox.workspace });
  execFileSync("git", ["-c", "user.email=u@u", "-c", "user.name=u", "commit", "-qm", "greeting"], { cwd: sandbox.workspace });
  model = await startScriptedModel(
    missionScenario({
      workspace: sandbox.workspace,
      plans: [{ todos: [todo("G1", [], ["greeting.md"]), todo("G2", [], ["farewell.md"])] }],
      content: (id, file) => (file.endsWith("greeting.md") ? "# Greeting\n\nHello from the Orchestrator.\nWritten by G1.\n" : `# Farewell\n\nWritten by ${id}.\n`),
    }),
  );
  writeScriptedOpencodeJson(sandbox.workspace, model.baseURL);
  vscode = await openVsCode({ sandbox, artifacts: ARTIFACTS, settings: { "orchestrator.opencode.path": BUNDLED_OPENCODE } });
});

after(async () => {
  await vscode?.close();
  await model?.close();
  sandbox?.remove();
});

test("the TODO tree lists each TODO's changed files; Show Changes opens the diff editor on the Worker's change", () =>
  vscode.screenshotOnFailure("show-changes", async () => {
    const { page } = vscode;
    await runTask(page, "Improve the greeting and add a farewell");
    await toast(page, /mission sealed — 2\/2 TODOs done/).waitFor({ timeout: 90_000 });
    await page.locator('.activitybar .action-item a[aria-label^="Orchestrator"]').click();
    const g1 = rows(page, "TODOs", /G1 · Make G1.*done · worker · 1 file \+2 −1/);
    await g1.waitFor({ timeout: 30_000 });
    await g1.locator(".monaco-tl-twistie").click(); // expand: its files (a click on the row opens its session)
    const file = rows(page, "TODOs", /greeting\.md\s*\+2 −1/);
    await file.waitFor();
    await vscode.screenshot("todo-changes");
    await file.click();
    const diff = page.locator(".monaco-diff-editor");
    await diff.first().waitFor({ timeout: 30_000 });
    await page.locator(".monaco-diff-editor", { hasText: "Hello from the Orchestrator." }).first().waitFor({ timeout: 30_000 });
    await page.locator(".tab", { hasText: /G1: Make G1/ }).first().waitFor();
    await vscode.screenshot("show-changes");
  }));

test("Review Mission Changes shows every file; Revert Mission restores the workspace as it was", () =>
  vscode.screenshotOnFailure("revert-mission", async () => {
    const { page } = vscode;
    await runCommand(page, "Orchestrator: Review Mission Changes");
    await page.locator(".tab", { hasText: /Mission changes/ }).first().waitFor({ timeout: 30_000 });
    await page.getByText("farewell.md").first().waitFor();
    await vscode.screenshot("review-mission-changes");
    await runCommand(page, "Orchestrator: Revert Mission");
    const dialog = page.locator(".monaco-dialog-box", { hasText: /put back every file the mission changed/ });
    await dialog.waitFor({ timeout: 30_000 });
    await vscode.screenshot("revert-mission-confirm");
    await dialog.getByRole("button", { name: "Revert Mission" }).click();
    await toast(page, /the mission's changes were reverted/).waitFor({ timeout: 30_000 });
    assert.equal(readFileSync(join(sandbox.workspace, "greeting.md"), "utf8"), "# Greeting\n\nHello.\n", "byte-exact as committed");
    assert.ok(!existsSync(join(sandbox.workspace, "farewell.md")));
    assert.equal(execFileSync("git", ["status", "--porcelain"], { cwd: sandbox.workspace, encoding: "utf8" }).split("\n").filter((l) => l && !l.includes("opencode.json")).join("\n"), "", "the repository is clean again");
    await rows(page, "TODOs", /G1 · Make G1.*reverted/).waitFor({ timeout: 10_000 });
    await vscode.screenshot("mission-reverted");
  }));
