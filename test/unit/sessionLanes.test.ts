/** The session timeline's lanes: a session takes the first lane free at its start; running ones hold theirs. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { assignLanes, type SessionSpan } from "../../webview/sessionLanes";

const laneOf = (sessions: SessionSpan[]) => Object.fromEntries(assignLanes(sessions).placed.map((p) => [p.session.id, p.lane]));

test("sessions one after another share one lane", () => {
  const lanes = assignLanes([{ id: "planner", startedAt: 0, endedAt: 10 }, { id: "w1", startedAt: 10, endedAt: 20 }, { id: "rev", startedAt: 25, endedAt: 30 }]);
  assert.equal(lanes.count, 1);
  assert.deepEqual(lanes.placed.map((p) => p.lane), [0, 0, 0]);
});

test("parallel Workers take a lane each; a later session takes the first lane free, not a new one", () => {
  const sessions = [
    { id: "w3", startedAt: 12, endedAt: 40 },
    { id: "w1", startedAt: 10, endedAt: 20 },
    { id: "w2", startedAt: 11, endedAt: 30 },
    { id: "rev", startedAt: 25, endedAt: 50 },
  ];
  assert.deepEqual(laneOf(sessions), { w1: 0, w2: 1, w3: 2, rev: 0 });
  assert.equal(assignLanes(sessions).count, 3, "at most three ran at once");
  assert.deepEqual(assignLanes(sessions).placed.map((p) => p.session.id), ["w1", "w2", "w3", "rev"], "in order of start");
});

test("a running session holds its lane: nothing that starts later joins it", () => {
  assert.deepEqual(laneOf([{ id: "a", startedAt: 0 }, { id: "b", startedAt: 5, endedAt: 6 }, { id: "c", startedAt: 100 }]), { a: 0, b: 1, c: 1 });
});

test("the lanes are the same whatever order the sessions arrive in; ties go by id", () => {
  const sessions = [{ id: "b", startedAt: 1, endedAt: 9 }, { id: "a", startedAt: 1, endedAt: 9 }, { id: "c", startedAt: 9, endedAt: 12 }];
  assert.deepEqual(laneOf(sessions), { a: 0, b: 1, c: 0 });
  assert.deepEqual(laneOf([...sessions].reverse()), laneOf(sessions));
});

test("a session's lane does not move as later sessions start and end (live updates keep the picture still)", () => {
  const early = [{ id: "w1", startedAt: 0 }, { id: "w2", startedAt: 1 }];
  const later = [{ id: "w1", startedAt: 0, endedAt: 8 }, { id: "w2", startedAt: 1 }, { id: "w3", startedAt: 9 }, { id: "w4", startedAt: 10 }];
  const before = laneOf(early);
  const after = laneOf(later);
  for (const id of Object.keys(before)) assert.equal(after[id], before[id]);
  assert.deepEqual(after, { w1: 0, w2: 1, w3: 0, w4: 2 });
});

test("no sessions: no lanes", () => {
  assert.deepEqual(assignLanes([]), { count: 0, placed: [] });
});
