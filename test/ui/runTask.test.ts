/**
 * Real VS Code (code-server) in headless Chromium with the packaged VSIX, the real OpenCode server
 * started by the extension, and the scripted model: the Run Task flow as a user does it.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { missionScenario, todo } from "../../src/orchestrator/scriptedModel/missionScenario";
import type { ScriptedModel } from "../../src/orchestrator/scriptedModel/server";
import type { VsCodeSession } from "../support/codeServer";
import { toast } from "../support/workbench";
import { runCommand, runTask } from "../support/palette";
import type { Sandbox } from "../support/isolation";
import { withScriptedVsCode } from "../support/scriptedVsCode";

let sandbox: Sandbox;
let model: ScriptedModel;
let vscode: VsCodeSession;

withScriptedVsCode(
  {
    prefix: "orch-ui-",
    scenario: (workspace) =>
      missionScenario({
        workspace,
        latencyMs: 700, // long enough to see the mission running in the status bar
        plans: [{ todos: [todo("T1", [], ["hello.md"]), todo("T2", [], ["world.md"]), todo("T3", ["T1", "T2"], ["both.md"])] }],
        content: (id, _file, mission) => `# ${id}\n\n${mission}\n`,
      }),
  },
  (session) => ({ sandbox, model, vscode } = session),
);

test("an empty mission is refused with a message", () =>
  vscode.screenshotOnFailure("empty-mission", async () => {
    const { page } = vscode;
    await runCommand(page, "Orchestrator: Run Task");
    await page.locator(".quick-input-widget", { hasText: "Orchestrator: Run Task" }).waitFor();
    await page.locator(".quick-input-widget input").fill("   ");
    await page.locator(".quick-input-widget", { hasText: "Describe the mission" }).waitFor();
    await page.locator(".quick-input-widget input").fill("");
    await page.keyboard.press("Enter");
    await toast(page, /Describe the mission/).waitFor();
    assert.equal(model.requests.length, 0, "nothing was sent to a model");
  }));

test("Run Task from the palette runs a mission to sealed; the status bar shows progress and a stop button", () =>
  vscode.screenshotOnFailure("run-task", async () => {
    const { page } = vscode;
    await runTask(page, "Write a greeting");
    const stop = page.locator(".statusbar-item", { hasText: "Stop" });
    await stop.waitFor({ state: "visible", timeout: 60_000 });
    // Progress "done/total · running" appears once the plan is in, with the model that runs it: no
    // model is set, so OpenCode's default runs it, named as the model it is (issue 27).
    await page.locator(".statusbar-item", { hasText: /Orchestrator 0\/3 done · 2 running · scripted\/scripted-model/ }).waitFor({ timeout: 60_000 });
    await vscode.screenshot("status-bar-running");
    await toast(page, /mission sealed — 3\/3 TODOs done and reviewed/).waitFor({ timeout: 90_000 });
    await vscode.screenshot("mission-sealed");
    for (const [file, id] of [["hello.md", "T1"], ["world.md", "T2"], ["both.md", "T3"]]) {
      assert.equal(readFileSync(join(sandbox.workspace, file as string), "utf8"), `# ${id}\n\nWrite a greeting\n`);
    }
    await stop.waitFor({ state: "hidden" });
    const roles = new Set(model.requests.map((r) => r.role));
    assert.deepEqual([...roles].sort(), ["planner", "reviewer", "worker"], "the Planner, Workers and Reviewer all worked");
  }));
