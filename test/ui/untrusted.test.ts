/** An untrusted workspace (VS Code's Restricted Mode) runs no agent: nothing starts, nothing is asked of a model. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { missionScenario, todo } from "../../src/orchestrator/scriptedModel/missionScenario";
import { startScriptedModel, type ScriptedModel } from "../../src/orchestrator/scriptedModel/server";
import { openVsCode, type VsCodeSession } from "../support/codeServer";
import { writeScriptedOpencodeJson } from "../support/engineHarness";
import { BUNDLED_OPENCODE, createSandbox, REPO_ROOT, type Sandbox } from "../support/isolation";
import { opencodeServersIn } from "../support/processes";
import { runCommand } from "../support/palette";

let sandbox: Sandbox;
let model: ScriptedModel;
let vscode: VsCodeSession;

before(async () => {
  sandbox = createSandbox("orch-untrusted-");
  model = await startScriptedModel(missionScenario({ workspace: sandbox.workspace, plans: [{ todos: [todo("U1")] }] }));
  writeScriptedOpencodeJson(sandbox.workspace, model.baseURL);
  vscode = await openVsCode({ sandbox, artifacts: join(REPO_ROOT, "test-results", "ui"), untrusted: true, settings: { "orchestrator.opencode.path": BUNDLED_OPENCODE } });
});

after(async () => {
  await vscode?.close();
  await model?.close();
  sandbox?.remove();
});

test("Run Task in an untrusted workspace explains why and starts nothing", () =>
  vscode.screenshotOnFailure("untrusted", async () => {
    const { page } = vscode;
    await runCommand(page, "Orchestrator: Run Task");
    await page.locator(".notifications-toasts .notification-toast", { hasText: /runs no agents in an untrusted workspace/ }).waitFor({ timeout: 30_000 });
    await vscode.screenshot("untrusted");
    assert.equal(model.requests.length, 0, "no model request");
    const opencode = opencodeServersIn(sandbox.workspace);
    assert.deepEqual(opencode, [], "no OpenCode server was started");
  }));
