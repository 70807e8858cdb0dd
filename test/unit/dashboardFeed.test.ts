/** What the dashboard is sent: never the transcript of a session of another mission. */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { MissionState } from "../../src/orchestrator/domain/state";
import { MissionView } from "../../src/orchestrator/host/missionView";
import type { OpencodeEvent } from "../../src/orchestrator/engine/eventRouter";
import { DashboardFeed } from "../../src/extension/viewModels/dashboardFeed";
import type { Timers } from "../../src/extension/viewModels/coalescer";
import type { HostToWebview } from "../../src/shared/dashboardProtocol";

function manualTimers(): Timers & { fire(): void } {
  let pending: (() => void) | undefined;
  return { setTimeout: (fn) => (pending = fn), clearTimeout: () => (pending = undefined), fire: () => { const fn = pending; pending = undefined; fn?.(); } };
}

const mission = (id: string): MissionState => ({ version: 1, id, mission: `Mission ${id}`, createdAt: 1, updatedAt: 2, status: "running", iteration: 0, roundsWithoutProgress: 0, todos: [], syncIssues: [], integrationChecked: false, usage: { inputTokens: 0, outputTokens: 0, cost: 0, turns: 0 }, usageByRole: {}, checkpoints: {}, reverts: [], journalSeq: 0 });
const text = (sessionID: string, id: string, value: string) => ({ id: "e", type: "message.part.updated", properties: { sessionID, part: { id, sessionID, type: "text", text: value }, time: 1 } }) as unknown as OpencodeEvent;

test("the dashboard drops the transcript of the previous mission's session when a new mission starts", () => {
  const timers = manualTimers();
  const view = new MissionView();
  const posted: HostToWebview[] = [];
  const feed = new DashboardFeed(view, (m) => posted.push(m), timers);
  view.show(mission("m1"), { phase: "running", demo: false });
  view.applyMission({ type: "turn.started", missionId: "m1", role: "worker", sessionId: "ses_old", todoIds: ["A"] });
  view.applyOpencode(text("ses_old", "p1", "old mission's words"));
  assert.ok(feed.focus("ses_old"));
  timers.fire();
  assert.deepEqual(posted.filter((m) => m.type === "transcript").at(-1), { type: "transcript", sessionId: "ses_old", lines: [{ kind: "text", text: "old mission's words" }] });

  posted.length = 0;
  view.starting("A new mission", 10);
  timers.fire();
  assert.deepEqual(posted.find((m) => m.type === "transcript"), { type: "transcript", sessionId: null, lines: [] }, "the old transcript is cleared");
  assert.equal(feed.focusedSession, undefined);
  assert.equal(feed.focus("ses_old"), false, "a session of another mission cannot be focused");
  const snapshot = posted.find((m) => m.type === "snapshot");
  assert.equal(snapshot?.type === "snapshot" && snapshot.snapshot.mission, "A new mission");
  feed.dispose();
});
