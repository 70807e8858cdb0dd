/** Every command is classified for Restricted Mode; those that start agents, write the workspace or read its mission state refuse there. */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ALLOWED_UNTRUSTED, needsTrust, requireTrust, TRUSTED_ONLY } from "../../src/extension/trust";
import { MissionHost } from "../../src/orchestrator/host/missionHost";
import { memoryLogger, RedactingLogger } from "../../src/orchestrator/logger";
import { MissionStore } from "../../src/orchestrator/mission/missionStore";

const manifest = JSON.parse(readFileSync(join(__dirname, "..", "..", "package.json"), "utf8")) as { contributes: { commands: Array<{ command: string }> } };
const extensionSource = readFileSync(join(__dirname, "..", "..", "src", "extension", "extension.ts"), "utf8");

test("every contributed and registered command is classified once: trusted only, or safe untrusted", () => {
  const classified = [...TRUSTED_ONLY, ...ALLOWED_UNTRUSTED] as string[];
  assert.equal(new Set(classified).size, classified.length, "no command in both lists");
  const registered = [...extensionSource.matchAll(/\["(orchestrator\.[A-Za-z]+)",/g)].map((m) => m[1] as string);
  for (const command of new Set([...manifest.contributes.commands.map((c) => c.command), ...registered])) {
    assert.ok(classified.includes(command), `${command} is classified in src/extension/trust.ts`);
  }
});

test("Run Task, Resume, Retry, Skip and the reverts need trust; stopping and showing do not", () => {
  for (const command of ["orchestrator.runTask", "orchestrator.resume", "orchestrator.retryTodo", "orchestrator.skipTodo", "orchestrator.revertTodo", "orchestrator.revertMission", "orchestrator.undoRevert"]) assert.ok(needsTrust(command), command);
  for (const command of ["orchestrator.stop", "orchestrator.abortSession", "orchestrator.killJob", "orchestrator.openDashboard"]) assert.ok(!needsTrust(command), command);
});

test("a guarded handler runs only while the workspace is trusted, reading trust at each call", () => {
  let trusted = false;
  const ran: unknown[] = [];
  let refused = 0;
  const retry = requireTrust("orchestrator.retryTodo", (arg: string) => ran.push(arg), () => trusted, () => refused++);
  retry("todo:m:T1");
  assert.deepEqual(ran, []);
  assert.equal(refused, 1);
  trusted = true;
  retry("todo:m:T1");
  assert.deepEqual(ran, ["todo:m:T1"]);
  const stop = () => "stopped";
  assert.equal(requireTrust("orchestrator.stop", stop, () => false, () => refused++), stop, "an allowed command is not wrapped");
});

test("Show TODO Changes and Review Mission Changes need trust: in Restricted Mode no mission state is read and no git runs", async () => {
  for (const command of ["orchestrator.showTodoChanges", "orchestrator.reviewMissionChanges"]) assert.ok(needsTrust(command), command);
  const workspace = mkdtempSync(join(tmpdir(), "untrusted-changes-"));
  const host = new MissionHost({ workspace, logger: new RedactingLogger(memoryLogger()) });
  try {
    writeFileSync(join(workspace, "a.txt"), "a\n");
    const store = new MissionStore(workspace);
    const state = store.create("A mission with changes");
    const changes = { base: "0".repeat(40), head: "1".repeat(40), touched: ["a.txt"], files: [] };
    Object.assign(state, { checkpoints: { start: "0".repeat(40) }, todos: [{ id: "T1", title: "T1", description: "", files: ["a.txt"], dependsOn: [], acceptance: "ok", kind: "code", status: "done", attempts: 1, sessions: [], reviewIssues: [], history: [{ at: 1, status: "done" }], changes }] });
    store.save(state);
    let refused = 0;
    // As extension.ts registers them: the host's changesOf reads the state and diffs it with git.
    const show = requireTrust("orchestrator.showTodoChanges", (missionId: string) => host.changesOf(missionId, "T1"), () => false, () => refused++);
    const review = requireTrust("orchestrator.reviewMissionChanges", (missionId: string) => host.changesOf(missionId), () => false, () => refused++);
    assert.equal(await show(state.id), undefined);
    assert.equal(await review(state.id), undefined);
    assert.equal(refused, 2, "each refused, saying why");
    assert.ok(!existsSync(join(workspace, ".opencode", "orchestrator", "checkpoints")), "no git ran on the workspace: its checkpoint store was never opened");
  } finally {
    await host.dispose();
    rmSync(workspace, { recursive: true, force: true });
  }
});
