/**
 * A pool of three real OpenCode servers on one workspace: sessions spread over them (each server's
 * own session list says so), one of them SIGKILLed mid-mission (its TODOs redone on the others, it
 * is restarted, the others untouched), and through the front door, a permission asked by a session
 * on server 2 answered on server 2, with the one MCP endpoint registered with every server.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { OrchestratorEvent } from "../../src/orchestrator/domain/events";
import type { Engine } from "../../src/orchestrator/engine/engine";
import type { AgentRequest } from "../../src/orchestrator/host/agentRequests";
import type { HostSettings } from "../../src/orchestrator/host/hostSettings";
import { MissionHost } from "../../src/orchestrator/host/missionHost";
import { memoryLogger, RedactingLogger } from "../../src/orchestrator/common/logger";
import { Commander } from "../../src/orchestrator/mission/commander";
import { MissionStore } from "../../src/orchestrator/mission/missionStore";
import { missionScenario, todo } from "../../src/orchestrator/scriptedModel/missionScenario";
import { call, tools } from "../../src/orchestrator/scriptedModel/scenario";
import { startScriptedModel } from "../../src/orchestrator/scriptedModel/server";
import { SCRIPTED_MODEL, writeScriptedOpencodeJson } from "../support/engineHarness";
import { poolOf } from "../support/hostInternals";
import { BUNDLED_OPENCODE, createSandbox } from "../support/isolation";
import { startPoolHarness, type PoolHarness } from "../support/poolHarness";
import { processesInGroup } from "../support/processes";

let h: PoolHarness;
before(async () => {
  h = await startPoolHarness(3);
});
after(async () => {
  await h?.close();
});

/** The ids in one server's own session list (its own database). */
async function sessionsOn(engine: Engine): Promise<Set<string>> {
  return new Set(await engine.api.sessionIds(1_000));
}

/** A mission through the Commander on the pool; each Worker session's server as the pool placed it. */
function poolMission(name: string, todos: ReturnType<typeof todo>[], workerLatencyMs: number) {
  h.model.setScenario(missionScenario({ workspace: h.sandbox.workspace, plans: [{ todos }], workerLatencyMs: () => workerLatencyMs }));
  const commander = Commander.create(name, { engine: h.pool, store: new MissionStore(h.sandbox.workspace), logger: memoryLogger(), model: SCRIPTED_MODEL, limits: { maxParallelSessions: todos.length, recoveryBaseDelayMs: 100 } });
  const events: OrchestratorEvent[] = [];
  const placed = new Map<string, { index: number; engine: Engine }>();
  commander.events.on((event) => {
    events.push(event);
    if (event.type === "turn.started") {
      const owner = h.pool.ownerOf(event.sessionId);
      if (owner) placed.set(event.sessionId, { index: owner.index, engine: owner.member });
    }
  });
  return { commander, events, placed };
}

test("a wave of Workers spreads over three real servers: each session is in its own server's list, and only there", async (t) => {
  const plan = Array.from({ length: 9 }, (_, i) => todo(`S${i}`, [], [`spread/s${i}.txt`]));
  const { commander, events, placed } = poolMission("Spread over the pool", plan, 1200);
  const state = await commander.run();
  assert.equal(state.status, "sealed", state.report);

  const members = h.pool.members();
  assert.deepEqual(members.map((m) => m.index), [0, 1, 2], "the wave started servers 2 and 3");
  const lists = await Promise.all(members.map((m) => sessionsOn(m.member)));
  const workers = events.flatMap((e) => (e.type === "turn.started" && e.role === "worker" ? [e.sessionId] : []));
  assert.equal(workers.length, 9);
  const perServer = [0, 0, 0];
  for (const id of workers) {
    const holders = lists.flatMap((list, i) => (list.has(id) ? [i] : []));
    assert.deepEqual(holders, [placed.get(id)?.index], `Worker session ${id} is listed by the server it was placed on, and by no other`);
    perServer[holders[0] as number] = (perServer[holders[0] as number] ?? 0) + 1;
  }
  // Three each, unless a turn waiting for server 2 or 3 to start found room on server 1 first.
  assert.ok(perServer.every((n) => n >= 1), `every server ran Workers: ${perServer.join(", ")}`);
  t.diagnostic(`Workers per server: ${perServer.join(", ")}`);

  // Each server its own process, port, password and data directory.
  const engines = members.map((m) => m.member);
  assert.equal(new Set(engines.map((e) => e.server?.pid)).size, 3);
  assert.equal(new Set(engines.map((e) => e.credentials.url)).size, 3);
  assert.equal(new Set(engines.map((e) => e.credentials.password)).size, 3);
  assert.ok(existsSync(join(h.sandbox.env.XDG_DATA_HOME as string, "opencode", "opencode.db")), "server 1: the sandbox's data directory");
  for (const n of [2, 3]) assert.ok(existsSync(join(h.sandbox.root, "pool", `member-${n}`, "data", "opencode", "opencode.db")), `server ${n}: a database of its own`);
  for (const t of plan) assert.equal(readFileSync(join(h.sandbox.workspace, t.files[0] as string), "utf8"), `${t.id} attempt 1\n`);
});

/** The member the pool starts next at `index` (after a crash: its restart), once it runs. */
function nextMemberAt(index: number): Promise<Engine> {
  return new Promise((resolve) => {
    const sub = h.pool.onMember((member, i) => {
      if (i !== index) return;
      sub.dispose();
      resolve(member);
    });
  });
}

// Bounded by the test's own timeout: the restart is awaited as the event it is, never for a time.
test("SIGKILL of one server mid-mission: its TODOs are redone on the others, it is restarted, the others' sessions are untouched, sealed", { timeout: 600_000 }, async () => {
  const restartsBefore = h.pool.restarts;
  const plan = Array.from({ length: 6 }, (_, i) => todo(`K${i}`, [], [`kill/k${i}.txt`]));
  const { commander, events, placed } = poolMission("Survive a member's crash", plan, 1500);
  let killed: { pid: number; engine: Engine; restarted: Promise<Engine> } | undefined;
  let workersStarted = 0;
  commander.events.on((event) => {
    if (event.type !== "turn.started" || event.role !== "worker" || ++workersStarted !== plan.length) return;
    // Every Worker runs, some of them on server 2 (two, unless one found room on another server first).
    const victim = h.pool.members().find((m) => m.index === 1)?.member as Engine;
    const pid = victim.server?.pid as number;
    process.kill(-pid, "SIGKILL");
    // Its restart begins once the pool sees it gone (after this handler): the next member at index 1.
    killed = { pid, engine: victim, restarted: nextMemberAt(1) };
  });
  const state = await commander.run();
  assert.ok(killed, "server 2 was killed while every Worker ran");
  assert.equal(state.status, "sealed", state.report);
  assert.equal(state.todos.length, plan.length, "no TODO lost");
  assert.ok(state.todos.every((t) => t.status === "done"));
  for (const t of plan) assert.ok(existsSync(join(h.sandbox.workspace, t.files[0] as string)), `${t.files[0]} written`);
  assert.deepEqual(processesInGroup(killed.pid), [], "nothing of the killed server is left");
  // The mission may seal on the other servers before server 2's restart has finished: wait for it.
  const restarted = await killed.restarted;
  assert.equal(h.pool.restarts - restartsBefore, 1, "server 2 was restarted once");
  assert.notEqual(restarted, killed.engine);
  assert.ok(restarted.alive);
  assert.deepEqual(h.pool.members().map((m) => m.index), [0, 1, 2], "the pool is whole again");

  const finished = new Map(events.flatMap((e) => (e.type === "turn.finished" ? [[e.sessionId, e.ok] as const] : [])));
  const workerSessions = events.flatMap((e) => (e.type === "turn.started" && e.role === "worker" ? [{ id: e.sessionId, todoId: e.todoIds[0] as string }] : []));
  const firstOf = new Map<string, string>();
  for (const w of workerSessions) if (!firstOf.has(w.todoId)) firstOf.set(w.todoId, w.id);
  const onKilled = [...firstOf].filter(([, id]) => placed.get(id)?.engine === killed?.engine).map(([todoId]) => todoId);
  assert.ok(onKilled.length >= 1, "Workers ran on the killed server");
  for (const todoId of onKilled) {
    const sessions = workerSessions.filter((w) => w.todoId === todoId).map((w) => w.id);
    assert.equal(finished.get(sessions[0] as string), false, `${todoId}: its session on the killed server failed`);
    const redo = sessions.slice(1).find((id) => finished.get(id) === true);
    assert.ok(redo, `${todoId} was redone in a new session`);
    assert.notEqual(placed.get(redo)?.engine, killed.engine, `${todoId} was redone elsewhere`);
  }
  // The other servers' Workers finished in their first session, and their sessions are still theirs.
  const others = [...firstOf].filter(([todoId]) => !onKilled.includes(todoId));
  for (const [todoId, id] of others) {
    assert.equal(finished.get(id), true, `${todoId} ran through on its server`);
    assert.equal(state.todos.find((t) => t.id === todoId)?.attempts, 1);
    const owner = placed.get(id) as { index: number; engine: Engine };
    assert.ok((await sessionsOn(owner.engine)).has(id), `${todoId}'s session is still in server ${owner.index + 1}'s list`);
  }
});

test("through the front door with orchestrator.servers 3: a permission asked on server 2 is answered on server 2; the MCP endpoint is every server's", async () => {
  const box = createSandbox("orch-pool-host-");
  const outside = join(box.root, "outside", "notes.txt");
  mkdirSync(join(box.root, "outside"));
  writeFileSync(outside, "outside the workspace\n");
  // Each Worker writes its file and reads one outside the workspace: OpenCode asks the user first.
  const model = await startScriptedModel(
    missionScenario({
      workspace: box.workspace,
      plans: [{ todos: [todo("P1"), todo("P2"), todo("P3")] }],
      workerOverride: (id, attempt) => (attempt === 1 ? tools(call("write", { filePath: join(box.workspace, `${id.toLowerCase()}.txt`), content: `${id} attempt 1\n` }), call("read", { filePath: outside })) : undefined),
    }),
  );
  writeScriptedOpencodeJson(box.workspace, model.baseURL);
  const host = new MissionHost({ workspace: box.workspace, logger: new RedactingLogger(memoryLogger()), engineEnv: box.env });
  const settings: HostSettings = { opencodePath: BUNDLED_OPENCODE, serverUrl: "", model: SCRIPTED_MODEL, demoMode: "never", models: {}, limits: { maxParallelSessions: 3 }, servers: 3 };
  const asked: AgentRequest[] = [];
  let allAsked!: () => void;
  const threeAsked = new Promise<void>((resolve) => (allAsked = resolve));
  host.requests.on((u) => {
    if (u.type === "asked" && asked.push(u.request) === 3) allAsked();
  });
  try {
    const run = host.run("Read outside on every server", settings);
    await threeAsked;
    const pool = poolOf(host);
    assert.ok(pool);
    assert.deepEqual(asked.map((r) => r.kind), ["permission", "permission", "permission"]);
    const server = (r: AgentRequest) => pool.ownerOf(r.sessionId)?.index;
    assert.deepEqual(asked.map(server).sort(), [0, 1, 2], "one Worker on each server");
    const onTwo = asked.find((r) => server(r) === 1) as AgentRequest;
    assert.equal(host.view.session(onTwo.sessionId)?.server, 2, "the views show the session's server");

    // Each server lists only its own pending request.
    const members = pool.members();
    for (const { index, member } of members) {
      const pending = await member.api.pendingPermissions();
      assert.deepEqual(pending, asked.filter((r) => server(r) === index).map((r) => r.id), `server ${index + 1}'s own pending requests`);
    }
    // The answer reaches server 2: its own event stream reports the reply, and its list empties.
    const replied = new Promise<void>((resolve) => {
      const sub = (members[1]?.member as Engine).events.onAny((e) => {
        if (e.type === "permission.replied" && e.properties.requestID === onTwo.id) {
          sub.dispose();
          resolve();
        }
      });
    });
    await host.replyPermission(onTwo.id, "once");
    await replied;
    assert.deepEqual(await (members[1]?.member as Engine).api.pendingPermissions(), []);
    for (const other of members.filter((m) => m.index !== 1)) {
      assert.equal((await other.member.api.pendingPermissions()).length, 1, `server ${other.index + 1}'s request still waits`);
    }
    for (const r of asked.filter((x) => x !== onTwo)) await host.replyPermission(r.id, "once");
    const final = await run;
    assert.equal(final.status, "sealed", final.report);

    // Background jobs' tools: one MCP server in the host, registered with every member.
    for (const { index, member } of pool.members()) {
      assert.equal(await member.api.toolsConnected(AbortSignal.timeout(10_000)), true, `server ${index + 1} reaches the orchestrator's MCP server`);
    }
  } finally {
    await host.dispose();
    await model.close();
    box.remove();
  }
});
