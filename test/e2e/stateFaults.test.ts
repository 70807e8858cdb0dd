/**
 * Faults of the mission's own state, through the real OpenCode server: a mission process killed and
 * its mission.json corrupted; a state folder that turns read-only mid-mission. Each mission must stop
 * or come back with a clear message, lose no TODO, and finish on resume.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { Commander } from "../../src/orchestrator/mission/commander";
import { MissionStore, type StateFileError } from "../../src/orchestrator/mission/missionStore";
import { memoryLogger } from "../../src/orchestrator/common/logger";
import { missionScenario, todo } from "../../src/orchestrator/scriptedModel/missionScenario";
import { SCRIPTED_MODEL, startEngineHarness, type EngineHarness } from "../support/engineHarness";
import { followOutput, type FollowedOutput } from "../support/processes";
import { makeReadOnly } from "../support/readOnly";
import { findUnfinished } from "../support/missions";

let h: EngineHarness;
/** Mission processes this file started: killed at the end even if a test failed or timed out. */
const children = new Set<ChildProcess>();
before(async () => {
  h = await startEngineHarness({ roles: {} });
});
after(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await h?.close();
});

/** Runs the mission in its own process; resolves with that process once `until` matches its output. */
async function missionProcess(mission: string, until: RegExp): Promise<FollowedOutput & { child: ChildProcess }> {
  const child = spawn(process.execPath, ["--import", "tsx", join(__dirname, "..", "fixtures", "missionInChildProcess.ts"), h.sandbox.workspace, h.model.baseURL, mission], { env: h.sandbox.env, stdio: ["ignore", "pipe", "inherit"] });
  children.add(child);
  const followed = followOutput(child, "the mission process");
  await followed.waitFor(until);
  return { ...followed, child };
}

const missionDirOf = (store: MissionStore, mission: string) => readdirSync(store.root).map((id) => store.dir(id)).find((dir) => readFileSync(join(dir, "events.jsonl"), "utf8").includes(JSON.stringify(mission))) as string;

// Timeouts: a child process that never says what the test waits for fails the test instead of hanging it.
test("a corrupt mission.json after a crash: moved aside, the mission rebuilt from its journal, resumed and sealed with no TODO lost", { timeout: 180_000 }, async (t) => {
  const plan = { todos: [todo("C1"), todo("C2"), todo("C3", ["C1", "C2"]), todo("C4", ["C3"])] };
  const scenario = missionScenario({ workspace: h.sandbox.workspace, plans: [plan], workerLatencyMs: (id) => (id === "C3" ? 1500 : undefined) });
  h.model.setScenario(scenario);
  const asked = h.model.requests.length;
  const run = await missionProcess("Corrupt me", /todo C3 running/);
  run.child.kill("SIGKILL");
  await run.exited;

  const store = new MissionStore(h.sandbox.workspace);
  const dir = missionDirOf(store, "Corrupt me");
  const garbage = '{"version":1,"id":"20261124-';
  writeFileSync(join(dir, "mission.json"), garbage); // torn, as by a crash mid-write on a filesystem without atomic rename

  const problems: StateFileError[] = [];
  const unfinished = await findUnfinished(store, (p) => problems.push(p));
  assert.ok(unfinished, "the mission is still found");
  assert.equal(problems.length, 1);
  assert.equal(problems[0]?.recovered, true);
  assert.match(problems[0]?.message ?? "", /mission\.json is not valid JSON .*moved to .*rebuilt from its journal .*nothing was lost/);
  assert.equal(readFileSync(problems[0]?.movedTo ?? "", "utf8"), garbage, "the bad file is kept as it was, never overwritten");
  assert.deepEqual(unfinished.todos.map((x) => x.id), ["C1", "C2", "C3", "C4"], "every planned TODO is back");
  assert.equal(unfinished.todos.find((x) => x.id === "C1")?.status, "done");

  const commander = Commander.resume(unfinished, { engine: h.engine, store, logger: memoryLogger(), model: SCRIPTED_MODEL });
  const state = await commander.run();
  assert.equal(state.status, "sealed", state.report);
  assert.deepEqual(state.todos.map((x) => `${x.id} ${x.status}`), ["C1 done", "C2 done", "C3 done", "C4 done"]);
  assert.equal(scenario.workerAttempts.get("C1"), 1, "done work was not redone");
  assert.equal(scenario.workerAttempts.get("C2"), 1);
  t.diagnostic(`corrupt mission.json: ${h.model.requests.length - asked} model requests`);
});

test("a state folder that turns read-only mid-mission: the mission stops with a clear error, then resumes and seals with no TODO lost", { timeout: 180_000 }, async (t) => {
  const plan = { todos: [todo("W1"), todo("W2", ["W1"]), todo("W3", ["W2"])] };
  const scenario = missionScenario({ workspace: h.sandbox.workspace, plans: [plan], workerLatencyMs: (id) => (id === "W2" ? 800 : undefined) });
  h.model.setScenario(scenario);
  const asked = h.model.requests.length;
  const run = await missionProcess("Lose my folder", /todo W1 done/);
  const store = new MissionStore(h.sandbox.workspace);
  const dir = missionDirOf(store, "Lose my folder");
  let undo: (() => void) | undefined;
  try {
    try {
      undo = makeReadOnly(dir);
    } catch (error) {
      run.child.kill("SIGKILL");
      t.skip(`this filesystem cannot make a folder read-only for root: ${(error as Error).message}`);
      return;
    }
    await run.exited;
    const finished = /finished (\S+) busy=(\d+) (.*)/.exec(run.output());
    assert.ok(finished, run.output());
    assert.equal(finished[1], "stopped", "stopped, resumable, not failed");
    assert.equal(finished[2], "0", "no session was left busy on its server");
    assert.match(finished[3] as string, /Could not (append to the mission journal|save the mission state).*(EPERM|EACCES|not permitted|permission denied).*The mission stops rather than run on state it cannot keep/i);
    assert.doesNotMatch(run.output(), /todo W3 running/, "nothing ran on after the failed write");
    t.diagnostic(`the mission said: ${finished[3]}`);
  } finally {
    undo?.();
  }

  const unfinished = await findUnfinished(store);
  assert.ok(unfinished, "what was saved before the folder turned read-only is there to resume");
  assert.equal(unfinished.mission, "Lose my folder");
  const commander = Commander.resume(unfinished, { engine: h.engine, store, logger: memoryLogger(), model: SCRIPTED_MODEL });
  const state = await commander.run();
  assert.equal(state.status, "sealed", state.report);
  assert.deepEqual(state.todos.map((x) => `${x.id} ${x.status}`), ["W1 done", "W2 done", "W3 done"], "no TODO lost");
  assert.equal(scenario.workerAttempts.get("W1"), 1, "W1 was saved done before the fault: not redone");
  t.diagnostic(`read-only state folder: ${h.model.requests.length - asked} model requests`);
});
