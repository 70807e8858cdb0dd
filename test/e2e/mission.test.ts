/** Whole missions through the Commander, the real OpenCode server and the scripted model. */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { missionScenario, todo } from "../../src/orchestrator/scriptedModel/missionScenario";
import { startEngineHarness, type EngineHarness } from "../support/engineHarness";
import { commanderFor, workerIntervals } from "../support/missionHarness";

let h: EngineHarness;
before(async () => {
  h = await startEngineHarness({ roles: {} });
});
after(async () => {
  await h?.close();
});

test("the diamond mission: parallel Workers, a failed review redone with its issues, sealed", async () => {
  const plan = { todos: [todo("A"), todo("B", ["A"]), todo("C", ["A"]), todo("D", ["B", "C"]), todo("E"), todo("F", ["D"])] };
  const scenario = missionScenario({
    workspace: h.sandbox.workspace,
    plans: [plan],
    // E is slow, so it is still running when B and C start after A's review.
    workerLatencyMs: (id) => (id === "E" ? 2500 : undefined),
    verdict: (id) => (id === "C" && (scenario.workerAttempts.get("C") ?? 0) < 2 ? { verdict: "fail", issues: ["c.txt must say attempt 2"] } : { verdict: "pass", issues: [] }),
  });
  h.model.setScenario(scenario);
  const requestsBefore = h.model.requests.length;
  const { commander, events, store } = commanderFor(h, "Build the diamond", { maxParallelSessions: 10 });
  const state = await commander.run();

  assert.equal(state.status, "sealed", state.report);
  assert.match(state.report ?? "", /^Mission sealed: 6\/6 TODOs done/);
  for (const id of ["A", "B", "C", "D", "E", "F"]) {
    assert.ok(existsSync(join(h.sandbox.workspace, `${id.toLowerCase()}.txt`)), `${id}'s file is in the workspace`);
    assert.equal(state.todos.find((t) => t.id === id)?.status, "done");
  }
  assert.equal(readFileSync(join(h.sandbox.workspace, "c.txt"), "utf8"), "C attempt 2\n", "C was redone");

  const intervals = workerIntervals(events);
  const [b, c, e] = ["B", "C", "E"].map((id) => intervals.get(id)?.[0] as [number, number]) as [[number, number], [number, number], [number, number]];
  assert.ok(Math.max(b[0], c[0], e[0]) < Math.min(b[1], c[1], e[1]), `B, C and E ran at the same time: ${JSON.stringify({ b, c, e })}`);
  assert.equal(intervals.get("C")?.length, 2, "C ran twice, in two sessions");
  const cWorkerSessions = events.filter(({ event }) => event.type === "turn.started" && event.role === "worker" && event.todoIds[0] === "C").map(({ event }) => (event as { sessionId: string }).sessionId);
  assert.equal(new Set(cWorkerSessions).size, 2, "the redo got a fresh session");
  assert.ok(cWorkerSessions.every((id) => state.todos.find((t) => t.id === "C")?.sessions.includes(id)), "the TODO keeps its sessions");
  const cRequests = h.model.requests.slice(requestsBefore).filter((r) => r.role === "worker" && r.prompt.includes('<todo id="C"') && r.step === 0);
  assert.ok(cRequests.at(-1)?.prompt.includes("c.txt must say attempt 2"), "the redo's prompt carries the Reviewer's issues");

  const dir = store.dir(state.id);
  const persisted = JSON.parse(readFileSync(join(dir, "mission.json"), "utf8"));
  assert.equal(persisted.status, "sealed");
  assert.match(readFileSync(join(dir, "todo.md"), "utf8"), /Status: \*\*sealed\*\*[\s\S]*\[x\] \*\*F\*\*/);
  assert.ok(readFileSync(join(dir, "events.jsonl"), "utf8").split("\n").filter(Boolean).length > 20);
  assert.ok(state.usage.inputTokens > 0 && state.usage.turns >= 9, "usage rolls up from every session");

  const used = h.model.requests.slice(requestsBefore);
  const byRole = Object.fromEntries(["planner", "worker", "reviewer", "other"].map((role) => {
    const rs = used.filter((r) => r.role === role);
    return [role, { requests: rs.length, promptChars: rs.reduce((n, r) => n + r.promptChars, 0) }];
  }));
  console.log(`diamond mission model requests: ${JSON.stringify(byRole)} rounds=${state.iteration}`);
  assert.equal(byRole.other?.requests, 0);
});
