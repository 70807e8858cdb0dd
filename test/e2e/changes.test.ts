/**
 * The changes the orchestrator owns, through the front door with the real OpenCode server it starts
 * and the scripted model: each TODO's real diff from the orchestrator's checkpoints, Revert and its
 * undo byte-exact, the user's git state untouched, a user's later edit protected, a folder that is
 * not a git repository, and OpenCode's own per-step snapshots off.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { HostSettings } from "../../src/orchestrator/host/hostSettings";
import { MissionHost } from "../../src/orchestrator/host/missionHost";
import { memoryLogger, RedactingLogger } from "../../src/orchestrator/common/logger";
import { missionScenario, todo } from "../../src/orchestrator/scriptedModel/missionScenario";
import { call, tools } from "../../src/orchestrator/scriptedModel/scenario";
import { startScriptedModel, type ScriptedModel } from "../../src/orchestrator/scriptedModel/server";
import { SCRIPTED_MODEL, writeScriptedOpencodeJson } from "../support/engineHarness";
import { BUNDLED_OPENCODE, createSandbox, type Sandbox } from "../support/isolation";

let sandbox: Sandbox;
let model: ScriptedModel;
const settings: HostSettings = { opencodePath: BUNDLED_OPENCODE, serverUrl: "", model: SCRIPTED_MODEL, demoMode: "never", models: {}, limits: {} };
const git = (...args: string[]) => execFileSync("git", args, { cwd: sandbox.workspace, encoding: "utf8", env: { ...process.env, GIT_AUTHOR_NAME: "u", GIT_AUTHOR_EMAIL: "u@u", GIT_COMMITTER_NAME: "u", GIT_COMMITTER_EMAIL: "u@u" } });
const read = (file: string) => readFileSync(join(sandbox.workspace, file));
const sha = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

/**
 * Everything of the user's repository a checkpoint store could disturb. The index file's bytes are
 * read first: `git status` itself may rewrite them (it refreshes stat data), which is the user's git, not ours.
 */
function userGitState() {
  const index = sha(readFileSync(join(sandbox.workspace, ".git", "index")));
  return { index, staged: git("ls-files", "--stage"), status: git("status", "--porcelain", "--untracked-files=all"), head: git("rev-parse", "HEAD"), stash: git("stash", "list"), refs: git("for-each-ref") };
}

before(async () => {
  sandbox = createSandbox("orch-changes-");
  model = await startScriptedModel(missionScenario({ workspace: sandbox.workspace, plans: [{ todos: [todo("C1", [], ["app.txt", "c1.txt"]), todo("C2", [], ["c2.txt"])] }], content: (id, file) => `${id} wrote ${file}\n\u00e9t\u00e9\n` }));
  writeScriptedOpencodeJson(sandbox.workspace, model.baseURL);
  const w = sandbox.workspace;
  // The user's repository, mid-work: a committed file, a staged change, a stash, an untracked note, ignored dependencies.
  writeFileSync(join(w, ".gitignore"), "node_modules/\nopencode.json\n");
  writeFileSync(join(w, "app.txt"), "the user's app\n");
  writeFileSync(join(w, "staged.txt"), "v1\n");
  git("add", "-A");
  git("commit", "-qm", "user's work");
  writeFileSync(join(w, "staged.txt"), "v2 stashed\n");
  git("stash", "-q");
  writeFileSync(join(w, "staged.txt"), "v3 staged\n");
  git("add", "staged.txt");
  writeFileSync(join(w, "notes.txt"), "untracked note\n");
  mkdirSync(join(w, "node_modules", "pkg"), { recursive: true });
  writeFileSync(join(w, "node_modules", "pkg", "index.js"), "module.exports = 1;\n");
});

after(async () => {
  await model?.close();
  sandbox?.remove();
});

const newHost = () => new MissionHost({ workspace: sandbox.workspace, logger: new RedactingLogger(memoryLogger()), engineEnv: sandbox.env });

test("each TODO's real diff; Revert Mission restores byte-exact and leaves the user's repository as it was; Undo brings the changes back", async () => {
  git("status", "--porcelain"); // settles the index's stat data, as the user's own git would
  const userBefore = userGitState();
  const appBefore = read("app.txt");
  const host = newHost();
  try {
    const final = await host.run("Two Workers side by side", settings);
    assert.equal(final.status, "sealed", final.report);
    // OpenCode keeps its per-step worktree snapshots under its data dir: with them off it has none.
    const snapshots = join(sandbox.env.XDG_DATA_HOME as string, "opencode", "snapshot");
    assert.ok(!existsSync(snapshots) || readdirSync(snapshots).length === 0, "OpenCode took no worktree snapshot of its own");
    const changes = (id: string) => final.todos.find((t) => t.id === id)?.changes.map((c) => `${c.path}:${c.status}`).sort();
    assert.deepEqual(changes("C1"), ["app.txt:modified", "c1.txt:added"], "C1's own files, nothing of C2's");
    assert.deepEqual(changes("C2"), ["c2.txt:added"], "C2's own file, nothing of C1's");
    assert.ok(final.canRevert);

    const missionId = final.missionId as string;
    const set = await host.changesOf(missionId);
    assert.ok(!("reason" in set));
    assert.deepEqual(set.files.map((f) => f.path).sort(), ["app.txt", "c1.txt", "c2.txt"]);
    assert.equal((await host.readCheckpoint(set.original, "app.txt"))?.toString(), "the user's app\n", "the start checkpoint has the user's file");
    assert.equal(await host.readCheckpoint(set.original, "node_modules/pkg/index.js"), undefined, "ignored folders stay out of checkpoints");
    assert.equal(await host.readCheckpoint(set.original, "notes.txt").then((b) => b?.toString()), "untracked note\n", "untracked files of the user are in it");

    const written = { app: read("app.txt"), c1: read("c1.txt"), c2: read("c2.txt") };
    assert.deepEqual(await host.revert(missionId, undefined), { ok: true });
    assert.ok(read("app.txt").equals(appBefore), "app.txt byte-exact as before the mission");
    assert.ok(!existsSync(join(sandbox.workspace, "c1.txt")) && !existsSync(join(sandbox.workspace, "c2.txt")), "files the mission created are gone");
    assert.deepEqual(userGitState(), userBefore, "HEAD, index, stash, refs and status exactly as before the mission");
    assert.deepEqual(host.model.todos.map((t) => `${t.id}:${t.status}`), ["C1:reverted", "C2:reverted"]);
    assert.equal(host.model.status, "reverted", "shown as reverted: Undo Revert is its next step, not Resume");
    assert.equal(host.model.resumable, false, "Resume would redo what the user reverted");
    assert.ok(host.model.canUndoRevert);
    assert.ok(host.model.todos.every((t) => t.canRetry), "a reverted TODO can be retried");

    assert.deepEqual(await host.undoRevert(missionId), { ok: true });
    assert.ok(read("app.txt").equals(written.app) && read("c1.txt").equals(written.c1) && read("c2.txt").equals(written.c2), "the agents' files are back, byte-exact");
    assert.equal(host.model.status, "sealed");
    assert.deepEqual(host.model.todos.map((t) => `${t.id}:${t.status}`), ["C1:done", "C2:done"]);
  } finally {
    await host.dispose();
  }
});

test("Revert TODO puts back its files only; a file the user edited after the agents is not overwritten without asking", async () => {
  const host = newHost();
  try {
    const shown = await host.showLatest();
    const missionId = shown?.missionId as string;
    const c1 = read("c1.txt");
    assert.deepEqual(await host.revert(missionId, "C2"), { ok: true });
    assert.ok(!existsSync(join(sandbox.workspace, "c2.txt")), "C2's file is gone");
    assert.ok(read("c1.txt").equals(c1), "C1's file is untouched");

    writeFileSync(join(sandbox.workspace, "c1.txt"), "the user's own edit\n");
    const refused = await host.revert(missionId, "C1");
    assert.equal(refused.ok, false);
    assert.deepEqual(!refused.ok && refused.conflicts, ["c1.txt"]);
    assert.equal(read("c1.txt").toString(), "the user's own edit\n", "nothing was overwritten");
    assert.deepEqual(await host.revert(missionId, "C1", true), { ok: true }, "the user said Overwrite");
    assert.ok(!existsSync(join(sandbox.workspace, "c1.txt")));
    assert.equal(read("app.txt").toString(), "the user's app\n");
  } finally {
    await host.dispose();
  }
});

test("a folder that is not a git repository gets checkpoints, diffs and revert too", async () => {
  const plain = createSandbox("orch-plain-");
  rmSync(join(plain.workspace, ".git"), { recursive: true, force: true });
  const m = await startScriptedModel(missionScenario({ workspace: plain.workspace, plans: [{ todos: [todo("P1", [], ["p1.txt"])] }] }));
  writeScriptedOpencodeJson(plain.workspace, m.baseURL);
  writeFileSync(join(plain.workspace, "p1.txt"), "before\n");
  const host = new MissionHost({ workspace: plain.workspace, logger: new RedactingLogger(memoryLogger()), engineEnv: plain.env });
  try {
    const final = await host.run("No git here", settings);
    assert.equal(final.status, "sealed", final.report);
    assert.deepEqual(final.todos[0]?.changes.map((c) => [c.path, c.status, c.added, c.removed]), [["p1.txt", "modified", 1, 1]]);
    assert.deepEqual(await host.revert(final.missionId as string, "P1"), { ok: true });
    assert.equal(readFileSync(join(plain.workspace, "p1.txt"), "utf8"), "before\n");
    assert.ok(!existsSync(join(plain.workspace, ".git")), "no repository was made in the user's folder");
  } finally {
    await host.dispose();
    await m.close();
    plain.remove();
  }
});

test("what a Worker made with a command is its change too (it ran alone), and so is what a stopped attempt wrote", async () => {
  const box = createSandbox("orch-cmd-");
  let stall = false;
  const m = await startScriptedModel(
    missionScenario({
      workspace: box.workspace,
      plans: [{ todos: [todo("B1", [], ["b1.txt"])] }],
      workerOverride: (id, attempt, ctx) => {
        // B1 runs a generator (a file no tool part names), then writes its own file and reports.
        if (ctx.step === 0 && !stall) return tools(call("bash", { command: "echo generated > generated.txt", description: "generate" }), call("write", { filePath: join(box.workspace, "b1.txt"), content: `${id} ${attempt}\n` }));
        if (ctx.step === 0 && stall) return tools(call("write", { filePath: join(box.workspace, "half.txt"), content: "half done\n" }));
        if (ctx.step === 1 && stall) return { kind: "stall" };
        return undefined;
      },
    }),
  );
  writeScriptedOpencodeJson(box.workspace, m.baseURL);
  const host = new MissionHost({ workspace: box.workspace, logger: new RedactingLogger(memoryLogger()), engineEnv: box.env });
  try {
    const first = await host.run("Generate", settings);
    assert.equal(first.status, "sealed", first.report);
    assert.deepEqual(first.todos[0]?.changes.map((c) => c.path).sort(), ["b1.txt", "generated.txt"], "the command's file is B1's");

    stall = true;
    const running = host.run("Stop me half way", settings);
    await new Promise<void>((resolve) => {
      const sub = host.view.updates.on(() => {
        if (existsSync(join(box.workspace, "half.txt")) && host.model.counts.runningTodos === 1) {
          sub.dispose();
          resolve();
        }
      });
    });
    host.stop();
    const stopped = await running;
    assert.equal(stopped.status, "stopped");
    assert.deepEqual(stopped.todos[0]?.changes.map((c) => c.path), ["half.txt"], "the stopped attempt's file is recorded");
    assert.deepEqual(await host.revert(stopped.missionId as string, undefined), { ok: true });
    assert.ok(!existsSync(join(box.workspace, "half.txt")), "and Revert Mission takes it back");
    assert.ok(existsSync(join(box.workspace, "generated.txt")), "the first mission's work is not touched");
  } finally {
    await host.dispose();
    await m.close();
    box.remove();
  }
});
