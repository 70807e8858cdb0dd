/**
 * The dashboard's pictures in real VS Code (code-server + headless Chromium + the packaged VSIX +
 * real OpenCode + the scripted model): the TODO graph has a box per TODO and an arrow per
 * dependency whose colours follow the mission live (recoloured in place, not laid out again), the
 * session timeline puts parallel Workers in lanes of their own, a click on a box picks its TODO,
 * and nothing breaks the webview's strict CSP. Screenshots go to test-results/ui.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Frame } from "playwright-core";
import { missionScenario, todo } from "../../src/orchestrator/scriptedModel/missionScenario";
import type { VsCodeSession } from "../support/codeServer";
import { withScriptedVsCode } from "../support/scriptedVsCode";
import { dashboardFrame } from "../support/workbench";
import { runCommand, runTask } from "../support/palette";

let vscode: VsCodeSession;

/** The class of a TODO's box in the graph ("node status-running"). */
const nodeClass = (frame: Frame, id: string) => frame.locator(`[data-testid=todo-graph] .node[data-todo="${id}"]`).getAttribute("class");

/** Waits until the TODO's box shows one of these statuses. */
async function nodeStatus(frame: Frame, id: string, statuses: string[], timeout = 90_000): Promise<void> {
  await frame.waitForFunction(([todoId, wanted]) => {
    const node = document.querySelector(`[data-testid=todo-graph] .node[data-todo="${todoId as string}"]`);
    return (wanted as string[]).some((s) => node?.classList.contains(`status-${s}`));
  }, [id, statuses] as const, { timeout, polling: 100 });
}

withScriptedVsCode(
  {
    prefix: "orch-ui-pictures-",
    scenario: (workspace) =>
      missionScenario({
        workspace,
        latencyMs: 700,
        // Slow Workers: T1 and T2 are seen running side by side before T3 may start.
        workerLatencyMs: () => 1_500,
        plans: [{ todos: [todo("T1", [], ["one.md"]), todo("T2", [], ["two.md"]), todo("T3", ["T1", "T2"], ["three.md"])] }],
      }),
  },
  (session) => ({ vscode } = session),
);

test("the TODO graph and the session timeline draw the mission and follow it live, within the CSP", () =>
  vscode.screenshotOnFailure("dashboard-pictures", async () => {
    const { page } = vscode;
    // The whole window for the dashboard: the pictures stand beside the table.
    if (await page.locator(".part.sidebar").isVisible()) await runCommand(page, "View: Toggle Primary Side Bar Visibility");
    if (await page.locator(".part.auxiliarybar").isVisible()) await runCommand(page, "View: Toggle Secondary Side Bar Visibility");
    await runTask(page, "Write one, two, then three");
    // The mission has started (its Stop is in the status bar) before the palette is used again.
    await page.locator(".statusbar-item", { hasText: "Stop" }).waitFor({ state: "visible", timeout: 60_000 });
    await runCommand(page, "Orchestrator: Open Dashboard");
    const frame = await dashboardFrame(page);
    await frame.evaluate(() => {
      const w = window as unknown as { violations: string[] };
      w.violations = [];
      document.addEventListener("securitypolicyviolation", (e) => w.violations.push(`${e.violatedDirective}: ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
    });

    // A box per TODO, an arrow per dependency.
    const graph = frame.locator("[data-testid=todo-graph]");
    await graph.locator(".node").nth(2).waitFor({ timeout: 90_000 });
    assert.deepEqual(await graph.locator(".node").evaluateAll((nodes) => nodes.map((n) => n.getAttribute("data-todo")).sort()), ["T1", "T2", "T3"]);
    assert.deepEqual(await graph.locator(".edge").evaluateAll((edges) => edges.map((e) => `${e.getAttribute("data-from")}>${e.getAttribute("data-to")}`).sort()), ["T1>T3", "T2>T3"]);
    assert.ok(await graph.locator(".node[data-todo=T1] title").textContent().then((t) => t?.includes("Make T1")), "a box has a <title> naming its TODO");

    // Live: T1 and T2 run while T3 waits for them; the boxes are recoloured, not drawn anew.
    await frame.evaluate(() => {
      for (const n of document.querySelectorAll("[data-testid=todo-graph] .node")) (n as unknown as { firstSeen: boolean }).firstSeen = true;
    });
    await nodeStatus(frame, "T1", ["running"]);
    await nodeStatus(frame, "T2", ["running"]);
    assert.match((await nodeClass(frame, "T3")) ?? "", /status-pending/, "T3 waits for its dependencies");
    assert.equal(await graph.locator(".edge.met").count(), 0, "no dependency is met yet");
    const timeline = frame.locator("[data-testid=session-timeline]");
    await timeline.locator(".bar.role-worker.open").nth(1).waitFor({ timeout: 30_000 });
    await timeline.locator(".now").waitFor();

    // T3 runs once both are done: their arrows turn to met.
    await nodeStatus(frame, "T3", ["running"]);
    for (const id of ["T1", "T2"]) await nodeStatus(frame, id, ["done"], 5_000);
    await graph.locator(".edge.met").nth(1).waitFor({ timeout: 5_000 });
    await timeline.locator(".bar.role-worker.open").waitFor();
    await vscode.screenshot("dashboard-graph");
    await frame.locator("[data-testid=phase]", { hasText: "sealed" }).waitFor({ timeout: 90_000 });
    for (const id of ["T1", "T2", "T3"]) await nodeStatus(frame, id, ["done"], 10_000);
    assert.equal(
      await frame.evaluate(() => [...document.querySelectorAll("[data-testid=todo-graph] .node")].every((n) => (n as unknown as { firstSeen?: boolean }).firstSeen)),
      true,
      "status changes recoloured the same boxes: no new layout",
    );

    // The timeline: the two Workers that ran at once sit in two lanes; nothing runs any more.
    await timeline.locator(".now").waitFor({ state: "detached", timeout: 10_000 });
    const lanes = Number(await timeline.getAttribute("data-lanes"));
    assert.ok(lanes >= 2, `parallel Workers take a lane each (${lanes} lanes)`);
    const workerLanes = await timeline.locator(".bar.role-worker").evaluateAll((bars) => bars.map((b) => b.getAttribute("data-lane")));
    assert.ok(new Set(workerLanes).size >= 2, `Workers in lanes ${workerLanes.join(", ")}`);
    for (const role of ["planner", "reviewer"]) assert.ok((await timeline.locator(`.bar.role-${role}`).count()) >= 1, `the ${role} ran`);
    assert.equal(await timeline.locator(".bar.open").count(), 0, "every session ended");

    // A box picks its TODO: its table row is highlighted and its latest session's transcript shows.
    await graph.locator(".node[data-todo=T3]").click();
    await frame.locator("tr.selected[data-todo=T3]").waitFor();
    await frame.locator("[data-testid=transcript]").waitFor({ timeout: 10_000 });
    // A bar, by keyboard: its session's transcript.
    const bar = timeline.locator(".bar.role-worker").first();
    const sessionId = await bar.getAttribute("data-session");
    await bar.focus();
    await bar.press("Enter");
    await frame.locator("[data-testid=transcript] h2", { hasText: sessionId ?? "?" }).waitFor({ timeout: 10_000 });
    await vscode.screenshot("dashboard-timeline");

    const violations = await frame.evaluate(() => (window as unknown as { violations: string[] }).violations);
    assert.deepEqual(violations, [], "nothing the pictures did was refused by the CSP");
  }));
