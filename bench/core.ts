/**
 * Benchmarks of the core alone (no OpenCode, no model): scheduling a 10,000-TODO random DAG,
 * replaying recorded OpenCode events through the demux and the reducers, and heap over a soak.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PlannedTodo } from "../src/orchestrator/domain/schemas";
import { EventRouter, sessionIdOf, type OpencodeEvent } from "../src/orchestrator/engine/eventRouter";
import { TurnTracker } from "../src/orchestrator/engine/turnTracker";
import { silentLogger } from "../src/orchestrator/common/logger";
import { Commander } from "../src/orchestrator/mission/commander";
import { MissionStore } from "../src/orchestrator/mission/missionStore";
import { SessionRegistry } from "../src/orchestrator/host/sessionRegistry";
import { FakeTurnRunner, todoIdsOf } from "../test/support/fakeTurnRunner";

/** A random DAG: each TODO depends on up to 3 earlier ones (seeded, so every run plans the same graph). */
export function randomDag(n: number, seed = 42): PlannedTodo[] {
  let x = seed;
  const rand = () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  return Array.from({ length: n }, (_, i) => {
    const deps = new Set<string>();
    const count = i === 0 ? 0 : Math.floor(rand() * 4);
    for (let k = 0; k < count; k++) deps.add(`T${Math.floor(rand() * i)}`);
    return { id: `T${i}`, title: `todo ${i}`, description: "", files: [`src/f${i}.ts`], dependsOn: [...deps], acceptance: "ok", kind: "code" as const };
  });
}

const SMALL_REPORT = { status: "done", summary: "ok", filesChanged: [], checksRun: [], notes: "" };

/** A Worker report of the size real ones have (~3 KB): what a record that stays in memory costs. */
const REALISTIC_REPORT = {
  status: "done",
  summary: "Implemented the change and its tests. ".repeat(25),
  filesChanged: Array.from({ length: 8 }, (_, i) => `src/feature/module${i}.ts`),
  checksRun: ["npm run build", "npm test -- feature", "npx eslint src/feature"],
  notes: "Edge cases covered; one follow-up noted for the reviewer. ".repeat(25),
};

function fakeEngine(todos: PlannedTodo[], recordCalls = true, report: object = SMALL_REPORT) {
  return new FakeTurnRunner((agent, prompt) => {
    if (agent.endsWith("planner")) return { todos };
    if (agent.endsWith("worker")) return report;
    return { verdicts: todoIdsOf(prompt).map((todoId) => ({ todoId, verdict: "pass", issues: [] })), syncIssues: [], summary: "" };
  }, recordCalls);
}

export interface CoreScaleResult {
  todos: number;
  ms: number;
  peakHeapMB: number;
  status: string;
  rounds: number;
  turns: number;
}

/** The whole mission loop over an n-TODO DAG with instant turns: what is left is the orchestrator's own cost. */
export async function coreScale(n: number): Promise<CoreScaleResult> {
  const workspace = mkdtempSync(join(tmpdir(), "bench-core-"));
  const todos = randomDag(n);
  let peak = process.memoryUsage().heapUsed;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 5);
  const started = performance.now();
  try {
    const engine = fakeEngine(todos);
    const commander = Commander.create("core scale", { engine, store: new MissionStore(workspace), logger: silentLogger, limits: { maxParallelSessions: 50, maxIterations: 1_000_000 } });
    const state = await commander.run();
    const ms = performance.now() - started;
    peak = Math.max(peak, process.memoryUsage().heapUsed);
    return { todos: n, ms, peakHeapMB: peak / 2 ** 20, status: state.status, rounds: state.iteration, turns: state.usage.turns };
  } finally {
    clearInterval(sampler);
    rmSync(workspace, { recursive: true, force: true });
  }
}

/** Replays events (recorded from a real mission) n times over through the router, turn trackers and session registry. */
export function eventThroughput(recorded: OpencodeEvent[], total: number): { events: number; ms: number; perSecond: number } {
  const router = new EventRouter();
  const registry = new SessionRegistry();
  const sessionIds = [...new Set(recorded.map(sessionIdOf).filter((id): id is string => !!id))];
  const trackers = new Map<string, TurnTracker>();
  for (const id of sessionIds) {
    const tracker = new TurnTracker(id, 0);
    trackers.set(id, tracker);
    router.onSession(id, (event) => tracker.feed(event));
    registry.applyMission({ type: "turn.started", missionId: "bench", role: "worker", sessionId: id, todoIds: [] });
  }
  router.onAny((event) => registry.applyOpencode(event));
  const started = performance.now();
  for (let i = 0; i < total; i++) router.dispatch(recorded[i % recorded.length] as OpencodeEvent);
  const ms = performance.now() - started;
  return { events: total, ms, perSecond: total / (ms / 1000) };
}

/** Heap at the start, middle and end of an n-task mission (after a forced GC when available), maxTasksInMemory at its default unless given. */
export async function memorySoak(n: number, maxTasksInMemory?: number): Promise<{ tasks: number; startMB: number; middleMB: number; endMB: number; archived: number }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  const heap = () => {
    gc?.();
    return process.memoryUsage().heapUsed / 2 ** 20;
  };
  const workspace = mkdtempSync(join(tmpdir(), "bench-soak-"));
  const todos = Array.from({ length: n }, (_, i) => ({ id: `T${i}`, title: `task ${i}`, description: "", files: [`f${i}`], dependsOn: [], acceptance: "ok", kind: "code" as const }));
  const startMB = heap();
  let middleMB = startMB;
  let finished = 0;
  try {
    const engine = fakeEngine(todos, false, REALISTIC_REPORT);
    const commander = Commander.create("soak", { engine, store: new MissionStore(workspace), logger: silentLogger, limits: { maxParallelSessions: 50, maxIterations: 1_000_000, ...(maxTasksInMemory ? { maxTasksInMemory } : {}) } });
    commander.events.on((event) => {
      if (event.type === "todo.status" && event.to === "done" && ++finished === n / 2) middleMB = heap();
    });
    const state = await commander.run();
    return { tasks: n, startMB, middleMB, endMB: heap(), archived: state.todos.filter((t) => t.archived).length };
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
}
