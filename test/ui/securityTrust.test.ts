/**
 * In an untrusted workspace (Restricted Mode) no command starts an agent: Retry, Skip and Resume —
 * here bound to keys with a mission's TODO as their argument, as a tree item would pass it — each
 * say why they refuse, no OpenCode server starts, no model is asked, and the mission is untouched.
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { Locator, Page } from "playwright-core";
import type { TodoState } from "../../src/orchestrator/domain/state";
import { MissionStore } from "../../src/orchestrator/mission/missionStore";
import { missionScenario, todo } from "../../src/orchestrator/scriptedModel/missionScenario";
import { startScriptedModel, type ScriptedModel } from "../../src/orchestrator/scriptedModel/server";
import { openVsCode, type VsCodeSession } from "../support/codeServer";
import { writeScriptedOpencodeJson } from "../support/engineHarness";
import { BUNDLED_OPENCODE, createSandbox, REPO_ROOT, type Sandbox } from "../support/isolation";
import { opencodeServersIn } from "../support/processes";
import { toast } from "../support/workbench";

let sandbox: Sandbox;
let model: ScriptedModel;
let vscode: VsCodeSession;
let missionFile: string;
let missionBefore: string;
const KEYS = { retry: "Shift+Alt+F9", skip: "Shift+Alt+F10", resume: "Shift+Alt+F11" } as const;

before(async () => {
  sandbox = createSandbox("orch-untrusted-actions-");
  model = await startScriptedModel(missionScenario({ workspace: sandbox.workspace, plans: [{ todos: [todo("T1")] }] }));
  writeScriptedOpencodeJson(sandbox.workspace, model.baseURL);
  // A stopped mission with a failed TODO: Retry, Skip and Resume would each resume it.
  const store = new MissionStore(sandbox.workspace);
  const state = store.create("Write t1.txt");
  const failed: TodoState = { ...todo("T1"), status: "failed", attempts: 3, sessions: [], reviewIssues: [], history: [{ at: 1, status: "failed" }] };
  Object.assign(state, { status: "stopped", todos: [failed] });
  store.save(state);
  missionFile = join(store.dir(state.id), "mission.json");
  missionBefore = readFileSync(missionFile, "utf8");
  const keybindings = [
    { key: KEYS.retry.toLowerCase(), command: "orchestrator.retryTodo", args: `todo:${state.id}:T1` },
    { key: KEYS.skip.toLowerCase(), command: "orchestrator.skipTodo", args: `todo:${state.id}:T1` },
    { key: KEYS.resume.toLowerCase(), command: "orchestrator.resume", args: state.id },
  ];
  mkdirSync(join(sandbox.root, "vscode-user", "User"), { recursive: true });
  writeFileSync(join(sandbox.root, "vscode-user", "User", "keybindings.json"), JSON.stringify(keybindings));
  vscode = await openVsCode({ sandbox, artifacts: join(REPO_ROOT, "test-results", "ui"), untrusted: true, settings: { "orchestrator.opencode.path": BUNDLED_OPENCODE } });
});

after(async () => {
  await vscode?.close();
  await model?.close();
  sandbox?.remove();
});

/**
 * Presses `key` until `shown` is visible. A press can be lost on a busy machine (the workbench has
 * not loaded the user's keybindings yet, or focus is still moving); pressing again is harmless here:
 * the workbench shows one toast per message, the assertion after this counts them.
 */
async function pressUntilShown(page: Page, key: string, shown: Locator): Promise<void> {
  for (let press = 1; ; press++) {
    await page.locator(".monaco-workbench").click({ position: { x: 700, y: 400 } });
    await page.keyboard.press(key);
    try {
      await shown.waitFor({ timeout: 20_000 });
      return;
    } catch (error) {
      if (press === 6) throw error;
    }
  }
}

test("Retry, Skip and Resume refuse in Restricted Mode: nothing starts, the mission is untouched", () =>
  vscode.screenshotOnFailure("untrusted-actions", async () => {
    const { page } = vscode;
    const refusal = toast(page, /runs no agents in an untrusted workspace/);
    for (const [action, key] of Object.entries(KEYS)) {
      await pressUntilShown(page, key, refusal.first());
      assert.equal(await refusal.count(), 1, `${action}: refused, once`);
      await refusal.first().hover();
      await refusal.first().locator(".codicon-notifications-clear, .codicon-close").first().click();
      await refusal.first().waitFor({ state: "detached", timeout: 10_000 });
    }
    await vscode.screenshot("untrusted-actions");
    assert.equal(model.requests.length, 0, "no model request");
    const opencode = opencodeServersIn(sandbox.workspace);
    assert.deepEqual(opencode, [], "no OpenCode server was started");
    assert.equal(readFileSync(missionFile, "utf8"), missionBefore, "the mission was not touched");
  }));
