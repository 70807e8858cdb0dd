/** The Commander's decisions on odd orders of results, with an in-process fake engine. */
import assert from "node:assert/strict";
import { rmSync, writeFileSync } from "node:fs";
import { test } from "node:test";
import { SessionError } from "../../src/orchestrator/engine/errors";
import { BackgroundJobManager } from "../../src/orchestrator/background/jobManager";
import { Commander } from "../../src/orchestrator/mission/commander";
import { MissionStore } from "../../src/orchestrator/mission/missionStore";
import { memoryLogger } from "../../src/orchestrator/common/logger";
import { FakeTurnRunner, type FakeAnswer } from "../support/fakeTurnRunner";
import { fakeMission, gate, pass, planned, report, tempWorkspace } from "../support/fakeMission";

const ws = tempWorkspace();
const run = (answer: FakeAnswer, limits = {}) => fakeMission(ws.current(), answer, limits);

test("a blocked TODO is replanned: it and its dependents are replaced, the new TODOs run, the mission seals", async () => {
  let plans = 0;
  const { done, engine } = run((agent, prompt) => {
    if (agent.endsWith("planner")) return ++plans === 1 ? { todos: [planned("A"), planned("B", ["A"])] } : { todos: [planned("A2"), planned("B2", ["A2"])] };
    if (agent.endsWith("worker")) return prompt.includes('<todo id="A"') ? { ...report, status: "blocked", notes: "needs a different library" } : report;
    return pass(prompt);
  });
  const state = await done;
  assert.equal(state.status, "sealed", state.report);
  assert.deepEqual(state.todos.map((t) => `${t.id}:${t.status}`), ["A:replaced", "B:replaced", "A2:done", "B2:done"]);
  const replan = engine.calls.filter((c) => c.agent.endsWith("planner"))[1];
  assert.match(replan?.prompt ?? "", /blocked[\s\S]*A: needs a different library[\s\S]*- B:/);
});

test("a Worker turn that throws is retried by the recovery policy, then the TODO fails and is replanned", async () => {
  let plans = 0;
  const { done } = run(
    (agent, prompt) => {
      if (agent.endsWith("planner")) return ++plans === 1 ? { todos: [planned("A")] } : { todos: [planned("A2")] };
      if (agent.endsWith("worker") && prompt.includes('<todo id="A"')) throw new Error("provider exploded");
      if (agent.endsWith("worker")) return report;
      return pass(prompt);
    },
    { recoveryAttempts: 2, recoveryBaseDelayMs: 1 },
  );
  const state = await done;
  assert.equal(state.status, "sealed", state.report);
  const a = state.todos.find((t) => t.id === "A");
  assert.equal(a?.status, "replaced");
  assert.equal(a?.sessions.length, 2, "two sessions: the first attempt and its recovery");
  assert.match(JSON.stringify(a?.history), /provider exploded \(after 2 attempts\)/);
});

test("a state write failure stops the mission with a clear reason instead of running on", async () => {
  const store = new MissionStore(ws.current());
  const engine = new FakeTurnRunner((agent, prompt) => {
    if (agent.endsWith("planner")) return { todos: [planned("A"), planned("B", ["A"])] };
    if (agent.endsWith("worker")) {
      // The mission folder disappears under the Worker: the next save must fail loudly.
      rmSync(store.dir(commander.state.id), { recursive: true, force: true });
      writeFileSync(store.dir(commander.state.id), "in the way");
      return report;
    }
    return pass(prompt);
  });
  const commander = Commander.create("Mission", { engine, store, logger: memoryLogger() });
  const state = await commander.run();
  assert.equal(state.status, "stopped", "resumable once the folder can be written again");
  assert.match(state.stopReason ?? "", /Could not append to the mission journal .*The mission stops rather than run on state it cannot keep/);
  assert.equal(engine.calls.filter((c) => c.agent.endsWith("worker")).length, 1, "nothing ran after the failed write");
});

test("the planner's invalid output (schema mismatch) goes back like an invalid plan", async () => {
  let plans = 0;
  const { done, engine } = run((agent, prompt) => {
    if (agent.endsWith("planner")) return ++plans === 1 ? { todos: [{ id: "A" }] } : { todos: [planned("A")] };
    if (agent.endsWith("worker")) return report;
    return pass(prompt);
  });
  const state = await done;
  assert.equal(state.status, "sealed", state.report);
  const second = engine.calls.filter((c) => c.agent.endsWith("planner"))[1];
  assert.match(second?.prompt ?? "", /^Your plan is invalid:\n- [\s\S]*todos\[0\]\.title/);
  assert.equal(second?.sessionId, engine.calls[0]?.sessionId, "the correction is asked in the Planner's own session");
});

test("Skip lets dependents go on; Retry gives a failed TODO fresh attempts", async () => {
  let failures = 0;
  const engine = new FakeTurnRunner((agent, prompt) => {
    if (agent.endsWith("planner")) return { todos: [planned("A"), planned("B", ["A"]), planned("C")] };
    if (agent.endsWith("worker") && prompt.includes('<todo id="A"')) return { ...report, status: "blocked", notes: "cannot" };
    if (agent.endsWith("worker") && prompt.includes('<todo id="C"') && failures++ === 0) return { ...report, status: "failed", summary: "flaky" };
    if (agent.endsWith("worker")) return report;
    return pass(prompt);
  });
  const commander = Commander.create("Mission", { engine, store: new MissionStore(ws.current()), logger: memoryLogger(), limits: { maxAttemptsPerTodo: 1 } });
  // The user acts as soon as the views show the state: A blocked → Skip, C failed → Retry.
  commander.events.on((event) => {
    if (event.type !== "todo.status") return;
    if (event.todoId === "A" && event.to === "blocked") assert.ok(commander.skipTodo("A"));
    if (event.todoId === "C" && event.to === "failed") assert.ok(commander.retryTodo("C"));
  });
  const state = await commander.run();
  assert.equal(state.status, "sealed", state.report);
  assert.deepEqual(state.todos.map((t) => `${t.id}:${t.status}`), ["A:skipped", "B:done", "C:done"]);
  assert.equal(commander.skipTodo("B"), false, "a done TODO cannot be skipped");
});

test("an authentication error stops the mission at once with a message that says where to fix it", async () => {
  const { done, engine } = run((agent, prompt) => {
    if (agent.endsWith("planner")) return { todos: [planned("A"), planned("B")] };
    if (agent.endsWith("worker")) throw new SessionError("auth", "Provider anthropic rejected the credentials: invalid x-api-key. Check the provider setup in OpenCode (`opencode auth login`).", "ses", { providerId: "anthropic" });
    return pass(prompt);
  });
  const state = await done;
  assert.equal(state.status, "stopped", "resumable once the provider is set up");
  assert.match(state.stopReason ?? "", /rejected the credentials[\s\S]*opencode auth login[\s\S]*Nothing will work until the provider is set up/);
  assert.ok(engine.calls.filter((c) => c.agent.endsWith("worker")).length <= 2, "no retries of an auth error");
});

test("past maxTasksInMemory, finished TODO records are archived to disk and stubs stay", async () => {
  const { done } = run(
    (agent, prompt) => {
      if (agent.endsWith("planner")) return { todos: ["A", "B", "C", "D", "E"].map((id, i) => planned(id, i ? [["A", "B", "C", "D"][i - 1] as string] : [])) };
      if (agent.endsWith("worker")) return { ...report, summary: "x".repeat(500) };
      return pass(prompt);
    },
    { maxTasksInMemory: 2 },
  );
  const state = await done;
  assert.equal(state.status, "sealed", state.report);
  assert.deepEqual(state.todos.map((t) => `${t.id}:${t.archived ? "stub" : "whole"}`), ["A:stub", "B:stub", "C:stub", "D:whole", "E:whole"]);
  assert.equal(state.todos[0]?.history.length, 1);
  assert.equal(state.todos[0]?.report?.summary.length, 200);
  const store = new MissionStore(ws.current());
  const a = store.archived(state.id, "A");
  assert.equal(a?.report?.summary.length, 500, "the full record stays readable in the archive");
  assert.ok((a?.history.length ?? 0) >= 4);
  assert.equal((await store.load(state.id)).todos[0]?.archived, true, "stubs are what mission.json keeps");
});

test("the mission does not seal while a background job its Workers started still runs; others' jobs do not hold it", async () => {
  const jobs = new BackgroundJobManager({ workspace: ws.current() });
  const foreign = jobs.start("sleep 30"); // another mission's job on the same server
  jobs.claim(foreign.id, { missionId: "another", role: "worker", todoIds: ["X"] });
  let job: ReturnType<BackgroundJobManager["start"]> | undefined;
  const engine = new FakeTurnRunner((agent, prompt, request) => {
    if (agent.endsWith("planner")) return { todos: [planned("A")] };
    if (agent.endsWith("worker")) {
      job = jobs.start("sleep 1");
      request.onJobStarted?.(job.id); // as runTurn does when the tool part reports the job
      return report;
    }
    return pass(prompt);
  });
  const commander = Commander.create("Mission", { engine, store: new MissionStore(ws.current()), logger: memoryLogger(), jobs });
  const events: string[] = [];
  commander.events.on((e) => events.push(e.type === "job.started" ? `job ${e.jobId} ${e.todoIds.join(",")}` : e.type));
  const state = await commander.run();
  assert.equal(state.status, "sealed");
  assert.equal(job?.status, "exited", "sealed only after its own job ended");
  assert.deepEqual(job?.owner, { missionId: state.id, role: "worker", todoIds: ["A"] }, "the job is attributed to the TODO that started it");
  assert.ok(events.includes(`job ${job?.id} A`));
  assert.equal(foreign.status, "running", "a job the mission did not start neither held it up nor was touched");
  await jobs.dispose();
  assert.equal(foreign.status, "killed");
});

test("a job nobody claimed that started during the mission (its naming event was lost) still holds the seal", async () => {
  const jobs = new BackgroundJobManager({ workspace: ws.current() });
  let job: ReturnType<BackgroundJobManager["start"]> | undefined;
  const engine = new FakeTurnRunner((agent, prompt) => {
    if (agent.endsWith("planner")) return { todos: [planned("A")] };
    if (agent.endsWith("worker")) {
      job ??= jobs.start("sleep 1"); // started, but never reported to the Commander
      return report;
    }
    return pass(prompt);
  });
  const state = await Commander.create("Mission", { engine, store: new MissionStore(ws.current()), logger: memoryLogger(), jobs }).run();
  assert.equal(state.status, "sealed");
  assert.equal(job?.status, "exited", "sealed only after the unclaimed job ended");
  await jobs.dispose();
});

test("a stopped mission kills the background jobs it started", async () => {
  const jobs = new BackgroundJobManager({ workspace: ws.current() });
  let job: ReturnType<BackgroundJobManager["start"]> | undefined;
  const engine = new FakeTurnRunner((agent, prompt, request) => {
    if (agent.endsWith("planner")) return { todos: [planned("A"), planned("B", ["A"])] };
    if (agent.endsWith("worker") && !job) {
      job = jobs.start("sleep 60");
      request.onJobStarted?.(job.id);
      setImmediate(() => commander.stop());
    }
    return agent.endsWith("worker") ? report : pass(prompt);
  });
  const commander = Commander.create("Mission", { engine, store: new MissionStore(ws.current()), logger: memoryLogger(), jobs });
  const state = await commander.run();
  assert.equal(state.status, "stopped");
  assert.equal(job?.status, "killed", "nothing the mission started outlives its stop");
  await jobs.dispose();
});

test("a Planner that gives no valid replan stops the mission resumably, with the work done kept", async () => {
  let plans = 0;
  let replanIsValid = false;
  const answer: FakeAnswer = (agent, prompt) => {
    // The first plan is good; a replan names a dependency that does not exist, until the Planner recovers.
    if (agent.endsWith("planner")) return ++plans === 1 ? { todos: [planned("A"), planned("B")] } : { todos: [planned("A2", replanIsValid ? [] : ["nowhere"])] };
    if (agent.endsWith("worker")) return prompt.includes('<todo id="A"') ? { ...report, status: "blocked", notes: "cannot" } : report;
    return pass(prompt);
  };
  const state = await run(answer).done;
  assert.equal(state.status, "stopped", "a planning hiccup must not make a mission with work done final");
  assert.match(state.stopReason ?? "", /^The Planner could not make a plan that can run, in 3 attempts: a step waited on one that is not in the plan\. Resume re-plans/);
  assert.doesNotMatch(state.stopReason ?? "", /TODO id|choose a new id|"nowhere"/, "written for the user, not the Planner");
  assert.equal(state.todos.find((t) => t.id === "B")?.status, "done");

  replanIsValid = true;
  const store = new MissionStore(ws.current());
  const engine = new FakeTurnRunner(answer);
  const resumed = await Commander.resume(await store.load(state.id), { engine, store, logger: memoryLogger() }).run();
  assert.equal(resumed.status, "sealed", resumed.report);
  assert.deepEqual(engine.calls.filter((c) => c.agent.endsWith("worker")).map((c) => /<todo id="([^"]+)"/.exec(c.prompt)?.[1]), ["A2"], "the resume asked for the replan again and redid nothing");
});

test("a mission whose first plan never came fails", async () => {
  const { done } = run(() => ({ todos: [planned("A", ["nowhere"])] }));
  const state = await done;
  assert.equal(state.status, "failed");
  assert.match(state.stopReason ?? "", /could not make a plan that can run, in 3 attempts: a step waited on one that is not in the plan\. Run Task again/);
});

test("two TODOs naming one file in two spellings never run at once", async () => {
  let bStartedWhileARan = false;
  let aRunning = false;
  const { done } = run(async (agent, prompt) => {
    if (agent.endsWith("planner")) return { todos: [{ ...planned("A"), files: ["src/./x.js"] }, { ...planned("B"), files: ["./src//x.js"] }] };
    if (agent.endsWith("worker") && prompt.includes('<todo id="A"')) {
      aRunning = true;
      // Two turns of the event loop: had the locks let B start beside A, its Worker would have been asked by now.
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      aRunning = false;
      return report;
    }
    if (agent.endsWith("worker")) {
      bStartedWhileARan ||= aRunning;
      return report;
    }
    return pass(prompt);
  });
  const state = await done;
  assert.equal(state.status, "sealed", state.report);
  assert.equal(bStartedWhileARan, false, "B waited for A's lock on the same file");
});

/** The fake session a Worker's turn runs in (the fake engine names it before the answer is asked). */
const sessionOf = (engine: { calls: Array<{ prompt: string; sessionId: string }> }, prompt: string) => engine.calls.findLast((c) => c.prompt === prompt)?.sessionId ?? "";

test("a TODO keeps its files until it is accepted: another's write waits through its review, which borrows the waiter's slot at a limit of one", async () => {
  const aInReview = gate();
  const seen: Record<string, string | undefined> = {};
  let sessions = 0;
  let peak = 0;
  const mission = run(
    async (agent, prompt) => {
      if (agent.endsWith("planner")) return { todos: [{ ...planned("A"), files: ["shared.js"] }, { ...planned("B"), files: ["b.js"] }] };
      if (agent.endsWith("worker") && prompt.includes('<todo id="B"')) {
        await aInReview.opened;
        // B writes A's file (a stray write): the Commander answers, as it does for OpenCode's asks.
        const answer = await mission.commander.answerScope(sessionOf(mission.engine, prompt), "edit", ["shared.js"]);
        seen.bAnswer = answer?.reply;
        seen.aWhenAnswered = mission.commander.state.todos.find((t) => t.id === "A")?.status;
        return report;
      }
      if (agent.endsWith("worker")) return report;
      if (prompt.includes('<todo id="A"')) seen.bWhenAReviewed = mission.commander.state.todos.find((t) => t.id === "B")?.status;
      return pass(prompt);
    },
    // Bounded, so a wait that never ends shows as a refusal instead of hanging the test.
    { maxParallelSessions: 1, permissionTimeoutMs: 30_000 },
  );
  mission.commander.events.on((e) => {
    if (e.type === "todo.status" && e.todoId === "A" && e.to === "review") aInReview.open();
    if ((e.type === "turn.started" || e.type === "turn.finished") && e.role !== "planner") sessions += e.type === "turn.started" ? 1 : -1;
    peak = Math.max(peak, sessions);
  });
  const state = await mission.done;
  assert.equal(state.status, "sealed", state.report);
  assert.equal(seen.bAnswer, "once", "B's write went ahead");
  assert.equal(seen.aWhenAnswered, "done", "only once A was accepted");
  assert.equal(seen.bWhenAReviewed, "running", "A's review ran while B's Worker waited: it borrowed the waiter's slot");
  assert.equal(peak, 2, "the waiter and the review it waits for, nothing more");
});

test("a TODO sent back keeps its files: a write waiting on them is refused, and a TODO declaring the same file starts only once it is accepted", async () => {
  const aInReview = gate();
  const seen: Record<string, string | undefined> = {};
  let aReviews = 0;
  const mission = run(
    async (agent, prompt) => {
      if (agent.endsWith("planner")) return { todos: [{ ...planned("A"), files: ["shared.js"] }, { ...planned("B"), files: ["b.js"] }, { ...planned("C"), files: ["shared.js"] }] };
      const aStatus = () => mission.commander.state.todos.find((t) => t.id === "A")?.status;
      if (agent.endsWith("worker") && prompt.includes('<todo id="B"')) {
        await aInReview.opened;
        const answer = await mission.commander.answerScope(sessionOf(mission.engine, prompt), "edit", ["shared.js"]);
        seen.bRefusal = answer?.reply === "reject" ? answer.message : "granted";
        return report;
      }
      if (agent.endsWith("worker") && prompt.includes('<todo id="C"')) seen.aWhenCStarted = aStatus();
      if (agent.endsWith("worker")) return report;
      if (prompt.includes('<todo id="A"') && ++aReviews === 1) return { verdicts: [{ todoId: "A", verdict: "fail", issues: ["not yet"] }], syncIssues: [], summary: "" };
      return pass(prompt);
    },
    { maxParallelSessions: 2 },
  );
  mission.commander.events.on((e) => {
    if (e.type === "todo.status" && e.todoId === "A" && e.to === "review") aInReview.open();
  });
  const state = await mission.done;
  assert.equal(state.status, "sealed", state.report);
  assert.equal(aReviews, 2);
  assert.match(seen.bRefusal ?? "", /^shared\.js belongs to TODO A \(A\), which was sent back and will change it again/);
  assert.equal(seen.aWhenCStarted, "done", "C waited for A's acceptance, not for the end of A's first Worker");
});
