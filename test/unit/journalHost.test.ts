/**
 * No state problem escapes the front door: a workspace whose mission journal is corrupt still shows
 * its other missions, the host says what is wrong and names the mission, and setting it aside
 * moves its folder out of the way, losing nothing.
 */
import assert from "node:assert/strict";
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, test } from "node:test";
import { MissionHost, type HostNotice } from "../../src/orchestrator/host/missionHost";
import { memoryLogger, RedactingLogger } from "../../src/orchestrator/common/logger";
import { MissionStore } from "../../src/orchestrator/mission/missionStore";

let workspace: string;
beforeEach(() => {
  workspace = mkdtempSync(join(tmpdir(), "journal-host-"));
});
afterEach(() => rmSync(workspace, { recursive: true, force: true }));

function stoppedMission(store: MissionStore, text: string, at: number) {
  const state = store.create(text, at);
  store.record(state, { type: "mission.started", missionId: state.id, mission: text, resumed: false });
  state.status = "stopped";
  store.record(state, { type: "mission.status", missionId: state.id, status: "stopped" });
  store.save(state);
  return state;
}

for (const [name, line] of [
  ["a null line", "null"],
  ['"todos": 5', '{"seq":9,"at":1,"event":{"type":"x"},"mission":{"status":"running","iteration":1,"roundsWithoutProgress":0,"integrationChecked":false,"usage":{"inputTokens":0,"outputTokens":0,"cost":0,"turns":0},"usageByRole":{},"syncIssues":[]},"todos":5}'],
  ['"status": "pwned"', '{"seq":9,"at":1,"event":{"type":"x"},"mission":{"status":"pwned"}}'],
] as const) {
  test(`a journal with ${name} neither throws from showLatest nor hides the workspace's other missions; it can be set aside`, async () => {
    const store = new MissionStore(workspace);
    const older = stoppedMission(store, "The readable mission", Date.now() - 60_000);
    const broken = stoppedMission(store, "The broken mission", Date.now());
    appendFileSync(join(store.dir(broken.id), "events.jsonl"), `${line}\n`);
    const files = readdirSync(store.dir(broken.id)).sort();

    const host = new MissionHost({ workspace, logger: new RedactingLogger(memoryLogger()) });
    const notices: HostNotice[] = [];
    host.notices.on((n) => notices.push(n));
    try {
      const shown = await host.showLatest();
      assert.equal(shown?.missionId, older.id, "the readable mission is shown");
      const problem = notices.find((n) => n.kind === "stateProblem");
      assert.ok(problem && problem.kind === "stateProblem");
      assert.equal(problem.missionId, broken.id, "the notice names the mission that can be set aside");
      assert.equal(problem.recovered, false);
      assert.match(problem.message, /events\.jsonl line 3 is not a journal record/);

      const resumed = await host.resume({ opencodePath: "/nonexistent/opencode", serverUrl: "", model: undefined, demoMode: "never", models: {}, limits: {} }, broken.id);
      assert.equal(resumed.ok, false, "the broken mission is not resumed");
      assert.match(resumed.ok ? "" : resumed.reason, /not a journal record/);

      const aside = host.setAside(broken.id);
      assert.ok(aside.ok && aside.movedTo);
      assert.equal(existsSync(store.dir(broken.id)), false);
      assert.deepEqual(readdirSync(aside.movedTo).sort(), files, "its folder was moved whole");
      assert.match(readFileSync(join(aside.movedTo, "events.jsonl"), "utf8"), new RegExp(`${line.slice(0, 8).replace(/[{}"[\]]/g, ".")}`));
      notices.length = 0;
      assert.equal((await host.showLatest())?.missionId, older.id);
      assert.deepEqual(notices, [], "nothing left to report");
      assert.deepEqual(host.setAside(older.id).ok, false, "the mission shown (readable) is not set aside");
    } finally {
      await host.dispose();
    }
  });
}
