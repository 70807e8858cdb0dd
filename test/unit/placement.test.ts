import assert from "node:assert/strict";
import { test } from "node:test";
import { placeSession, type MemberLoad, type MemberState } from "../../src/orchestrator/engine/placement";
import { poolSize, turnsPerMember } from "../../src/orchestrator/engine/poolSize";
import { checkServers } from "../../src/orchestrator/settings/settingsTable";

const m = (state: MemberState, load = 0): MemberLoad => ({ state, load });

test("an idle live member takes the session; a busy pool starts its next member before doubling up", () => {
  assert.deepEqual(placeSession([m("live", 0), m("idle"), m("idle")]), { index: 0, start: false });
  assert.deepEqual(placeSession([m("live", 1), m("idle"), m("idle")]), { index: 1, start: true });
  assert.deepEqual(placeSession([m("live", 1), m("starting", 1), m("idle")]), { index: 2, start: true });
  // Every member has work and none is left to start: the least loaded, the lowest index on a tie.
  assert.deepEqual(placeSession([m("live", 2), m("live", 1), m("live", 1)]), { index: 1, start: false });
  assert.deepEqual(placeSession([m("live", 3), m("starting", 1), m("live", 2)]), { index: 1, start: false });
});

test("a live member wins a tie against one still starting", () => {
  assert.deepEqual(placeSession([m("starting", 1), m("live", 1)]), { index: 1, start: false });
  assert.deepEqual(placeSession([m("starting", 0), m("live", 0)]), { index: 1, start: false });
});

test("a wave spreads evenly over the whole pool", () => {
  const members = [m("live"), m("idle"), m("idle"), m("idle")];
  for (let turn = 0; turn < 12; turn++) {
    const p = placeSession(members) as { index: number; start: boolean };
    const chosen = members[p.index] as MemberLoad;
    if (p.start) chosen.state = "starting";
    chosen.load++;
  }
  assert.deepEqual(members.map((x) => x.load), [3, 3, 3, 3]);
});

test("a member restarting after a crash takes no new session while another runs: its turns fail over", () => {
  assert.deepEqual(placeSession([m("live", 4), m("restarting", 0), m("live", 5)]), { index: 0, start: false });
  // A pool of one (or every other member out): the turn waits for the restart.
  assert.deepEqual(placeSession([m("restarting", 0)]), { index: 0, start: false });
  assert.deepEqual(placeSession([m("out"), m("restarting", 2)]), { index: 1, start: false });
});

test("a member that died idle is started again when the wave needs it; one with no restarts left never", () => {
  assert.deepEqual(placeSession([m("live", 1), m("dead")]), { index: 1, start: true });
  assert.deepEqual(placeSession([m("live", 0), m("dead")]), { index: 0, start: false });
  assert.deepEqual(placeSession([m("dead")]), { index: 0, start: true });
  assert.deepEqual(placeSession([m("live", 1), m("out")]), { index: 0, start: false });
  assert.equal(placeSession([m("out"), m("out")]), undefined);
});

test("orchestrator.servers: auto is one server per core but one, no more than parallel sessions, at most 16", () => {
  assert.equal(poolSize("auto", { cores: 2, maxParallelSessions: 10 }), 1, "2 cores: a single server, as before the pool");
  assert.equal(poolSize("auto", { cores: 4, maxParallelSessions: 10 }), 3);
  assert.equal(poolSize("auto", { cores: 16, maxParallelSessions: 10 }), 10);
  assert.equal(poolSize("auto", { cores: 16, maxParallelSessions: 50 }), 15);
  assert.equal(poolSize("auto", { cores: 64, maxParallelSessions: 50 }), 16);
  assert.equal(poolSize("auto", { cores: 8, maxParallelSessions: 1 }), 1);
  assert.equal(poolSize("auto", { cores: 1, maxParallelSessions: 10 }), 1);
  assert.equal(poolSize(4, { cores: 2, maxParallelSessions: 10 }), 4, "a number is taken as it is");
});

test("each member takes its share of the parallel limit before the next one starts", () => {
  assert.equal(turnsPerMember(2, 10), 5);
  assert.equal(turnsPerMember(10, 10), 1);
  assert.equal(turnsPerMember(16, 10), 1);
  assert.equal(turnsPerMember(2, 50), 25);
  assert.equal(turnsPerMember(1, 10), 10);
});

test("orchestrator.servers takes auto or 1–16, and says what it used instead of anything else", () => {
  assert.deepEqual(checkServers("auto"), { value: "auto" });
  assert.deepEqual(checkServers("4"), { value: 4 });
  assert.deepEqual(checkServers(16), { value: 16 });
  assert.deepEqual(checkServers("17"), { value: "auto", problem: 'orchestrator.servers "17" is not "auto" or a whole number in 1–16; using auto.' });
  assert.equal(checkServers(0).value, "auto");
  assert.equal(checkServers(2.5).value, "auto");
});

test("with a share per member, the next member starts only once every running one has its share", () => {
  assert.deepEqual(placeSession([m("live", 4), m("idle")], 5), { index: 0, start: false });
  assert.deepEqual(placeSession([m("live", 5), m("idle")], 5), { index: 1, start: true });
  assert.deepEqual(placeSession([m("live", 5), m("starting", 2)], 5), { index: 1, start: false });
  assert.deepEqual(placeSession([m("live", 5), m("live", 5)], 5), { index: 0, start: false });
});
