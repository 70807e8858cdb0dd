/**
 * What the views say when a mission is interrupted, in real VS Code (code-server) with the packaged
 * VSIX, the real OpenCode server and the scripted model (issue 27): Stop during planning says
 * "stopping…" at once and a resumed mission shows no stale stop reason; after a window reload
 * mid-mission nothing says "running" — the mission and its TODOs are interrupted, resumable, on
 * every surface, and the sessions the reload cut off end where the window went away; a Planner that
 * gives no valid plan ends with words for the user.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { missionIn, missionScenario, todo } from "../../src/orchestrator/scriptedModel/missionScenario";
import { structured } from "../../src/orchestrator/scriptedModel/scenario";
import type { ScriptedModel } from "../../src/orchestrator/scriptedModel/server";
import type { VsCodeSession } from "../support/codeServer";
import { actUntilShown, dashboardFrame, openOrchestrator, pane, rows, toast } from "../support/workbench";
import { runCommand, runTask } from "../support/palette";
import type { Sandbox } from "../support/isolation";
import { withScriptedVsCode } from "../support/scriptedVsCode";

let sandbox: Sandbox;
let model: ScriptedModel;
let vscode: VsCodeSession;
/** The Planner of "Plan slowly" never answers while this holds. */
let holdPlanner = true;
/** The Workers of "Interrupt me" never answer while this holds. */
let holdWorkers = true;
/** The mission the Planner planned last: a corrected plan's prompt does not repeat it. */
let lastMission = "";

const PLANS: Record<string, ReturnType<typeof todo>[]> = {
  "Plan slowly": [todo("S1", [], ["s1.md"]), todo("S2", [], ["s2.md"])],
  "Interrupt me": [todo("I1", [], ["i1.md"]), todo("I2", [], ["i2.md"]), todo("I3", ["I1", "I2"], ["i3.md"])],
  // Each TODO waits for the other: no plan that can run.
  "Plan in circles": [todo("C1", ["C2"], ["c1.md"]), todo("C2", ["C1"], ["c2.md"])],
};

withScriptedVsCode(
  {
    prefix: "orch-ui-interrupt-",
    scenario: (workspace) => {
      const base = missionScenario({
        workspace,
        latencyMs: 300,
        plans: [],
        // The resumed "Plan slowly" runs long enough to look at the dashboard while its Workers work.
        workerLatencyMs: (id) => (id.startsWith("S") ? 4_000 : undefined),
        workerOverride: (id) => (id.startsWith("I") && holdWorkers ? { kind: "stall" } : undefined),
      });
      base.roles.planner = (ctx) => {
        const mission = missionIn(ctx.prompt) || lastMission;
        lastMission = mission;
        if (mission === "Plan slowly" && holdPlanner) return { kind: "stall" };
        return structured({ todos: PLANS[mission] ?? [] });
      };
      return base;
    },
  },
  (session) => ({ sandbox, model, vscode } = session),
);

const statusItem = (vs: VsCodeSession, text: string | RegExp) => vs.page.locator(".statusbar-item", { hasText: text });

test("Stop during planning says stopping… at once; after Resume no stale stop reason shows while the Workers run", () =>
  vscode.screenshotOnFailure("stop-planning", async () => {
    const { page } = vscode;
    await runTask(page, "Plan slowly");
    await openOrchestrator(page);
    await rows(page, "Sessions", /planner.*busy/).waitFor({ timeout: 60_000 });
    // Stop while the Planner's request is with the model. (Seen here: a Stop half a second into the
    // first mission, before any request reached the model, left that OpenCode server answering every
    // later Planner request with nothing — OpenCode's, not this test's, to be looked into.)
    for (const deadline = Date.now() + 60_000; !model.requests.some((r) => r.role === "planner"); ) {
      if (Date.now() > deadline) throw new Error("the Planner's request never reached the model");
      await new Promise((r) => setTimeout(r, 100));
    }
    // At once: the press is acknowledged before OpenCode has aborted anything (a click lost on a busy machine is clicked again).
    await actUntilShown(() => statusItem(vscode, /^\s*Stop\s*$/).click({ timeout: 5_000 }).catch(() => undefined), statusItem(vscode, "Orchestrator stopping…"), { eachMs: 5_000 });
    assert.equal(await statusItem(vscode, /^\s*Stop\s*$/).count(), 0, "no second Stop to press");
    await vscode.screenshot("stopping");
    // The tree says it as well (unless OpenCode was quicker to abort than the tree to refresh).
    await rows(page, "TODOs", /Plan slowly.*(stopping…|stopped)/).waitFor({ timeout: 5_000 });
    await toast(page, /mission stopped/).waitFor({ timeout: 60_000 });

    holdPlanner = false;
    await actUntilShown(() => statusItem(vscode, "Resume mission").click({ timeout: 5_000 }).catch(() => undefined), statusItem(vscode, /Orchestrator (starting|planning|\d)/), { eachMs: 30_000 });
    await rows(page, "Sessions", /worker · S\d.*busy/).first().waitFor({ timeout: 60_000 });
    await runCommand(page, "Orchestrator: Open Dashboard");
    const frame = await dashboardFrame(page);
    await frame.locator("[data-testid=phase]", { hasText: "running" }).waitFor({ timeout: 30_000 });
    await frame.locator("[data-testid=todos]", { hasText: "S1" }).waitFor();
    assert.equal(await frame.locator(".facts dt", { hasText: "Stopped" }).count(), 0, "the stop before the resume is not why anything is as it is now");
    await toast(page, /mission sealed — 2\/2 TODOs done/).waitFor({ timeout: 90_000 });
  }));

test("after a reload mid-mission nothing says running: interrupted, resumable on every surface; the cut sessions end where the window went away", () =>
  vscode.screenshotOnFailure("interrupted", async () => {
    const { page } = vscode;
    const started = Date.now();
    await runTask(page, "Interrupt me");
    await openOrchestrator(page);
    for (const id of ["I1", "I2"]) await rows(page, "Sessions", new RegExp(`worker · ${id}.*busy`)).waitFor({ timeout: 60_000 });
    const before = Date.now();
    await vscode.reload();

    await toast(page, /an unfinished mission was found \(interrupted\): "Interrupt me"/).waitFor({ timeout: 60_000 });
    await openOrchestrator(page);
    await rows(page, "TODOs", /Interrupt me.*interrupted · resumable/).waitFor({ timeout: 30_000 });
    for (const id of ["I1", "I2"]) await rows(page, "TODOs", new RegExp(`${id} · Make ${id}.*interrupted`)).waitFor();
    assert.equal(await pane(page, "TODOs").locator(".codicon-sync.codicon-modifier-spin, .codicon-sync\\~spin").count(), 0, "nothing spins");
    assert.equal(await rows(page, "TODOs", /(Interrupt me|Make I\d)\s*running/).count(), 0, "no row says running");
    const missions = pane(page, "Missions").locator(".pane-header");
    if ((await missions.getAttribute("aria-expanded")) !== "true") await missions.click();
    await rows(page, "Missions", /Interrupt me.*interrupted/).waitFor({ timeout: 30_000 });
    await statusItem(vscode, "Resume mission").waitFor();
    await vscode.screenshot("mission-interrupted");

    // Resume: the cut sessions keep their length; they do not stretch over the reload.
    holdWorkers = false;
    await actUntilShown(() => statusItem(vscode, "Resume mission").click({ timeout: 5_000 }).catch(() => undefined), statusItem(vscode, /Orchestrator (starting|planning|\d)/), { eachMs: 30_000 });
    await toast(page, /mission sealed — 3\/3 TODOs done/).waitFor({ timeout: 90_000 });
    const aborted = rows(page, "Sessions", /worker · I1.*aborted/);
    await aborted.waitFor({ timeout: 30_000 });
    const seconds = Number(/aborted · (\d+)s/.exec((await aborted.textContent()) ?? "")?.[1] ?? NaN);
    // It ran at most from the mission's start to the reload (a second of rounding, a second of slack).
    const bound = Math.ceil((before - started) / 1000) + 2;
    assert.ok(seconds <= bound, `the aborted session is shown ${seconds}s long, more than the ${bound}s the window lived after Run Task: it spans the reload`);
    for (const file of ["i1.md", "i2.md", "i3.md"]) assert.ok(existsSync(join(sandbox.workspace, file)), file);
  }));

test("a Planner that gives no valid plan ends with words for the user: what went wrong with the plan, and what to do", () =>
  vscode.screenshotOnFailure("no-valid-plan", async () => {
    const { page } = vscode;
    const planners = model.requests.filter((r) => r.role === "planner").length;
    await runTask(page, "Plan in circles");
    const failed = toast(page, /mission failed — The Planner could not make a plan that can run, in 3 attempts: its steps waited on each other in a circle, so none could start\. Run Task again/);
    await failed.waitFor({ timeout: 90_000 });
    // The mission's row says so too, though it never had a TODO to refresh.
    await openOrchestrator(page);
    await rows(page, "TODOs", /Plan in circles.*failed/).waitFor({ timeout: 10_000 });
    const text = (await failed.textContent()) ?? "";
    assert.doesNotMatch(text, /TODO id|choose a new id|cycle|C1 → C2/, "no words written for the Planner");
    assert.ok(model.requests.filter((r) => r.role === "planner").length - planners >= 3, "the Planner was asked three times");
  }));
