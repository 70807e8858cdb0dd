/**
 * Faults through the real OpenCode server: the scripted model fails as providers do, OpenCode
 * retries on its own, and the Commander's recovery takes over when OpenCode gives up. Each mission
 * must seal with no TODO lost.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { REPORT_REFUSALS_PER_TURN } from "../../src/orchestrator/engine/turnTracker";
import { missionScenario, todo } from "../../src/orchestrator/scriptedModel/missionScenario";
import { call, structured, tools, type Reply, type RequestContext } from "../../src/orchestrator/scriptedModel/scenario";
import { startEngineHarness, type EngineHarness } from "../support/engineHarness";
import { commanderFor } from "../support/missionHarness";
import { PAST_OPENCODE_RETRIES, TEST_ENGINE } from "../support/engines";

let h: EngineHarness;
before(async () => {
  h = await startEngineHarness({ roles: {} });
});
after(async () => {
  await h?.close();
});

const FAST_RECOVERY = { recoveryBaseDelayMs: 200 };

test("a 429 storm: OpenCode's retries run out, the Commander waits, lowers the limit and finishes", async (t) => {
  const asked = h.model.requests.length;
  h.model.setScenario(missionScenario({
    workspace: h.sandbox.workspace,
    plans: [{ todos: [todo("R1"), todo("R2")] }],
    // Every attempt of R1's first request is rate limited until OpenCode has given up once.
    workerOverride: (id, _attempt, ctx) => (id === "R1" && ctx.step === 0 && ctx.attempt < PAST_OPENCODE_RETRIES[TEST_ENGINE] ? { kind: "error", status: 429, retryAfterSeconds: 1, message: "rate limited" } : undefined),
  }));
  const { commander, events } = commanderFor(h, "Survive a 429 storm", FAST_RECOVERY);
  const state = await commander.run();
  assert.equal(state.status, "sealed", state.report);
  assert.ok(existsSync(join(h.sandbox.workspace, "r1.txt")));
  const retries = events.filter(({ event }) => event.type === "turn.retry").map(({ event }) => event);
  assert.ok(retries.some((e) => e.type === "turn.retry" && /rate limited/.test(e.note)), JSON.stringify(retries));
  assert.ok(events.some(({ event }) => event.type === "limit.changed"), "the parallel limit was lowered");
  assert.equal(state.todos.length, 2, "no TODO lost");
  t.diagnostic(`429 storm: ${h.model.requests.length - asked} model requests`);
});

test("5xx errors: backed off and retried until the provider recovers", async (t) => {
  const asked = h.model.requests.length;
  h.model.setScenario(missionScenario({
    workspace: h.sandbox.workspace,
    plans: [{ todos: [todo("X1")] }],
    // retry-after keeps OpenCode's own five retries short (it honours the header).
    workerOverride: (_id, _attempt, ctx) => (ctx.step === 0 && ctx.attempt < PAST_OPENCODE_RETRIES[TEST_ENGINE] ? { kind: "error", status: 503, retryAfterSeconds: 1, message: "overloaded" } : undefined),
  }));
  const { commander, events } = commanderFor(h, "Survive 5xx", FAST_RECOVERY);
  const state = await commander.run();
  assert.equal(state.status, "sealed", state.report);
  assert.ok(events.some(({ event }) => event.type === "turn.retry" && /provider error/.test(event.note)));
  t.diagnostic(`5xx: ${h.model.requests.length - asked} model requests`);
});

test("invalid structured output three times: retried with the validation error, then the TODO is replanned and the mission seals", async (t) => {
  let invalid = 0;
  const base = missionScenario({ workspace: h.sandbox.workspace, plans: [{ todos: [todo("V1")] }, { todos: [todo("V2")] }] });
  h.model.setScenario({
    ...base,
    roles: {
      ...base.roles,
      worker: (ctx) => {
        // V1's report never fits the schema (OpenCode accepts it; the orchestrator's zod check does not).
        if (ctx.structured && ctx.step > 0 && ctx.prompt.includes('<todo id="V1"')) {
          invalid++;
          return structured({ status: "maybe", summary: 42 });
        }
        return (base.roles.worker as (c: typeof ctx) => ReturnType<typeof structured>)(ctx);
      },
    },
  });
  const asked = h.model.requests.length;
  const { commander } = commanderFor(h, "Answer in the format", FAST_RECOVERY);
  const state = await commander.run();
  // OpenCode 1 takes the misfit as the turn's result; on OpenCode 2 our tool server refuses it, the
  // model is told in the same turn, and the turn fails only after REPORT_REFUSALS_PER_TURN refusals.
  // The turn's abort can land after the model's next step: one more misfit per turn at most.
  if (TEST_ENGINE === "v2") assert.ok(invalid >= 3 * REPORT_REFUSALS_PER_TURN && invalid <= 3 * (REPORT_REFUSALS_PER_TURN + 1), `recoveryAttempts (3) turns, then the TODO failed (${invalid} misfits)`);
  else assert.equal(invalid, 3, "recoveryAttempts (3) turns, then the TODO failed");
  assert.equal(state.status, "sealed", state.report);
  const v1 = state.todos.find((t) => t.id === "V1");
  assert.equal(v1?.status, "replaced", "kept with its history, not lost");
  assert.match(JSON.stringify(v1?.history), /does not match its schema[\s\S]*after 3 attempts/);
  assert.equal(state.todos.find((t) => t.id === "V2")?.status, "done");
  const retried = h.model.requests.slice(asked).filter((r) => r.role === "worker" && r.step === 0 && r.prompt.includes('<todo id="V1"'));
  assert.equal(retried.length, 3);
  assert.match(retried[1]?.prompt ?? "", /Your previous structured answer was invalid: .*(expected one of|Expected "done" \| "blocked")/s, "the retry carries the validation error");
  t.diagnostic(`invalid structured output: ${h.model.requests.length - asked} model requests`);
});

test("a stalled model stream: the watchdog aborts the turn, recovery retries it, the mission seals", async (t) => {
  h.model.setScenario(missionScenario({
    workspace: h.sandbox.workspace,
    plans: [{ todos: [todo("S1"), todo("S2")] }],
    workerOverride: (id, _attempt, ctx) => (id === "S1" && ctx.step === 0 && ctx.attempt === 0 ? { kind: "stall" } : undefined),
  }));
  const asked = h.model.requests.length;
  const { commander, events } = commanderFor(h, "Survive a stall", { ...FAST_RECOVERY, livenessMs: 1500 });
  const state = await commander.run();
  assert.equal(state.status, "sealed", state.report);
  assert.ok(events.some(({ event }) => event.type === "turn.retry" && /no activity/.test(event.note)));
  assert.equal(state.todos.filter((x) => x.status === "done").length, 2, "no TODO lost");
  t.diagnostic(`stalled stream: ${h.model.requests.length - asked} model requests`);
});

test("a stream cut mid-way: the broken answer is retried and the mission seals", async (t) => {
  h.model.setScenario(missionScenario({
    workspace: h.sandbox.workspace,
    plans: [{ todos: [todo("C1")] }],
    workerOverride: (_id, _attempt, ctx) => (ctx.step === 0 && ctx.attempt === 0 ? { kind: "cut", afterChunks: 2, calls: [{ name: "write", args: { filePath: join(h.sandbox.workspace, "c1.txt"), content: "C1 attempt 1\n".repeat(40) } }] } : undefined),
  }));
  const asked = h.model.requests.length;
  const { commander } = commanderFor(h, "Survive a cut stream", { ...FAST_RECOVERY, livenessMs: 5000 });
  const state = await commander.run();
  assert.equal(state.status, "sealed", state.report);
  assert.ok(existsSync(join(h.sandbox.workspace, "c1.txt")));
  t.diagnostic(`cut stream: ${h.model.requests.length - asked} model requests`);
});

test("a session past sessionTtlMinutes is aborted and its turn retried in a fresh session", async () => {
  h.model.setScenario(missionScenario({
    workspace: h.sandbox.workspace,
    plans: [{ todos: [todo("T1")] }],
    // The first attempt keeps the session busy (slow answers), never silent, but too long.
    workerLatencyMs: () => undefined,
    // (Only T1's first attempt: the retry's prompt differs, since it is told the command the first ran.)
    workerOverride: (_id, attempt, ctx) => (ctx.step === 0 && attempt === 1 ? { ...tools(call("bash", { command: "sleep 3", description: "long" })), latencyMs: 0 } : undefined),
  }));
  const { commander, events } = commanderFor(h, "Too slow", { ...FAST_RECOVERY, sessionTtlMs: 1500, livenessMs: 60_000 });
  const state = await commander.run();
  assert.equal(state.status, "sealed", state.report);
  assert.ok(events.some(({ event }) => event.type === "turn.retry" && /past its time limit/.test(event.note)));
});

test("context overflow: the retry runs in a fresh session told what the attempt already did, and the mission seals", async (t) => {
  const base = missionScenario({ workspace: h.sandbox.workspace, plans: [{ todos: [todo("O1")] }] });
  const baseWorker = base.roles.worker as (ctx: RequestContext) => Reply;
  let overflowed = false;
  h.model.setScenario({
    ...base,
    roles: {
      ...base.roles,
      worker: (ctx) => {
        if (overflowed || !ctx.prompt.includes('<todo id="O1"')) return baseWorker(ctx);
        // The first attempt writes half the work and checks it, then its context runs out.
        if (ctx.step === 0) return tools(call("write", { filePath: join(h.sandbox.workspace, "o1-half.txt"), content: "first half\n" }));
        if (ctx.step === 1) return tools(call("bash", { command: "wc -l o1-half.txt", description: "check the half" }));
        overflowed = true;
        return { kind: "error", status: 400, message: "This model's maximum context length is 64000 tokens. However, your messages resulted in 70113 tokens." };
      },
    },
  });
  const asked = h.model.requests.length;
  const { commander, events } = commanderFor(h, "Overflow once", FAST_RECOVERY);
  const state = await commander.run();
  assert.equal(state.status, "sealed", state.report);
  assert.ok(events.some(({ event }) => event.type === "turn.retry" && /context overflow/.test(event.note)), "classified as context overflow");
  const firsts = h.model.requests.slice(asked).filter((r) => r.role === "worker" && r.step === 0 && r.prompt.includes('<todo id="O1"'));
  assert.equal(firsts.length, 2, "one retry, in a fresh session");
  const retry = firsts[1]?.prompt ?? "";
  assert.match(retry, /ran out of context/);
  assert.match(retry, /Files changed: .*o1-half\.txt/, "the retry knows the file the first attempt wrote");
  assert.match(retry, /Ran `wc -l o1-half\.txt` \(exit 0\)/, "and the check it ran");
  assert.ok(existsSync(join(h.sandbox.workspace, "o1-half.txt")) && existsSync(join(h.sandbox.workspace, "o1.txt")), "work of both attempts is in the workspace");
  assert.equal(state.todos.length, 1, "no TODO lost");
  // OpenCode 1.18 compacts an overflowed session and carries on in it; the turn's session is aborted
  // instead, so no Worker runs on in it beside the retry: after the overflow, every O1 request is
  // the retry's (its prompt carries the feedback).
  const spent = h.model.requests.slice(asked);
  const overflowAt = spent.findIndex((r) => r.reply === "error");
  const afterOverflow = spent.slice(overflowAt + 1).filter((r) => r.role === "worker" && r.prompt.includes('<todo id="O1"'));
  assert.ok(afterOverflow.length >= 2 && afterOverflow.every((r) => /ran out of context/.test(r.prompt)), "the abandoned session did not carry on");
  assert.ok(spent.filter((r) => r.role === "other").length <= 1, "at most a compaction that started before the abort landed");
  t.diagnostic(`context overflow: ${spent.length} model requests`);
});
