/**
 * Plan approval in real VS Code (code-server) with the packaged VSIX, the real OpenCode server and
 * the scripted model priced through the workspace's provider config: the plan's estimate is shown
 * before any Worker starts, its TODOs are listed, and each answer does what it says — Replan (with
 * the user's sentence) plans again, Approve runs the plan, Cancel (from the dashboard, the
 * notification closed) stops the mission with nothing run. A waiting plan is impossible to miss
 * (issue 27): its answers are rows of the TODO view with the estimate in the view's message, and
 * the status bar opens them; the first estimate is near what the mission then uses.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { missionScenario, todo } from "../../src/orchestrator/scriptedModel/missionScenario";
import type { ScriptedModel } from "../../src/orchestrator/scriptedModel/server";
import type { VsCodeSession } from "../support/codeServer";
import type { Usage } from "../../src/orchestrator/domain/state";
import { actUntilShown, dashboardFrame, pane, rows, toast } from "../support/workbench";
import { runCommand, runTask } from "../support/palette";
import type { Sandbox } from "../support/isolation";
import { withScriptedVsCode } from "../support/scriptedVsCode";

let sandbox: Sandbox;
let model: ScriptedModel;
let vscode: VsCodeSession;

const PLANS = [{ todos: [todo("P1", [], ["p1.md"]), todo("P2", ["P1"], ["p2.md"])] }, { todos: [todo("Q1", [], ["q1.md"])] }, { todos: [todo("R1", [], ["r1.md"])] }];
withScriptedVsCode(
  { prefix: "orch-ui-approve-", scenario: (workspace) => missionScenario({ workspace, latencyMs: 300, plans: PLANS }), settings: { "orchestrator.approvePlan": "always" }, modelCost: { input: 3, output: 15 } },
  (session) => ({ sandbox, model, vscode } = session),
);

const planReady = (vs: VsCodeSession, todos: string) => toast(vs.page, new RegExp(`the plan is ready — ${todos} · ~\\d+ turns, ~\\d+ model requests · ~[\\d.]+[kM]? tokens · (~\\$\\d+\\.\\d\\d|<\\$0\\.01)`));
const workerRequests = () => model.requests.filter((r) => r.role === "worker").length;
const missionStates = () => {
  const dir = join(sandbox.workspace, ".opencode", "orchestrator", "missions");
  return readdirSync(dir).map((id) => JSON.parse(readFileSync(join(dir, id, "mission.json"), "utf8")) as { mission: string; status: string; todos: Array<{ id: string }>; stopReason?: string; usageByRole: Record<string, Usage>; estimate?: { inputTokens: number; outputTokens: number; basis: string } });
};

test("the plan waits with its estimate; Replan with a sentence plans again; Approve runs the new plan only", () =>
  vscode.screenshotOnFailure("plan-approval", async () => {
    const { page } = vscode;
    await runTask(page, "Write the notes");
    const first = planReady(vscode, "2 TODOs");
    await first.waitFor({ timeout: 90_000 });
    // The TODO view opens on the proposal; the mission's row says it waits, the three answers are rows under it.
    await rows(page, "TODOs", /P2/).waitFor({ timeout: 30_000 });
    await rows(page, "TODOs", /Approve Plan\s*run it · 2 TODOs/).waitFor({ timeout: 10_000 });
    await vscode.screenshot("plan-approval");
    assert.equal(workerRequests(), 0, "nothing runs before the user answers");

    await first.getByRole("button", { name: "Replan…" }).click();
    const box = page.locator(".quick-input-widget", { hasText: "What should the new plan do differently?" });
    await box.waitFor();
    await box.locator("input").fill("One note is enough: q1.md.");
    await page.keyboard.press("Enter");

    const second = planReady(vscode, "1 TODO");
    await second.waitFor({ timeout: 90_000 });
    await second.getByRole("button", { name: "Approve" }).click();
    await toast(page, /mission sealed/).waitFor({ timeout: 90_000 });
    await rows(page, "TODOs", /Q1/).waitFor();
    assert.equal(await rows(page, "TODOs", /P1|P2/).count(), 0, "the declined plan left the view");

    assert.ok(existsSync(join(sandbox.workspace, "q1.md")));
    assert.ok(!existsSync(join(sandbox.workspace, "p1.md")) && !existsSync(join(sandbox.workspace, "p2.md")), "the declined plan never ran");
    const planners = model.requests.filter((r) => r.role === "planner" && r.step === 0 && r.attempt === 0);
    assert.equal(planners.length, 2);
    assert.match(planners[1]?.prompt ?? "", /One note is enough: q1\.md\./, "the Planner got the user's sentence");

    // The workspace's first estimate (no mission before it) against what the Workers and the Reviewer then used.
    const sealed = missionStates().find((s) => s.mission === "Write the notes");
    const estimated = (sealed?.estimate?.inputTokens ?? 0) + (sealed?.estimate?.outputTokens ?? 0);
    const used = ["worker", "reviewer"].reduce((n, role) => n + (sealed?.usageByRole[role]?.inputTokens ?? 0) + (sealed?.usageByRole[role]?.outputTokens ?? 0), 0);
    assert.equal(sealed?.estimate?.basis, "default");
    assert.ok(used > 0 && estimated >= used / 2 && estimated <= used * 4, `estimated ${estimated} tokens, used ${used}: within a factor of a few, not fifty`);
  }));

test("a closed notification decides nothing: the mission's row and the dashboard still offer the answers; Cancel stops the mission before any Worker", () =>
  vscode.screenshotOnFailure("plan-cancel", async () => {
    const { page } = vscode;
    const workersBefore = workerRequests();
    await runTask(page, "Write r1");
    const ready = planReady(vscode, "1 TODO");
    await ready.waitFor({ timeout: 90_000 });
    await ready.hover();
    await ready.locator('.codicon-notifications-clear, .codicon-close, [aria-label^="Clear Notification"]').first().click();
    await ready.waitFor({ state: "hidden" });
    // The proposal is listed under the mission's row, which says it waits and carries the answers.
    await rows(page, "TODOs", /R1/).waitFor();
    const row = rows(page, "TODOs", /Write r1.*waiting for your approval/);
    await row.hover();
    await row.locator('.action-label[aria-label="Cancel Plan"]').waitFor();
    await row.locator('.action-label[aria-label="Approve Plan"]').waitFor();
    // The row's hover (its tooltip) would lie over the dashboard's buttons: the mouse leaves it first.
    await page.mouse.move(700, 880);
    await page.locator(".context-view .hover-contents").waitFor({ state: "hidden", timeout: 30_000 });

    // The dashboard shows the estimate and answers too: Cancel from there.
    await runCommand(page, "Orchestrator: Open Dashboard");
    const frame = await dashboardFrame(page);
    await frame.locator("dd", { hasText: /1 TODO · ~\d+ turns.* — waiting for your approval/ }).waitFor({ timeout: 30_000 });
    await frame.locator("[data-action=approvePlan]").waitFor();
    await frame.locator("[data-action=cancelPlan]").click();

    await rows(page, "TODOs", /Write r1.*stopped/).waitFor({ timeout: 30_000 });
    await frame.locator("[data-action=cancelPlan]").waitFor({ state: "detached" });
    assert.equal(workerRequests(), workersBefore, "no Worker ran");
    assert.ok(!existsSync(join(sandbox.workspace, "r1.md")));
    const cancelled = missionStates().find((s) => s.mission === "Write r1");
    assert.equal(cancelled?.status, "stopped");
    assert.match(cancelled?.stopReason ?? "", /plan was cancelled/);
    assert.equal(await pane(page, "TODOs").locator('.action-label[aria-label="Approve Plan"]').count(), 0, "no answer is offered once the plan is gone");
  }));

test("a waiting plan is in plain sight: the TODO view shows its estimate and the three answers; the status bar opens them after the notification is gone", () =>
  vscode.screenshotOnFailure("plan-in-sight", async () => {
    const { page } = vscode;
    await runTask(page, "Write s1");
    const ready = planReady(vscode, "1 TODO");
    await ready.waitFor({ timeout: 90_000 });
    // The view's message carries the estimate; each answer is a row of its own, no hover needed.
    await pane(page, "TODOs").getByText(/The plan waits for your approval: 1 TODO · ~\d+ turns/).waitFor({ timeout: 10_000 });
    for (const answer of [/Approve Plan\s*run it · 1 TODO/, /Replan…\s*say what to change/, /Cancel Plan\s*stop the mission before any Worker/]) await rows(page, "TODOs", answer).waitFor();
    // The notification goes (closed, or sent to the notification centre): the question does not.
    await ready.hover();
    await ready.locator('.codicon-notifications-clear, .codicon-close, [aria-label^="Clear Notification"]').first().click();
    await ready.waitFor({ state: "hidden" });
    const pick = page.locator(".quick-input-widget", { hasText: /the plan waits for your approval — 1 TODO/ });
    await actUntilShown(() => page.locator(".statusbar-item", { hasText: "plan waiting for your approval" }).click(), pick);
    await vscode.screenshot("plan-approval-status-bar");
    await pick.locator(".quick-input-list .monaco-list-row", { hasText: "Approve" }).click();
    // This mission's row (an earlier mission's "sealed" toast may still be on screen).
    await rows(page, "TODOs", /Write s1\s*sealed/).waitFor({ timeout: 90_000 });
    assert.ok(existsSync(join(sandbox.workspace, "r1.md")), "the plan approved from the status bar ran");
    assert.equal(await rows(page, "TODOs", /Approve Plan/).count(), 0, "the answers leave with the question");
  }));
