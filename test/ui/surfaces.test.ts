/**
 * The native surfaces in real VS Code (code-server + headless Chromium + the packaged VSIX + real
 * OpenCode + the scripted model): TODO tree, Sessions view, dashboard, status bar stop and resume,
 * permission routing, and the dashboard after a window reload. Screenshots go to test-results/ui.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { Locator, Page } from "playwright-core";
import { call, tools } from "../../src/orchestrator/scriptedModel/scenario";
import { missionScenario, todo, type MissionScript } from "../../src/orchestrator/scriptedModel/missionScenario";
import { startScriptedModel, type ScriptedModel } from "../../src/orchestrator/scriptedModel/server";
import { openVsCode, type VsCodeSession } from "../support/codeServer";
import { writeScriptedOpencodeJson } from "../support/engineHarness";
import { BUNDLED_OPENCODE, createSandbox, REPO_ROOT, type Sandbox } from "../support/isolation";
import { dashboardFrame, pane, rows, toast } from "../support/workbench";
import { runCommand, runTask } from "../support/palette";

const ARTIFACTS = join(REPO_ROOT, "test-results", "ui");
let sandbox: Sandbox;
let model: ScriptedModel;
let vscode: VsCodeSession;
let outside: string;
let stall = true;

const titleAction = (page: Page, label: string): Locator => pane(page, "TODOs").locator(`.pane-header .action-label[aria-label="${label}"]`);


before(async () => {
  sandbox = createSandbox("orch-surfaces-");
  outside = mkdtempSync(join(tmpdir(), "orch-outside-"));
  const script: MissionScript = {
    workspace: sandbox.workspace,
    latencyMs: 600,
    plans: [{ todos: [todo("P1"), todo("P2"), todo("P3"), todo("P4", ["P1", "P2", "P3"], ["p4.txt"])] }, { todos: [todo("Q1"), todo("Q2")] }, { todos: [{ ...todo("A1", [], []), kind: "check" }] }, { todos: [{ ...todo("J1", [], []), kind: "check" }] }],
    workerOverride: (id, _attempt, ctx) => {
      // P4 also writes outside the workspace: OpenCode asks, the extension must route it to the user.
      if (id === "P4" && ctx.step === 0) return tools(call("write", { filePath: join(outside, "granted.txt"), content: "allowed\n" }), call("write", { filePath: join(sandbox.workspace, "p4.txt"), content: "P4\n" }));
      if (id.startsWith("Q") && stall) return { kind: "stall" };
      // J1 (a check: it changes no file) starts a build as a background job through the extension's MCP tools, then reports.
      if (id === "J1" && ctx.step === 0) return tools(call("orchestrator_background_start", { command: "echo compiling; sleep 2; echo compiled-ok" }));
      // A1 (a check: a decision, no file) asks the user a question through OpenCode's question tool before it reports.
      if (id === "A1" && ctx.step === 0) return tools(call("question", { questions: [{ question: "Which database should the API use?", header: "Database", options: [{ label: "SQLite", description: "a file" }, { label: "Postgres", description: "a server" }] }] }));
      return undefined;
    },
  };
  model = await startScriptedModel(missionScenario(script));
  writeScriptedOpencodeJson(sandbox.workspace, model.baseURL);
  vscode = await openVsCode({ sandbox, artifacts: ARTIFACTS, settings: { "orchestrator.opencode.path": BUNDLED_OPENCODE } });
});

after(async () => {
  await vscode?.close();
  await model?.close();
  sandbox?.remove();
  rmSync(outside, { recursive: true, force: true });
});

test("the Orchestrator container shows an empty TODOs view with Run Task", () =>
  vscode.screenshotOnFailure("welcome", async () => {
    const { page } = vscode;
    await page.locator('.activitybar .action-item a[aria-label^="Orchestrator"]').click();
    await pane(page, "TODOs").locator(".welcome-view-content").getByRole("button", { name: "Run Task" }).waitFor({ timeout: 60_000 });
    await vscode.screenshot("sidebar-welcome");
  }));

test("a mission fills the TODO tree and the Sessions view; a permission request is routed and allowed", () =>
  vscode.screenshotOnFailure("mission", async () => {
    const { page } = vscode;
    await runTask(page, "Build the surfaces");
    for (const id of ["P1", "P2", "P3", "P4"]) await rows(page, "TODOs", `${id} · Make ${id}`).waitFor({ timeout: 60_000 });
    // Three Workers at once, visibly parallel.
    await page.waitForFunction(() => [...document.querySelectorAll(".monaco-list-row")].filter((r) => /worker · P\d/.test(r.textContent ?? "") && /busy/.test(r.textContent ?? "")).length >= 3, undefined, { timeout: 60_000 });
    await page.locator(".statusbar-item", { hasText: /Orchestrator \d\/4 done · 3 running/ }).waitFor();
    // The view's title follows the mission: Stop while it runs.
    await titleAction(page, "Stop").waitFor({ state: "attached" });
    await vscode.screenshot("sidebar-running");
    const prompt = toast(page, /Worker \(TODO P4\) wants external_directory/);
    await prompt.waitFor({ timeout: 90_000 });
    await vscode.screenshot("permission-prompt");
    await prompt.getByRole("button", { name: "Allow Once" }).click();
    await toast(page, /mission sealed — 4\/4 TODOs done/).waitFor({ timeout: 90_000 });
    assert.ok(existsSync(join(outside, "granted.txt")), "the Worker wrote outside the workspace after Allow Once");
    for (const id of ["P1", "P2", "P3", "P4"]) await rows(page, "TODOs", new RegExp(`${id} · Make ${id}.*done`)).waitFor();
    await rows(page, "TODOs", /Build the surfaces.*sealed · 4\/4 done/).waitFor();
    // …and Run Task again once it ended (the context key must not stay "running").
    await titleAction(page, "Run Task").waitFor({ state: "attached", timeout: 10_000 });
    assert.equal(await titleAction(page, "Stop").count(), 0);
    await vscode.screenshot("sidebar-sealed");
  }));

test("the dashboard shows progress and the sealed state, and survives a window reload", () =>
  vscode.screenshotOnFailure("dashboard", async () => {
    const { page } = vscode;
    await runCommand(page, "Orchestrator: Open Dashboard");
    let frame = await dashboardFrame(page);
    await frame.locator("[data-testid=phase]", { hasText: "sealed" }).waitFor({ timeout: 30_000 });
    await frame.locator(".facts", { hasText: "4/4 done" }).waitFor();
    await frame.locator("[data-testid=timeline]", { hasText: "Mission sealed" }).waitFor();
    await vscode.screenshot("dashboard-sealed");
    await vscode.reload();
    frame = await dashboardFrame(page);
    await frame.locator("[data-testid=phase]", { hasText: "sealed" }).waitFor({ timeout: 60_000 });
    await frame.locator("[data-testid=todos]", { hasText: "P4" }).waitFor();
    await vscode.screenshot("dashboard-after-reload");
  }));

test("the status-bar stop button stops a running mission; after a reload Resume is offered and finishes it", () =>
  vscode.screenshotOnFailure("stop-resume", async () => {
    const { page } = vscode;
    stall = true;
    await runTask(page, "Stall until stopped");
    await page.waitForFunction(() => [...document.querySelectorAll(".monaco-list-row")].filter((r) => /worker · Q\d/.test(r.textContent ?? "") && /busy/.test(r.textContent ?? "")).length >= 2, undefined, { timeout: 60_000 });
    await vscode.screenshot("status-bar-running");
    await page.locator(".statusbar-item", { hasText: "Stop" }).click();
    await toast(page, /mission stopped/).waitFor({ timeout: 30_000 });
    await rows(page, "TODOs", /Stall until stopped.*stopped/).waitFor();
    await rows(page, "Sessions", /worker · Q1.*aborted/).waitFor();
    // The view refreshes a few times a second: give it that long to show the last abort.
    for (let i = 0; i < 40 && (await rows(page, "Sessions", /busy/).count()) > 0; i++) await page.waitForTimeout(100);
    assert.equal(await rows(page, "Sessions", /busy/).count(), 0, "no session is busy after stop");
    const resume = page.locator(".statusbar-item", { hasText: "Resume mission" });
    await resume.waitFor();
    await vscode.screenshot("status-bar-resume");
    // A reload (the extension host restarts) finds the unfinished mission and offers it again.
    await vscode.reload();
    await toast(page, /an unfinished mission was found \(stopped\): "Stall until stopped"/).waitFor({ timeout: 60_000 });
    await rows(page, "TODOs", /Stall until stopped.*stopped/).waitFor();
    stall = false;
    await resume.click();
    await toast(page, /mission sealed — 2\/2 TODOs done/).waitFor({ timeout: 90_000 });
    assert.ok(existsSync(join(sandbox.workspace, "q1.txt")) && existsSync(join(sandbox.workspace, "q2.txt")));
  }));

test("a question from a Worker becomes a quick pick, and the answer reaches the agent", () =>
  vscode.screenshotOnFailure("question", async () => {
    const { page } = vscode;
    await runTask(page, "Ask me first");
    const pick = page.locator(".quick-input-widget", { hasText: "Worker (TODO A1) asks: Database" });
    await pick.waitFor({ timeout: 60_000 });
    await rows(page, "Sessions", /worker · A1.*waiting/).waitFor();
    await vscode.screenshot("question-quick-pick");
    await pick.locator(".quick-input-list .monaco-list-row", { hasText: "Postgres" }).click();
    await toast(page, /mission sealed — 1\/1 TODOs done/).waitFor({ timeout: 90_000 });
    const afterAnswer = model.requests.find((r) => r.role === "worker" && r.prompt.includes('<todo id="A1"') && r.step === 1);
    assert.ok(afterAnswer, "the Worker continued after the answer");
    assert.match(afterAnswer.lastToolResult ?? "", /Postgres/, "the user's answer came back to the model as the tool's result");
  }));

test("a background job started by a Worker shows in the Background Jobs view with a live terminal; the mission seals after it ends", () =>
  vscode.screenshotOnFailure("jobs", async () => {
    const { page } = vscode;
    await runTask(page, "Build in the background");
    const row = rows(page, "Background Jobs", /job-1 · echo compiling/);
    await row.waitFor({ timeout: 60_000 });
    await row.click();
    // The terminal draws on a canvas: its tab is what the DOM shows; the output itself is unit-tested.
    await page.getByText("Job job-1").first().waitFor({ timeout: 30_000 });
    // The job is attributed to the TODO that started it (learnt from the turn's events).
    await rows(page, "Background Jobs", /job-1 .*exited \(exit 0\) · \d+s · J1/).waitFor({ timeout: 30_000 });
    await rows(page, "TODOs", /Build in the background.*sealed/).waitFor({ timeout: 60_000 });
    await vscode.screenshot("background-jobs");
  }));
