/** A session's server, as the views show it: learnt from the member whose stream carried its events. */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { OrchestratorEvent } from "../../src/orchestrator/domain/events";
import type { OpencodeEvent } from "../../src/orchestrator/engine/eventRouter";
import { sessionNode } from "../../src/extension/viewModels/treeModels";
import { SessionRegistry } from "../../src/orchestrator/host/sessionRegistry";

const ev = (type: string, properties: Record<string, unknown>) => ({ id: "e", type, properties }) as unknown as OpencodeEvent;
const started: OrchestratorEvent = { type: "turn.started", missionId: "m", role: "worker", todoIds: ["T1"], sessionId: "ses_2" };

test("the first event of a session from a pool member names its server, and the views show it", () => {
  const r = new SessionRegistry(() => 1_000);
  r.applyMission(started);
  // An event that changes nothing else still reports the session changed: its server is new.
  assert.equal(r.applyOpencode(ev("server.heartbeat", { sessionID: "ses_2" }), 2), "ses_2");
  assert.equal(r.get("ses_2")?.server, 2);
  assert.equal(r.applyOpencode(ev("server.heartbeat", { sessionID: "ses_2" }), 2), undefined, "known already: nothing changed");
  const node = sessionNode(r.get("ses_2")!, 2_000);
  assert.match(node.description as string, / · server 2$/);
  assert.match(node.tooltip as string, /on OpenCode server 2/);
});

test("with a single server no server is recorded or shown", () => {
  const r = new SessionRegistry(() => 1_000);
  r.applyMission(started);
  r.applyOpencode(ev("session.status", { sessionID: "ses_2", status: { type: "busy" } }));
  assert.equal(r.get("ses_2")?.server, undefined);
  assert.doesNotMatch(sessionNode(r.get("ses_2")!, 2_000).description as string, /server/);
});
