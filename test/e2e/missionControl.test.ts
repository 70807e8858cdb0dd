/** Plans sent back, file locks, stops and resume: whole missions through the real OpenCode server. */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { Commander } from "../../src/orchestrator/mission/commander";
import { MissionStore } from "../../src/orchestrator/mission/missionStore";
import { memoryLogger } from "../../src/orchestrator/common/logger";
import { missionScenario, todo } from "../../src/orchestrator/scriptedModel/missionScenario";
import { busySessions, SCRIPTED_MODEL, startEngineHarness, type EngineHarness } from "../support/engineHarness";
import { commanderFor, workerIntervals } from "../support/missionHarness";
import { followOutput } from "../support/processes";
import { findUnfinished } from "../support/missions";

let h: EngineHarness;
before(async () => {
  h = await startEngineHarness({ roles: {} });
});
after(async () => {
  await h?.close();
});

test("invalid plans (a cycle, then an unknown dependency) go back to the Planner and are corrected", async () => {
  const scenario = missionScenario({
    workspace: h.sandbox.workspace,
    plans: [
      { todos: [todo("P1", ["P2"]), todo("P2", ["P1"])] },
      { todos: [todo("P1"), todo("P2", ["P9"])] },
      { todos: [todo("P1"), todo("P2", ["P1"])] },
    ],
  });
  h.model.setScenario(scenario);
  const asked = h.model.requests.length;
  const { commander, events } = commanderFor(h, "Plan carefully");
  const state = await commander.run();
  assert.equal(state.status, "sealed", state.report);
  const rejected = events.filter(({ event }) => event.type === "plan.rejected").map(({ event }) => (event as { problems: string[] }).problems.join(" "));
  assert.equal(rejected.length, 2);
  assert.match(rejected[0] as string, /cycle: P1 → P2 → P1/);
  assert.match(rejected[1] as string, /depends on unknown TODO "P9"/);
  // Each prompt the Planner was given, once (its first request): on OpenCode 2 a turn can take more
  // requests (the closing word after its report; a reminder when a busy server ended it without one).
  const plannerPrompts = h.model.requests.slice(asked).filter((r) => r.role === "planner" && r.step === 0 && !/^You ended your turn without calling/.test(r.prompt)).map((r) => r.prompt);
  assert.equal(plannerPrompts.length, 3);
  assert.match(plannerPrompts[1] as string, /Your plan is invalid:\n- The dependencies form a cycle/, "the exact error went back");
});

test("two TODOs that name the same file never run at once", async () => {
  const shared = "shared.txt";
  h.model.setScenario(missionScenario({ workspace: h.sandbox.workspace, plans: [{ todos: [todo("L1", [], [shared]), todo("L2", [], [shared]), todo("L3", [], ["other.txt"])] }], workerLatencyMs: () => 400 }));
  const { commander, events } = commanderFor(h, "Share a file");
  const state = await commander.run();
  assert.equal(state.status, "sealed", state.report);
  const intervals = workerIntervals(events);
  const [l1, l2, l3] = ["L1", "L2", "L3"].map((id) => intervals.get(id)?.[0] as [number, number]) as [[number, number], [number, number], [number, number]];
  assert.ok(l1[1] <= l2[0] || l2[1] <= l1[0], `L1 and L2 did not overlap: ${JSON.stringify({ l1, l2 })}`);
  assert.ok(l3[0] < Math.max(l1[1], l2[1]), "the TODO with another file ran alongside");
});

test("maxIterations ends the mission as incomplete with a report", async () => {
  h.model.setScenario(missionScenario({ workspace: h.sandbox.workspace, plans: [{ todos: [todo("M1"), todo("M2", ["M1"]), todo("M3", ["M2"])] }] }));
  const { commander } = commanderFor(h, "Too long a chain", { maxIterations: 2 });
  const state = await commander.run();
  assert.equal(state.status, "incomplete");
  assert.match(state.stopReason ?? "", /maxIterations \(2\)/);
  assert.equal(state.iteration, 2);
  assert.match(state.report ?? "", /^Mission incomplete: 2\/3 TODOs done[\s\S]*Stopped: reached maxIterations/);
});

test("two review rounds without progress stop the mission instead of looping", async () => {
  h.model.setScenario(missionScenario({ workspace: h.sandbox.workspace, plans: [{ todos: [todo("N1")] }], verdict: () => ({ verdict: "fail", issues: ["never good enough"] }) }));
  const { commander } = commanderFor(h, "Never passes", { maxAttemptsPerTodo: 10 });
  const state = await commander.run();
  assert.equal(state.status, "incomplete");
  assert.match(state.stopReason ?? "", /without progress/);
  assert.equal(state.iteration, 2);
  assert.equal(state.todos[0]?.status, "pending", "the TODO is kept, with its history, for a resume");
  assert.ok((state.todos[0]?.history.length ?? 0) >= 5);
});

test("a token budget stops the mission, resumably", async () => {
  h.model.setScenario(missionScenario({ workspace: h.sandbox.workspace, plans: [{ todos: [todo("K1"), todo("K2", ["K1"])] }] }));
  const { commander } = commanderFor(h, "Cheap mission", { budget: { maxTokens: 1 } });
  const state = await commander.run();
  assert.equal(state.status, "budget-exhausted");
  assert.match(state.stopReason ?? "", /token budget reached/);
  assert.ok(state.todos.every((t) => t.status === "pending"), "nothing is lost: every TODO is there to resume");
});

test("stop aborts every running session: the server lists no busy session afterwards", async () => {
  h.model.setScenario(missionScenario({ workspace: h.sandbox.workspace, plans: [{ todos: [todo("S1"), todo("S2"), todo("S3")] }], workerOverride: () => ({ kind: "stall" }) }));
  const { commander, events } = commanderFor(h, "Stall forever");
  const running = commander.run();
  while (events.filter(({ event }) => event.type === "turn.started" && event.role === "worker").length < 3) await new Promise((r) => setTimeout(r, 20));
  for (let i = 0; i < 200 && (await busySessions(h.engine)).length < 3; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal((await busySessions(h.engine)).length, 3, "three Workers are busy on the server");
  commander.stop();
  const state = await running;
  assert.equal(state.status, "stopped");
  assert.deepEqual(await busySessions(h.engine), []);
  assert.ok(state.todos.every((t) => t.status === "pending"), "stopped TODOs go back to pending, ready to resume");
});

test("resume: a new Orchestrator finishes a mission whose process was killed, without redoing done TODOs", async () => {
  const plan = { todos: [todo("R1"), todo("R2"), todo("R3", ["R1", "R2"]), todo("R4", ["R3"])] };
  const scenario = missionScenario({ workspace: h.sandbox.workspace, plans: [plan], workerLatencyMs: (id) => (id === "R3" ? 1500 : undefined) });
  h.model.setScenario(scenario);
  const child = spawn(process.execPath, ["--import", "tsx", join(__dirname, "..", "fixtures", "missionInChildProcess.ts"), h.sandbox.workspace, h.model.baseURL, "Resume me"], { env: h.sandbox.env, stdio: ["ignore", "pipe", "inherit"] });
  const run = followOutput(child, "the mission process");
  await run.waitFor(/todo R3 running/);
  child.kill("SIGKILL");
  await run.exited;
  assert.match(run.output(), /todo R1 done/);
  assert.match(run.output(), /todo R2 done/);

  const store = new MissionStore(h.sandbox.workspace);
  const unfinished = await findUnfinished(store);
  assert.ok(unfinished, "the killed mission is found");
  assert.equal(unfinished.mission, "Resume me");
  const commander = Commander.resume(unfinished, { engine: h.engine, store, logger: memoryLogger(), model: SCRIPTED_MODEL });
  const state = await commander.run();
  assert.equal(state.status, "sealed", state.report);
  assert.equal(scenario.workerAttempts.get("R1"), 1, "R1 was not redone");
  assert.equal(scenario.workerAttempts.get("R2"), 1, "R2 was not redone");
  assert.equal(scenario.workerAttempts.get("R4"), 1);
  assert.ok(existsSync(join(h.sandbox.workspace, "r4.txt")));
  assert.match(readFileSync(join(store.dir(state.id), "todo.md"), "utf8"), /sealed/);
  assert.match(JSON.stringify(state.todos.find((t) => t.id === "R3")?.history), /resumed/);
});
