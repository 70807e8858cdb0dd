/** The pool's placement, routing and failover against in-process members (no server): the E2E tests run real ones. */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { EngineApi } from "../../src/orchestrator/engine/engineApi";
import { EnginePool } from "../../src/orchestrator/engine/enginePool";
import { ServerUnreachableError } from "../../src/orchestrator/engine/errors";
import type { EventStream } from "../../src/orchestrator/engine/eventStream";
import type { PoolMember } from "../../src/orchestrator/engine/poolMember";
import { resultOf, turnFailed, type TurnOutcome, type TurnRequest } from "../../src/orchestrator/engine/turn";
import { noWork } from "../../src/orchestrator/engine/turnProgress";
import { memoryLogger } from "../../src/orchestrator/common/logger";

/** A turn on the pool, its failure thrown (what these tests assert on). */
const runOn = <T>(pool: EnginePool<FakeMember>, request: TurnRequest<T>) => pool.runTurn(request).then(resultOf);

class FakeMember implements PoolMember {
  readonly credentials = { url: "http://127.0.0.1:1" };
  readonly api = {} as EngineApi;
  readonly events = {} as EventStream;
  readonly requests: TurnRequest[] = [];
  readonly aborted: string[] = [];
  private readonly lostController = new AbortController();
  private readonly open = new Map<string, { resolve: () => void; reject: (e: Error) => void }>();
  private next = 0;
  stopped = false;

  constructor(readonly name: string) {}

  get alive(): boolean {
    return !this.lostController.signal.aborted && !this.stopped;
  }

  get lost(): AbortSignal {
    return this.lostController.signal;
  }

  /** Sessions with a turn in flight. */
  get busy(): string[] {
    return [...this.open.keys()];
  }

  /** As a real member's: a failed turn is an outcome, never a rejection. */
  async runTurn<T>(request: TurnRequest<T>): Promise<TurnOutcome<T>> {
    const started = Date.now();
    if (!this.alive) return turnFailed(new ServerUnreachableError(`${this.name} is gone`), started);
    this.requests.push(request as TurnRequest);
    const sessionId = request.sessionId ?? `${this.name}/s${++this.next}`;
    request.onSession?.(sessionId);
    try {
      await new Promise<void>((resolve, reject) => this.open.set(sessionId, { resolve, reject }));
    } catch (error) {
      return turnFailed(error, started, noWork(), sessionId);
    }
    return { ok: true, sessionId, text: this.name, structured: undefined, tokens: { input: 0, output: 0, reasoning: 0, cacheRead: 0, cacheWrite: 0 }, cost: 0, durationMs: 0, work: noWork() };
  }

  finish(sessionId: string): void {
    const turn = this.open.get(sessionId);
    this.open.delete(sessionId);
    turn?.resolve();
  }

  finishAll(): void {
    for (const id of this.busy) this.finish(id);
  }

  crash(): void {
    this.lostController.abort();
    for (const [id, turn] of this.open) turn.reject(new ServerUnreachableError(`${this.name} exited while ${id} was working`));
    this.open.clear();
  }

  async abortSession(sessionId: string): Promise<void> {
    this.aborted.push(sessionId);
  }

  async stop(): Promise<void> {
    this.stopped = true;
  }
}

/** A pool whose members are fakes named m<index>.<generation>; every start is recorded. */
function fakePool(size: number, maxRestarts = 3) {
  const started: FakeMember[] = [];
  const generations = new Map<number, number>();
  const start = async (index: number) => {
    const generation = (generations.get(index) ?? 0) + 1;
    generations.set(index, generation);
    const member = new FakeMember(`m${index + 1}.${generation}`);
    started.push(member);
    return member;
  };
  const first = new FakeMember("m1.1");
  generations.set(0, 1);
  started.push(first);
  const pool = new EnginePool<FakeMember>({ size, first, start, logger: memoryLogger(), maxRestarts });
  return { pool, started, member: (name: string) => started.find((m) => m.name === name) as FakeMember };
}

const ask = (title: string, extra: Partial<TurnRequest> = {}): TurnRequest => ({ title, agent: "worker", prompt: title, ...extra });
const tick = () => new Promise((resolve) => setImmediate(resolve));

test("one turn at a time never wakes a second server", async () => {
  const { pool, started } = fakePool(4);
  for (let i = 0; i < 3; i++) {
    const turn = runOn(pool, ask(`chain ${i}`));
    await tick();
    started[0]?.finishAll();
    assert.equal((await turn).text, "m1.1");
  }
  assert.equal(started.length, 1);
});

test("a wave spreads over the pool, starting members as it needs them; each session is its member's", async () => {
  const { pool, started, member } = fakePool(3);
  const turns = Array.from({ length: 9 }, (_, i) => runOn(pool, ask(`wave ${i}`)));
  await tick();
  assert.deepEqual(started.map((m) => m.name), ["m1.1", "m2.1", "m3.1"]);
  assert.deepEqual(started.map((m) => m.busy.length), [3, 3, 3]);
  assert.deepEqual(pool.loads(), [3, 3, 3]);
  assert.deepEqual(pool.members().map((m) => m.index), [0, 1, 2]);
  // Everything about a session goes to its own member.
  const onTwo = member("m2.1").busy[0] as string;
  assert.equal(pool.ownerOf(onTwo)?.index, 1);
  await pool.abortSession(onTwo);
  assert.deepEqual(member("m2.1").aborted, [onTwo]);
  assert.deepEqual(member("m1.1").aborted, []);
  for (const m of started) m.finishAll();
  const results = await Promise.all(turns);
  assert.deepEqual(results.map((r) => r.text).sort(), ["m1.1", "m1.1", "m1.1", "m2.1", "m2.1", "m2.1", "m3.1", "m3.1", "m3.1"]);
  assert.deepEqual(pool.loads(), [0, 0, 0]);
  await pool.stop();
  assert.ok(started.every((m) => m.stopped));
});

test("the request reaches its member as it was asked (its permission rules), only the session hook is added", async () => {
  const { pool, started } = fakePool(2);
  const permission = [{ permission: "edit", pattern: "*", action: "ask" as const }, { permission: "edit", pattern: "src/a.ts", action: "allow" as const }];
  const seen: string[] = [];
  const turn = runOn(pool, ask("scoped", { permission, onSession: (id) => seen.push(id) }));
  await tick();
  const got = started[0]?.requests[0];
  assert.equal(got?.permission, permission);
  assert.equal(got?.title, "scoped");
  started[0]?.finishAll();
  const result = await turn;
  assert.deepEqual(seen, [result.sessionId]);
});

test("a turn that continues a session runs on the member that holds it", async () => {
  const { pool, started, member } = fakePool(2);
  const a = runOn(pool, ask("a"));
  const b = runOn(pool, ask("b"));
  await tick();
  const onTwo = member("m2.1").busy[0] as string;
  for (const m of started) m.finishAll();
  await Promise.all([a, b]);
  const again = runOn(pool, ask("again", { sessionId: onTwo }));
  await tick();
  assert.deepEqual(member("m2.1").busy, [onTwo]);
  member("m2.1").finishAll();
  assert.equal((await again).text, "m2.1");
});

test("a member that dies mid-wave: its turns fail at once, the others go on, it is restarted, its retries run in new sessions", async () => {
  const { pool, started, member } = fakePool(3);
  const turns = Array.from({ length: 6 }, (_, i) => runOn(pool, ask(`wave ${i}`)).then((r) => r.text, (e: Error) => e));
  await tick();
  const lostSession = member("m2.1").busy[0] as string;
  member("m2.1").crash();
  await tick();
  const outcomes = await Promise.race([Promise.all(turns.filter((_, i) => i === 1 || i === 4)), new Promise((r) => setTimeout(() => r("hung"), 1000))]);
  assert.ok(Array.isArray(outcomes) && outcomes.every((o) => o instanceof ServerUnreachableError), "the dead member's turns failed at once");
  assert.equal(pool.ownerOf(lostSession), undefined, "its sessions are gone");
  // Restarted at once, because the mission was using it.
  assert.deepEqual(started.map((m) => m.name), ["m1.1", "m2.1", "m3.1", "m2.2"]);
  assert.equal(pool.restarts, 1);
  // The retries, in new sessions: on the least-loaded running member, here the new server, idle.
  const retries = [runOn(pool, ask("retry 1")), runOn(pool, ask("retry 2"))];
  await tick();
  assert.deepEqual([member("m1.1").busy.length, member("m2.2").busy.length, member("m3.1").busy.length], [2, 2, 2]);
  assert.ok(!member("m2.2").busy.includes(lostSession));
  for (const m of started) m.finishAll();
  await Promise.all(retries);
  await Promise.all(turns);
});

test("while a member restarts, new sessions go to the members still running", async () => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const members: FakeMember[] = [];
  const first = new FakeMember("m1");
  const pool = new EnginePool<FakeMember>({
    size: 2,
    first,
    logger: memoryLogger(),
    start: async (index) => {
      if (members.length > 0) await gate; // the restart takes its time
      const m = new FakeMember(`m${index + 1}.${members.length + 1}`);
      members.push(m);
      return m;
    },
  });
  const wave = [runOn(pool, ask("a")), runOn(pool, ask("b")).catch((e: Error) => e)];
  await tick();
  (members[0] as FakeMember).crash();
  await tick();
  const retry = runOn(pool, ask("retry"));
  await tick();
  assert.equal(first.busy.length, 2, "the retry runs on member 1, not on the member being restarted");
  release();
  await tick();
  assert.equal(pool.members().length, 2);
  first.finishAll();
  await Promise.all([wave[0], retry]);
});

test("a pool of one: a crash is survived by a restart the turns wait for, three times a mission, then it gives up", async () => {
  const { pool, started } = fakePool(1, 3);
  for (let crash = 1; crash <= 3; crash++) {
    const turn = runOn(pool, ask(`t${crash}`)).catch((e: Error) => e);
    await tick();
    started.at(-1)?.crash();
    assert.ok((await turn) instanceof ServerUnreachableError);
    const retry = runOn(pool, ask(`retry ${crash}`));
    await tick();
    assert.equal(started.length, crash + 1);
    started.at(-1)?.finishAll();
    assert.equal((await retry).text, `m1.${crash + 1}`);
  }
  const last = runOn(pool, ask("last")).catch((e: Error) => e);
  await tick();
  started.at(-1)?.crash();
  await last;
  await assert.rejects(runOn(pool, ask("after")), (e: Error) => e instanceof ServerUnreachableError && /exited 4 times during this mission/.test(e.message));
  pool.renewRestarts();
  const renewed = runOn(pool, ask("next mission"));
  await tick();
  started.at(-1)?.finishAll();
  assert.equal((await renewed).text, "m1.5");
});

test("a session whose member died cannot be continued: its turn goes on in a new session", async () => {
  const { pool, started } = fakePool(2);
  const turn = runOn(pool, ask("a"));
  await tick();
  const id = started[0]?.busy[0] as string;
  started[0]?.finishAll();
  await turn;
  started[0]?.crash();
  await assert.rejects(runOn(pool, ask("again", { sessionId: id })), (e: Error) => e instanceof ServerUnreachableError && e.message.includes("server 1"));
});

test("a member that died idle is started again only when a wave needs it", async () => {
  const { pool, started } = fakePool(2);
  const a = runOn(pool, ask("a"));
  const b = runOn(pool, ask("b"));
  await tick();
  for (const m of started) m.finishAll();
  await Promise.all([a, b]);
  started[1]?.crash();
  await tick();
  assert.equal(started.length, 2, "nothing restarted while idle");
  const c = runOn(pool, ask("c"));
  await tick();
  assert.equal(started.length, 2, "one turn: member 1 takes it");
  const d = runOn(pool, ask("d"));
  await tick();
  assert.equal(started.at(-1)?.name, "m2.2", "a second turn at once: member 2 comes back");
  for (const m of started) m.finishAll();
  await Promise.all([c, d]);
});

test("a turn waiting for a slow start goes to a running member with room again; its session is made there", async () => {
  let release!: () => void;
  const slowStart = new Promise<void>((resolve) => (release = resolve));
  const first = new FakeMember("m1");
  let second: FakeMember | undefined;
  const pool = new EnginePool<FakeMember>({
    size: 2,
    first,
    logger: memoryLogger(),
    perMember: 2,
    start: async () => {
      await slowStart;
      return (second = new FakeMember("m2"));
    },
  });
  const turns = Array.from({ length: 4 }, (_, i) => runOn(pool, ask(`t${i}`)));
  await tick();
  assert.equal(first.busy.length, 2, "member 1 takes its share; member 2 is still starting");
  assert.deepEqual(pool.loads(), [2, 2]);
  first.finish(first.busy[0] as string);
  await tick();
  assert.equal(first.busy.length, 2, "one waiting turn took the room member 1 had again");
  assert.deepEqual(pool.loads(), [2, 1]);
  first.finishAll();
  await tick();
  assert.equal(first.busy.length, 1, "and the last one the next room");
  assert.deepEqual(pool.loads(), [1, 0]);
  first.finishAll();
  assert.deepEqual((await Promise.all(turns)).map((r) => r.text), ["m1", "m1", "m1", "m1"]);
  release();
  await tick();
  assert.ok(second?.alive, "member 2 still comes up, for the next wave");
  const next = Array.from({ length: 4 }, (_, i) => runOn(pool, ask(`n${i}`)));
  await tick();
  assert.deepEqual([first.busy.length, second?.busy.length], [2, 2]);
  first.finishAll();
  second?.finishAll();
  await Promise.all(next);
});
