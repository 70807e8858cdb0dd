/** The Commander's review rounds, with an in-process fake engine: what a review covers, what its verdicts do, and reviews side by side. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { todoIdsOf, type FakeAnswer } from "../support/fakeTurnRunner";
import { aborted, fakeMission, gate, pass, planned, report, tempWorkspace } from "../support/fakeMission";

const ws = tempWorkspace();
const run = (answer: FakeAnswer, limits = {}) => fakeMission(ws.current(), answer, limits);

test("a TODO the Reviewer skipped stays in review and is reviewed in the next round", async () => {
  let round = 0;
  const { done } = run((agent, prompt) => {
    if (agent.endsWith("planner")) return { todos: [planned("A"), planned("B")] };
    if (agent.endsWith("worker")) return report;
    round++;
    if (round === 1) return { verdicts: [{ todoId: "A", verdict: "pass", issues: [] }], syncIssues: [], summary: "" };
    return pass(prompt);
  });
  const state = await done;
  assert.equal(state.status, "sealed");
  assert.equal(state.iteration, 2);
  assert.equal(state.todos.find((t) => t.id === "B")?.attempts, 1, "B was not redone, only reviewed again");
});

test("a sync issue from the final review is fixed by new TODOs before the mission seals", async () => {
  let plans = 0;
  let finals = 0;
  const { done } = run((agent, prompt) => {
    if (agent.endsWith("planner")) return ++plans === 1 ? { todos: [planned("A")] } : { todos: [planned("FIX", ["A"])] };
    if (agent.endsWith("worker")) return report;
    if (prompt.includes("the mission is complete")) finals++;
    return pass(prompt, finals === 1 ? [{ title: "API and client disagree", detail: "field names", todoIds: ["A"] }] : []);
  });
  const state = await done;
  assert.equal(state.status, "sealed", state.report);
  assert.deepEqual(state.syncIssues.map((i) => [i.id, i.open]), [["S1", false]]);
  assert.equal(state.todos.find((t) => t.id === "FIX")?.status, "done");
});

test("a rejected attempt tells the next Worker it was rejected, with the review's summary, even when the issues list is empty", async () => {
  let round = 0;
  const { done, engine } = run((agent, prompt) => {
    if (agent.endsWith("planner")) return { todos: [planned("A"), planned("B")] };
    if (agent.endsWith("worker")) return report;
    if (++round > 1) return pass(prompt);
    const verdicts = [{ todoId: "A", verdict: "fail", issues: [] }, { todoId: "B", verdict: "fail", issues: ["B.txt is empty"] }];
    return { verdicts, syncIssues: [], summary: "Neither file has the content the acceptance asks for." };
  });
  const state = await done;
  assert.equal(state.status, "sealed", state.report);
  const workerPrompts = (id: string) => engine.calls.filter((c) => c.agent.endsWith("worker") && c.prompt.includes(`<todo id="${id}"`)).map((c) => c.prompt);
  for (const id of ["A", "B"]) {
    const [first, redo] = workerPrompts(id);
    assert.doesNotMatch(first ?? "", /rejected/);
    assert.match(redo ?? "", /The previous attempt was sent back[\s\S]*Neither file has the content the acceptance asks for\./, `${id}'s redo is told why`);
  }
  assert.match(workerPrompts("B")[1] ?? "", /- B\.txt is empty/, "and the issues when there are some");
});

test("review rounds without progress in one branch do not stop the mission while another branch still works", async () => {
  const aPassed = gate();
  let aReviews = 0;
  const { done } = run(
    async (agent, prompt, request) => {
      if (agent.endsWith("planner")) return { todos: [planned("A1"), planned("A2", ["A1"]), planned("B1")] };
      const ids = todoIdsOf(prompt);
      if (agent.endsWith("worker")) {
        // B's Worker is still busy through A1's two failed rounds.
        if (ids.includes("B1")) await Promise.race([aPassed.opened, aborted(request.signal)]);
        return report;
      }
      if (ids.includes("A1") && ++aReviews <= 2) return { verdicts: [{ todoId: "A1", verdict: "fail", issues: ["not yet"] }], syncIssues: [], summary: "" };
      if (ids.includes("A1")) aPassed.open();
      return pass(prompt);
    },
    { maxAttemptsPerTodo: 5 },
  );
  const state = await done;
  assert.equal(state.status, "sealed", state.report);
  assert.equal(aReviews, 3, "A1 passed on its third round");
});

test("independent branches are reviewed in parallel: B's review starts while A's slow review runs, and the mission seals", async () => {
  const aReviewRuns = gate();
  const b2Started = gate();
  const order: string[] = [];
  const finalsAlone: boolean[] = [];
  let sessions = 0;
  let peak = 0;
  const { done, commander } = run(
    async (agent, prompt) => {
      if (agent.endsWith("planner")) return { todos: [planned("A1"), planned("A2", ["A1"]), planned("B1"), planned("B2", ["B1"]), planned("B3", ["B1"])] };
      const ids = todoIdsOf(prompt);
      if (agent.endsWith("worker")) {
        // B1 finishes only once A1's review runs, so the two cannot share one review.
        if (ids.includes("B1")) await aReviewRuns.opened;
        if (ids.includes("B2")) b2Started.open();
        return report;
      }
      if (prompt.includes("the mission is complete")) finalsAlone.push(sessions === 1);
      if (ids.includes("B1")) order.push("B1 review started");
      if (ids.includes("A1")) {
        order.push("A1 review started");
        aReviewRuns.open();
        // A's review is slow: it ends only once B's branch has been reviewed and goes on.
        await b2Started.opened;
        order.push("A1 review ended");
      }
      return pass(prompt);
    },
    { maxParallelSessions: 2 },
  );
  commander.events.on((e) => {
    if ((e.type === "turn.started" || e.type === "turn.finished") && e.role !== "planner") sessions += e.type === "turn.started" ? 1 : -1;
    peak = Math.max(peak, sessions);
  });
  const state = await done;
  assert.deepEqual(order, ["A1 review started", "B1 review started", "A1 review ended"]);
  assert.equal(state.status, "sealed", state.report);
  assert.equal(peak, 2, "a review holds a session slot: B2 and B3 did not both start beside A1's review");
  assert.ok(finalsAlone.length > 0 && finalsAlone.every(Boolean), `the final review ran alone: ${JSON.stringify(finalsAlone)}`);
});

test("early reviews of parallel branches do not use up maxIterations: a wave is one iteration", async () => {
  const chains = ["A", "B", "C", "D", "E", "F"];
  const { done, engine } = run(
    async (agent, prompt) => {
      if (agent.endsWith("planner")) return { todos: chains.flatMap((c) => [planned(`${c}1`), planned(`${c}2`, [`${c}1`]), planned(`${c}3`, [`${c}2`])]) };
      // Chain A's model is slow: the other chains run through their reviews beside it.
      if (agent.endsWith("worker") && /<todo id="A/.test(prompt)) await new Promise((r) => setTimeout(r, 30));
      return agent.endsWith("worker") ? report : pass(prompt);
    },
    { maxIterations: 4 },
  );
  const state = await done;
  const rounds = engine.calls.filter((c) => c.agent.endsWith("reviewer")).length;
  assert.ok(rounds > 4, `more review rounds (${rounds}) than maxIterations ran, most of them early`);
  assert.equal(state.status, "sealed", state.report);
  assert.ok(state.iteration <= 4);
});

test("a Reviewer's pass never outweighs a failing check the orchestrator ran: the TODO goes back with the check's output", async () => {
  const { ReviewPolicy } = await import("../../src/orchestrator/mission/reviewPolicy");
  const { setTodoStatus } = await import("../../src/orchestrator/domain/transitions");
  const todo = { ...planned("A"), status: "review" as const, attempts: 1, sessions: [], reviewIssues: [], history: [], checkResult: { command: "npm test", status: "failed" as const, exitCode: 1, tail: "1 failing", startedAt: 1 } };
  const state = { id: "m", todos: [todo], syncIssues: [], iteration: 0, roundsWithoutProgress: 0, integrationChecked: false } as unknown as import("../../src/orchestrator/domain/state").MissionState;
  const policy = new ReviewPolicy(state, { integrationThreshold: 0.8, maxAttemptsPerTodo: 3 }, (t, to, note) => setTodoStatus(t, to, note));
  const round = policy.begin([todo], 0);
  const verdicts = policy.apply(round, { verdicts: [{ todoId: "A", verdict: "pass", issues: [] }], syncIssues: [], summary: "looks great" });
  assert.deepEqual(verdicts, { passed: [], failed: ["A"] });
  assert.equal(todo.status, "pending");
  assert.match(todo.reviewIssues[0] ?? "", /The check `npm test` failed \(exit 1\)\. Its output ends with:\n1 failing/);
});
