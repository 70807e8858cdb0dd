/**
 * Revert and Undo never write what the workspace protects (`.git/`, `.vscode/`, OpenCode's config),
 * never through a link, and never from a mission the user's own runs did not make: a repository
 * that ships a mission and a checkpoint store naming `.git/hooks/post-checkout` gets nothing written.
 * Real git, real stores on temp folders, through the front door (MissionHost).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, test } from "node:test";
import { CheckpointStore } from "../../src/orchestrator/changes/checkpointStore";
import type { MissionState, TodoState } from "../../src/orchestrator/domain/state";
import type { HostSettings } from "../../src/orchestrator/host/hostSettings";
import { MissionHost } from "../../src/orchestrator/host/missionHost";
import { memoryLogger, RedactingLogger } from "../../src/orchestrator/common/logger";
import { MissionStore } from "../../src/orchestrator/mission/missionStore";
import { Provenance } from "../../src/orchestrator/workspace/provenance";

let root: string;
let workspace: string;
const HOOK = ".git/hooks/post-checkout";
// No engine is started by a refused action: a binary that does not exist would make any start fail loudly.
const settings: HostSettings = { opencodePath: "/nonexistent/opencode", serverUrl: "", model: undefined, demoMode: "never", models: {}, limits: {} };

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "reverts-hostile-"));
  workspace = join(root, "workspace");
  mkdirSync(workspace);
  execFileSync("git", ["init", "-q"], { cwd: workspace });
  writeFileSync(join(workspace, "app.ts"), "the user's app\n");
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const read = (path: string) => readFileSync(join(workspace, path), "utf8");
const hooks = () => readdirSync(join(workspace, ".git", "hooks")).sort();

/** `commit` plus `path` (in folders it did not have) holding `text`: what no checkpoint of ours holds, made by hand in the store's git. */
function withPlantedFile(store: CheckpointStore, commit: string, path: string, text: string): string {
  const git = (args: string[], input?: string) => execFileSync("git", ["--git-dir", store.gitDir, ...args], { input, encoding: "utf8" }).trim();
  const names = path.split("/");
  let entry = `100755 blob ${git(["hash-object", "-w", "--stdin"], text)}\t${names.pop()}`;
  for (let name = names.pop(); name !== undefined; name = names.pop()) entry = `040000 tree ${git(["mktree"], entry + "\n")}\t${name}`;
  const tree = git(["mktree"], `${git(["ls-tree", commit])}\n${entry}\n`);
  return git(["-c", "user.name=x", "-c", "user.email=x@x", "commit-tree", tree, "-p", commit, "-m", "planted"]);
}

const todo = (id: string, files: string[], base: string, head: string): TodoState => ({
  id, title: id, description: "", files, dependsOn: [], acceptance: "ok", kind: "code", status: "done", attempts: 1, sessions: [], reviewIssues: [], history: [{ at: 1, status: "done" }],
  changes: { base, head, touched: files, files: files.map((path) => ({ path, status: "modified", added: 1, removed: 1, binary: false })) },
});

/** A sealed mission whose one TODO changed `files` from `start` to `end`, with a revert of it on record when `revertBefore` is given. */
function sealedMission(store: MissionStore, files: string[], start: string, end: string, revertBefore?: string): MissionState {
  const state = store.create("A mission");
  Object.assign(state, { status: "sealed", todos: [todo("T1", files, start, end)], checkpoints: { start, end } });
  if (revertBefore) {
    state.todos[0]!.status = "reverted";
    state.status = "stopped";
    state.reverts = [{ id: "R1-abcd", at: 1, todoIds: ["T1"], mission: true, files, before: revertBefore, statuses: { T1: "done" }, missionStatus: "sealed", undone: false }];
  }
  store.save(state);
  return state;
}

test("a mission and store shipped with the repository: Revert, Undo, Resume, Retry and Skip refuse, and no hook is written", async () => {
  // Made on another machine (another user's key), then committed into the repository with the workspace.
  const elsewhere = new Provenance(randomBytes(32));
  const theirStore = new CheckpointStore(workspace, { provenance: elsewhere });
  const end = await theirStore.checkpoint("end");
  const start = withPlantedFile(theirStore, end, HOOK, "#!/bin/sh\ntouch pwned\n");
  const theirMissions = new MissionStore(workspace, 0, elsewhere);
  const shipped = sealedMission(theirMissions, [HOOK, "app.ts"], start, end);
  const undoable = sealedMission(theirMissions, [HOOK], end, end, start);
  const hooksBefore = hooks();

  const host = new MissionHost({ workspace, logger: new RedactingLogger(memoryLogger()) });
  try {
    const revert = await host.revert(shipped.id, undefined);
    assert.equal(revert.ok, false);
    assert.match(revert.ok ? "" : revert.reason, /not made on this machine by you/);
    const undo = await host.undoRevert(undoable.id);
    assert.match(undo.ok ? "" : undo.reason, /not made on this machine by you/);
    for (const action of [host.resume(settings, shipped.id), host.retry(undoable.id, "T1", settings), host.skip(undoable.id, "T1", settings)]) {
      const result = await action;
      assert.match(result.ok ? "" : result.reason, /not made on this machine by you/);
    }
    assert.equal(host.isRunning, false, "nothing started");
    assert.ok(!existsSync(join(workspace, HOOK)), "no hook was written");
    assert.deepEqual(hooks(), hooksBefore, "the user's .git/hooks is as it was");
    assert.equal(read("app.ts"), "the user's app\n");

    // Shown as history, with nothing offered to do to it.
    assert.equal((await host.openMission(undoable.id)).ok, true);
    assert.match(host.model.notOurs ?? "", /not made on this machine by you/);
    assert.equal(host.model.resumable || host.model.canRevert || host.model.canUndoRevert, false);
    assert.ok(host.model.todos.every((t) => !t.canRetry && !t.canSkip && !t.canRevert));
    assert.equal(await host.latestUnfinished(), undefined, "a shipped mission is never offered for Resume");
    assert.ok((await host.missions()).every((m) => !m.resumable && m.notOurs));
  } finally {
    await host.dispose();
  }
});

test("the user's own mission: protected paths in its diff are not restored and are named; its other files go back byte-exact", async () => {
  mkdirSync(join(workspace, ".vscode"));
  writeFileSync(join(workspace, ".vscode", "settings.json"), '{"editor.tabSize": 2}\n');
  const checkpoints = new CheckpointStore(workspace);
  const clean = await checkpoints.checkpoint("mission start");
  // Written into the user's own store by someone else (an agent's shell can), as though it had been there.
  const start = withPlantedFile(checkpoints, clean, HOOK, "#!/bin/sh\ntouch pwned\n");
  writeFileSync(join(workspace, "app.ts"), "the Worker's app\n");
  writeFileSync(join(workspace, ".vscode", "settings.json"), '{"editor.tabSize": 8}\n');
  const end = await checkpoints.checkpoint("mission end");
  const mission = sealedMission(new MissionStore(workspace), ["app.ts", ".vscode/settings.json", HOOK], start, end);

  const host = new MissionHost({ workspace, logger: new RedactingLogger(memoryLogger()) });
  try {
    const reverted = await host.revert(mission.id, undefined);
    assert.deepEqual(reverted, {
      ok: true,
      notRestored: [
        { path: ".git/hooks/post-checkout", why: "the workspace protects it" },
        { path: ".vscode/settings.json", why: "the workspace protects it" },
      ],
    });
    assert.equal(read("app.ts"), "the user's app\n", "the mission's own file went back");
    assert.ok(!existsSync(join(workspace, HOOK)), "no hook was written");
    assert.equal(read(".vscode/settings.json"), '{"editor.tabSize": 8}\n', "the protected file was left as it is");

    const undone = await host.undoRevert(mission.id);
    assert.equal(undone.ok, true);
    assert.equal(read("app.ts"), "the Worker's app\n", "Undo brought the change back");
    assert.ok(!existsSync(join(workspace, HOOK)));
  } finally {
    await host.dispose();
  }
});

test("restore replaces a file that is a hard link to one outside the workspace: the outside file keeps its bytes", async () => {
  const outside = join(root, "outside.txt");
  writeFileSync(join(workspace, "shared.txt"), "at the checkpoint\n");
  const checkpoints = new CheckpointStore(workspace);
  const first = await checkpoints.checkpoint("start");
  writeFileSync(outside, "the user's file outside\n");
  rmSync(join(workspace, "shared.txt"));
  linkSync(outside, join(workspace, "shared.txt"));
  const restored = await checkpoints.restore(first, ["shared.txt"]);
  assert.equal(readFileSync(outside, "utf8"), "the user's file outside\n", "the file outside is untouched");
  assert.equal(read("shared.txt"), "at the checkpoint\n");
  assert.deepEqual(restored.changed, ["shared.txt"]);
});
