/**
 * The front door with the real OpenCode server it starts itself (the workspace's opencode.json
 * points at the scripted model): what the views show survives a reload and a resume, and every
 * action acts on the mission it names.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { MissionHost } from "../../src/orchestrator/host/missionHost";
import type { HostSettings } from "../../src/orchestrator/host/hostSettings";
import { memoryLogger, RedactingLogger } from "../../src/orchestrator/common/logger";
import { missionScenario, todo } from "../../src/orchestrator/scriptedModel/missionScenario";
import { startScriptedModel, type ScriptedModel } from "../../src/orchestrator/scriptedModel/server";
import { SCRIPTED_MODEL, startEngineHarness, writeScriptedOpencodeJson } from "../support/engineHarness";
import { BUNDLED_OPENCODE, createSandbox, type Sandbox } from "../support/isolation";
import { onlyOn } from "../support/engines";

let sandbox: Sandbox;
let model: ScriptedModel;
let stall = true;
const settings: HostSettings = { opencodePath: BUNDLED_OPENCODE, serverUrl: "", model: SCRIPTED_MODEL, demoMode: "never", models: {}, limits: {} };
const newHost = () => new MissionHost({ workspace: sandbox.workspace, logger: new RedactingLogger(memoryLogger()), engineEnv: sandbox.env });

before(async () => {
  sandbox = createSandbox("orch-host-");
  model = await startScriptedModel(
    missionScenario({
      workspace: sandbox.workspace,
      plans: [{ todos: [todo("H1"), todo("H2")] }],
      workerOverride: () => (stall ? { kind: "stall" } : undefined),
    }),
  );
  writeScriptedOpencodeJson(sandbox.workspace, model.baseURL);
});

after(async () => {
  await model?.close();
  sandbox?.remove();
});

/** Runs a mission until both Workers are busy, then stops it. */
async function stoppedMission(host: MissionHost, text: string): Promise<string> {
  stall = true;
  const busy = new Promise<void>((resolve) => {
    const sub = host.view.updates.on(() => {
      if (host.model.counts.runningTodos === 2 && host.view.sessions.filter((s) => s.role === "worker" && s.status === "busy").length === 2) {
        sub.dispose();
        resolve();
      }
    });
  });
  const run = host.run(text, settings);
  await busy;
  host.stop();
  const final = await run;
  assert.equal(final.status, "stopped");
  return final.missionId as string;
}

test("the sessions and the timeline of a stopped mission come back after a reload, and stay through its resume", async () => {
  const first = newHost();
  let missionId: string;
  let before: string[];
  try {
    missionId = await stoppedMission(first, "Reload me");
    before = first.view.sessions.map((s) => s.id).sort();
    assert.equal(before.length, 3, "a Planner and two Workers");
  } finally {
    await first.dispose();
  }

  // A window reload: a new host on the same workspace.
  const second = newHost();
  try {
    const shown = await second.showLatest();
    assert.equal(shown?.missionId, missionId);
    assert.equal(shown?.resumable, true);
    assert.deepEqual(second.view.sessions.map((s) => s.id).sort(), before, "every session of the mission is listed again");
    assert.deepEqual(second.view.sessions.filter((s) => s.role === "worker").map((s) => s.status), ["aborted", "aborted"]);
    assert.equal(second.model.counts.runningSessions, 0, "none of them counts as running");
    assert.ok(second.view.timeline.some((e) => e.text === "Mission stopped: stopped by the user"), "the timeline came back");

    stall = false;
    const resumed = await second.resume(settings);
    assert.deepEqual(resumed, { ok: true });
    assert.equal(second.model.status, "sealed");
    const after = second.view.sessions.map((s) => s.id);
    for (const id of before) assert.ok(after.includes(id), `session ${id} of the first run is still listed`);
    assert.ok(after.length >= before.length + 3, "and the resumed run's Workers and Reviewer are added");
    const lines = second.view.timeline.map((e) => e.text);
    assert.ok(lines.indexOf("Started mission") < lines.indexOf("Resumed mission"), "one timeline across both runs");
  } finally {
    await second.dispose();
  }
});

test("Retry on a TODO of an older stopped mission resumes that mission, not the latest one", async () => {
  const host = newHost();
  try {
    const older = await stoppedMission(host, "Older mission");
    const newer = await stoppedMission(host, "Newer mission");
    assert.equal(host.model.missionId, newer, "the newer one is shown");
    stall = false;
    const seen = new Set<string>();
    const sub = host.view.updates.on(() => host.isRunning && host.model.missionId && seen.add(host.model.missionId));
    const result = await host.retry(older, "H1", settings);
    sub.dispose();
    assert.deepEqual(result, { ok: true });
    assert.deepEqual([...seen], [older], "only the mission the TODO belongs to ran");
    assert.equal(host.model.missionId, older);
    assert.equal(host.model.status, "sealed");
    await host.showLatest();
    assert.equal((await host.latestUnfinished())?.missionId, newer, "the newer mission is still stopped, untouched");
  } finally {
    await host.dispose();
  }
});

test("an attached server that snapshots at every step gets one warning, however many missions run on it", onlyOn("v1", "attaching to an OpenCode 2 server is refused (the next test)"), async () => {
  const attached = await startEngineHarness({ roles: {} }, undefined, async () => ({ stepSnapshots: true }));
  attached.model.setScenario(missionScenario({ workspace: attached.sandbox.workspace, plans: [{ todos: [todo("W1")] }] }));
  const host = new MissionHost({ workspace: attached.sandbox.workspace, logger: new RedactingLogger(memoryLogger()), serverPassword: async () => attached.engine.credentials.password });
  const notices: string[] = [];
  host.notices.on((n) => notices.push(n.kind));
  try {
    const onAttached: HostSettings = { ...settings, serverUrl: attached.engine.credentials.url };
    assert.equal((await host.run("On an attached server", onAttached)).status, "sealed");
    assert.equal((await host.run("Again", onAttached)).status, "sealed");
    assert.deepEqual(notices.filter((k) => k === "slowServer"), ["slowServer"], "said once");
  } finally {
    await host.dispose();
    await attached.close();
  }
});

test("attaching to an OpenCode 2 server is refused with what to do; the mission is kept to resume, nothing ran", onlyOn("v2", "OpenCode 1 servers are attached (the test before)"), async () => {
  const attached = await startEngineHarness({ roles: {} });
  attached.model.setScenario(missionScenario({ workspace: attached.sandbox.workspace, plans: [{ todos: [todo("W1")] }] }));
  const host = new MissionHost({ workspace: attached.sandbox.workspace, logger: new RedactingLogger(memoryLogger()), serverPassword: async () => attached.engine.credentials.password });
  const errors: string[] = [];
  host.notices.on((n) => n.kind === "error" && errors.push(n.message));
  try {
    const asked = attached.model.requests.length;
    const final = await host.run("On an attached OpenCode 2 server", { ...settings, serverUrl: attached.engine.credentials.url });
    assert.notEqual(final.status, "sealed");
    assert.equal(errors.length, 1);
    assert.match(errors[0] as string, /is OpenCode 2\.1\.2: attaching to an OpenCode 2 server is not supported yet[\s\S]*Clear orchestrator\.opencode\.serverUrl/);
    assert.equal(attached.model.requests.length, asked, "no model request");
    assert.equal((await host.latestUnfinished())?.mission, "On an attached OpenCode 2 server", "the mission is kept to resume");
    assert.deepEqual(await attached.engine.busySessions(), [], "the attached server is untouched and still answers");
  } finally {
    await host.dispose();
    await attached.close();
  }
});

test("the demo model (no provider configured): the mission npm start shows is planned, worked, reviewed and sealed, its changes recorded", async () => {
  const box = createSandbox("orch-demo-");
  const host = new MissionHost({ workspace: box.workspace, logger: new RedactingLogger(memoryLogger()), engineEnv: box.env });
  const notices: string[] = [];
  host.notices.on((n) => notices.push(n.kind));
  try {
    const final = await host.run("Build a REST API with authentication", { ...settings, model: undefined, demoMode: "always" });
    assert.equal(final.status, "sealed", final.report);
    assert.ok(final.demo && notices.includes("demo"), "the user is told a scripted demo model answered");
    assert.deepEqual(final.todos.map((t) => `${t.id}:${t.status}`), ["brief:done", "design:done", "tests:done", "next:done"]);
    assert.ok(final.todos.every((t) => t.changes.length === 1 && t.changes[0]?.path.startsWith("ORCHESTRATOR_DEMO/")), "each demo TODO's real change is its note");
    assert.match(readFileSync(join(box.workspace, "ORCHESTRATOR_DEMO", "brief.md"), "utf8"), /Mission: Build a REST API with authentication/);
  } finally {
    await host.dispose();
    box.remove();
  }
});
