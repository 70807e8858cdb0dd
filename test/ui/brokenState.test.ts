/**
 * A workspace whose mission journal is corrupt (a `null` line) still activates the extension in
 * real VS Code: the TODO view and a notification say what is wrong and which line, and "Set Mission
 * Aside" moves the mission's folder out of the way, every file kept as it was.
 */
import assert from "node:assert/strict";
import { appendFileSync, existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { MissionStore } from "../../src/orchestrator/mission/missionStore";
import { openVsCode, type VsCodeSession } from "../support/codeServer";
import { BUNDLED_OPENCODE, createSandbox, REPO_ROOT, type Sandbox } from "../support/isolation";
import { pane, toast } from "../support/workbench";

let sandbox: Sandbox;
let vscode: VsCodeSession;
let brokenId: string;
let files: Record<string, string>;

before(async () => {
  sandbox = createSandbox("orch-broken-");
  const store = new MissionStore(sandbox.workspace);
  const state = store.create("A mission whose journal was damaged");
  store.record(state, { type: "mission.started", missionId: state.id, mission: state.mission, resumed: false });
  state.status = "stopped";
  store.record(state, { type: "mission.status", missionId: state.id, status: "stopped" });
  store.save(state);
  appendFileSync(join(store.dir(state.id), "events.jsonl"), "null\n");
  brokenId = state.id;
  files = Object.fromEntries(readdirSync(store.dir(state.id)).map((f) => [f, readFileSync(join(store.dir(state.id), f), "utf8")]));
  vscode = await openVsCode({ sandbox, artifacts: join(REPO_ROOT, "test-results", "ui"), settings: { "orchestrator.opencode.path": BUNDLED_OPENCODE } });
});

after(async () => {
  await vscode?.close();
  sandbox?.remove();
});

test("activation survives a corrupt journal; the view says what is wrong and the mission can be set aside, losing nothing", () =>
  vscode.screenshotOnFailure("broken-journal", async () => {
    const { page } = vscode;
    await page.locator('.activitybar .action-item a[aria-label^="Orchestrator"]').click();
    const problem = toast(page, /events\.jsonl line 3 is not a journal record \(Invalid input: expected object, received null\)/);
    await problem.waitFor({ timeout: 60_000 });
    await pane(page, "TODOs").getByText(/A mission in this workspace cannot be read/).waitFor({ timeout: 30_000 });
    await vscode.screenshot("broken-journal");
    await problem.getByRole("button", { name: "Set Mission Aside" }).click();
    await toast(page, new RegExp(`mission ${brokenId} was set aside, untouched`)).waitFor({ timeout: 30_000 });
    const missions = join(sandbox.workspace, ".opencode", "orchestrator", "missions");
    assert.equal(existsSync(join(missions, brokenId)), false);
    const aside = readdirSync(missions).find((d) => d.startsWith(`${brokenId}.broken-`));
    assert.ok(aside, "the folder was renamed beside the others");
    assert.deepEqual(Object.fromEntries(readdirSync(join(missions, aside)).map((f) => [f, readFileSync(join(missions, aside, f), "utf8")])), files, "every file as it was");
    // The view is as in any workspace without a mission: Run Task is offered.
    await pane(page, "TODOs").getByText(/cannot be read/).waitFor({ state: "detached", timeout: 30_000 });
    await pane(page, "TODOs").locator(".welcome-view-content").getByRole("button", { name: "Run Task" }).waitFor({ timeout: 30_000 });
  }));
