/**
 * Restricted Mode, as the extension registers its commands: every command of the list goes through
 * `guardedCommands`, and each one invoked while the workspace is untrusted either runs (it only
 * shows, stops or touches the Orchestrator's own state) or is refused without its handler running.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { guardedCommands, needsTrust, type CommandHandler } from "../../src/extension/trust";
import { MissionHost } from "../../src/orchestrator/host/missionHost";
import { memoryLogger, RedactingLogger } from "../../src/orchestrator/common/logger";
import { MissionStore } from "../../src/orchestrator/mission/missionStore";
import { COMMAND_IDS, COMMANDS, type CommandId, type CommandName } from "../../src/shared/commands";

/** What each command's handler did: the ids of the handlers that ran, in order. */
function recordingHandlers(ran: CommandId[]): Record<CommandName, CommandHandler> {
  return Object.fromEntries((Object.keys(COMMANDS) as CommandName[]).map((name) => [name, () => ran.push(COMMANDS[name])])) as Record<CommandName, CommandHandler>;
}

/** Invokes every registered command once, with an argument like the tree's. */
function invokeAll(commands: Array<[CommandId, CommandHandler]>): void {
  for (const [, handler] of commands) (handler as (arg: unknown) => unknown)("todo:m:T1");
}

const START_AGENTS_OR_WRITE: CommandName[] = ["runTask", "ask", "resume", "approvePlan", "replanPlan", "retryTodo", "skipTodo", "revertTodo", "revertMission", "undoRevert", "showTodoChanges", "reviewMissionChanges", "openMission", "showMissionReport", "deleteMission"];
const SAFE: CommandName[] = ["stop", "cancelPlan", "showPlanApproval", "abortSession", "killJob", "openDashboard", "showLog", "showJob", "openSession", "openTodoSession", "openTodoFiles", "setServerPassword", "setMissionAside"];

test("untrusted, every command that starts agents, writes the workspace or reads its mission state is refused, its handler never run; the others run", () => {
  const ran: CommandId[] = [];
  let refused = 0;
  const commands = guardedCommands(recordingHandlers(ran), () => false, () => refused++);
  assert.deepEqual(commands.map(([id]) => id).sort(), [...COMMAND_IDS].sort(), "every command of the list is registered");
  invokeAll(commands);
  assert.deepEqual([...ran].sort(), SAFE.map((name) => COMMANDS[name]).sort(), "only the safe commands ran");
  assert.equal(refused, START_AGENTS_OR_WRITE.length, "each of the others was refused, saying why");
  assert.equal(START_AGENTS_OR_WRITE.length + SAFE.length, COMMAND_IDS.length, "every command is expected one way or the other");
});

test("trusted, every command runs; trust is read at each call, so a grant takes effect at once", () => {
  let trusted = false;
  const ran: CommandId[] = [];
  let refused = 0;
  const commands = guardedCommands(recordingHandlers(ran), () => trusted, () => refused++);
  const runTask = commands.find(([id]) => id === COMMANDS.runTask)?.[1] as () => unknown;
  runTask();
  assert.deepEqual(ran, []);
  assert.equal(refused, 1);
  trusted = true;
  invokeAll(commands);
  assert.deepEqual([...ran].sort(), [...COMMAND_IDS].sort());
  assert.equal(refused, 1);
});

test("Show TODO Changes and Review Mission Changes need trust: in Restricted Mode no mission state is read and no git runs", async () => {
  for (const command of [COMMANDS.showTodoChanges, COMMANDS.reviewMissionChanges]) assert.ok(needsTrust(command), command);
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
    const handlers = { ...recordingHandlers([]), showTodoChanges: (missionId: string) => host.changesOf(missionId, "T1"), reviewMissionChanges: (missionId: string) => host.changesOf(missionId) };
    const commands = new Map(guardedCommands(handlers, () => false, () => refused++));
    assert.equal(await (commands.get(COMMANDS.showTodoChanges) as (id: string) => unknown)(state.id), undefined);
    assert.equal(await (commands.get(COMMANDS.reviewMissionChanges) as (id: string) => unknown)(state.id), undefined);
    assert.equal(refused, 2, "each refused, saying why");
    assert.ok(!existsSync(join(workspace, ".opencode", "orchestrator", "checkpoints")), "no git ran on the workspace: its checkpoint store was never opened");
  } finally {
    await host.dispose();
    rmSync(workspace, { recursive: true, force: true });
  }
});
