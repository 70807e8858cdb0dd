/**
 * The agents' changes in real VS Code (code-server + headless Chromium + the packaged VSIX + real
 * OpenCode + the scripted model): the TODO tree lists each TODO's files with +/−, Show Changes opens
 * VS Code's diff editor on the Worker's change, Revert Mission puts the workspace back. A reverted
 * mission is shown as reverted (issue 27): Undo Revert is its action, its checks' marks are stale,
 * the diffs of what is gone are closed; the multi-file diff shows an added file as added.
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
import { pane, rows, toast } from "../support/workbench";
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
      // Each with an acceptance check the orchestrator runs itself: its ✓ is on the row.
      plans: [{ todos: [{ ...todo("G1", [], ["greeting.md"]), check: "grep -q Orchestrator greeting.md" }, { ...todo("G2", [], ["farewell.md"]), check: "test -f farewell.md" }] }],
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
    const g1 = rows(page, "TODOs", /G1 · Make G1.*done · worker · ✓ check passed · 1 file \+2 −1/);
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
    // An added file is added ("A"), not a rename from a file that never was, struck through.
    const header = (file: string) => page.locator(".multiDiffEntry .header", { hasText: file }).first();
    await header("farewell.md").waitFor();
    const added = (await header("farewell.md").innerText()).replace(/\s+/g, " ");
    assert.doesNotMatch(added, /\bR\b/, `the added file's header: ${added}`);
    assert.match(added, /\bA\b/, `the added file's header: ${added}`);
    const modified = (await header("greeting.md").innerText()).replace(/\s+/g, " ");
    assert.doesNotMatch(modified, /\bR\b/, `a changed file is no rename either: ${modified}`);
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
    // Shown as reverted, with Undo Revert as its action: not "stopped" with Resume, which would redo the work.
    await rows(page, "TODOs", /Improve the greeting and add a farewell\s*reverted/).waitFor({ timeout: 10_000 });
    const undo = page.locator(".statusbar-item", { hasText: "Undo Revert" });
    await undo.waitFor({ timeout: 10_000 });
    assert.equal(await page.locator(".statusbar-item", { hasText: "Resume mission" }).count(), 0, "no Resume offered");
    assert.equal(await rows(page, "TODOs", /G\d · Make G\d.*✓/).count(), 0, "no ✓ for checks of changes that are gone");
    await rows(page, "TODOs", /G1 · Make G1.*check stale \(reverted\)/).waitFor();
    // The diff of what is gone is closed.
    await page.locator(".tab", { hasText: /Mission changes/ }).waitFor({ state: "detached", timeout: 10_000 });
    await vscode.screenshot("mission-reverted");

    // Undo Revert from the status bar: the changes come back, the mission is sealed again.
    await undo.click();
    await toast(page, /the revert was undone/).waitFor({ timeout: 30_000 });
    assert.match(readFileSync(join(sandbox.workspace, "greeting.md"), "utf8"), /Hello from the Orchestrator\./);
    assert.ok(existsSync(join(sandbox.workspace, "farewell.md")));
    await rows(page, "TODOs", /Improve the greeting and add a farewell\s*sealed/).waitFor({ timeout: 10_000 });
    await rows(page, "TODOs", /G1 · Make G1.*done · worker · ✓ check passed/).waitFor();
    assert.equal(await pane(page, "TODOs").locator(".monaco-list-row", { hasText: /reverted/ }).count(), 0);
  }));
