import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, test } from "node:test";
import { CheckpointStore, GitNotFoundError } from "../../src/orchestrator/changes/checkpointStore";
import { translateRule } from "../../src/orchestrator/changes/ignoreRules";
import { memoryLogger } from "../../src/orchestrator/common/logger";

let root: string;
let workspace: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "checkpoints-"));
  workspace = join(root, "workspace");
  mkdirSync(workspace);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** git on the user's repository, as a user would run it (no optional index refresh, so reading never writes). */
function userGit(cwd: string, ...args: string[]): string {
  return execFileSync("git", ["--no-optional-locks", "-c", "user.name=u", "-c", "user.email=u@u", ...args], { cwd, encoding: "utf8" });
}

/** git on the store's own repository, to look inside a checkpoint. */
function storeFiles(store: CheckpointStore, checkpoint: string): string[] {
  const out = execFileSync("git", ["-c", "core.quotePath=false", "--git-dir", store.gitDir, "ls-tree", "-r", "-z", "--name-only", checkpoint], { encoding: "utf8" });
  return out.split("\0").filter(Boolean).sort();
}

function write(path: string, content: string | Buffer): void {
  mkdirSync(dirname(join(workspace, path)), { recursive: true });
  writeFileSync(join(workspace, path), content);
}

const read = (path: string) => readFileSync(join(workspace, path));
const exists = (path: string) => existsSync(join(workspace, path));

test("the user's repository keeps its HEAD, index, stash, refs and config through checkpoint, diff and restore", async () => {
  userGit(workspace, "init", "-q");
  write("tracked.txt", "one\n");
  write("other.txt", "x\n");
  userGit(workspace, "add", ".");
  userGit(workspace, "commit", "-qm", "first");
  write("tracked.txt", "stashed\n");
  userGit(workspace, "stash", "-q");
  write("other.txt", "staged\n");
  userGit(workspace, "add", "other.txt");
  write("untracked.txt", "mine\n");
  const look = () => ({
    // The index's bytes first: a plain `git status` could itself refresh and rewrite it.
    index: createHash("sha1").update(readFileSync(join(workspace, ".git", "index"))).digest("hex"),
    status: userGit(workspace, "status", "--porcelain"),
    head: userGit(workspace, "rev-parse", "HEAD"),
    branch: userGit(workspace, "symbolic-ref", "HEAD"),
    stash: userGit(workspace, "stash", "list"),
    refs: userGit(workspace, "for-each-ref"),
    config: readFileSync(join(workspace, ".git", "config"), "utf8"),
  });
  const before = look();

  const store = new CheckpointStore(workspace);
  const start = await store.checkpoint("mission start");
  write("tracked.txt", "agent edit\n");
  write("src/new.ts", "export {};\n");
  const end = await store.checkpoint("T1 end");
  assert.deepEqual((await store.diff(start, end)).map((c) => [c.path, c.status]), [["src/new.ts", "added"], ["tracked.txt", "modified"]]);
  assert.deepEqual((await store.restore(start, ["tracked.txt", "src/new.ts"])).changed.sort(), ["src/new.ts", "tracked.txt"]);
  assert.deepEqual(await store.diff(start, "worktree"), []);

  assert.deepEqual(look(), before);
  assert.ok(!storeFiles(store, start).some((path) => path.startsWith(".git/")), "the user's .git is never in a checkpoint");
});

test("works in a folder that is not a git repository", async () => {
  write("a.txt", "a\n");
  const store = new CheckpointStore(workspace);
  const first = await store.checkpoint("start");
  write("a.txt", "a\nb\n");
  write("b.txt", "new\n");
  assert.deepEqual(await store.diff(first, "worktree"), [
    { path: "a.txt", status: "modified", added: 1, removed: 0, binary: false },
    { path: "b.txt", status: "added", added: 1, removed: 0, binary: false },
  ]);
  assert.deepEqual((await store.restore(first, ["a.txt", "b.txt"])).changed.sort(), ["a.txt", "b.txt"]);
  assert.equal(read("a.txt").toString(), "a\n");
  assert.equal(exists("b.txt"), false);
  assert.equal(existsSync(join(workspace, ".git")), false, "no repository was made in the workspace");
});

test("ignored files, the orchestrator's own state and info/exclude rules are never in a checkpoint", async () => {
  userGit(workspace, "init", "-q");
  writeFileSync(join(workspace, ".git", "info", "exclude"), "local-notes.md\n");
  write(".gitignore", "node_modules/\n");
  write("node_modules/pkg/index.js", "module.exports = 1;\n");
  write(".opencode/orchestrator/missions/m1/mission.json", "{}");
  write(".opencode/agent.md", "an agent the user wrote\n");
  write("local-notes.md", "private\n");
  write("src/app.ts", "app\n");
  const store = new CheckpointStore(workspace);
  const first = await store.checkpoint("start");
  assert.deepEqual(storeFiles(store, first), [".gitignore", ".opencode/agent.md", "src/app.ts"]);

  write("node_modules/pkg/index.js", "changed\n");
  write("node_modules/other/x.js", "new\n");
  write(".opencode/orchestrator/missions/m1/mission.json", '{"changed":true}');
  write("local-notes.md", "still private\n");
  assert.deepEqual(await store.diff(first, "worktree"), []);
  assert.deepEqual(storeFiles(store, await store.checkpoint("again")), storeFiles(store, first));
});

test("a workspace inside a larger repository inherits the ignore rules of the folders above it", async () => {
  userGit(root, "init", "-q");
  writeFileSync(join(root, ".gitignore"), "node_modules/\n/workspace/build/\n/elsewhere/\n!keep.log\n*.log\n");
  write("node_modules/x.js", "x");
  write("build/out.js", "x");
  write("elsewhere/kept.txt", "x");
  write("debug.log", "x");
  write("src/a.ts", "a");
  const store = new CheckpointStore(workspace);
  assert.deepEqual(storeFiles(store, await store.checkpoint("start")), ["elsewhere/kept.txt", "src/a.ts"]);
});

test("gitignore rules of a folder above the workspace are rewritten for it", () => {
  assert.equal(translateRule("node_modules/", ["packages", "app"]), "node_modules/");
  assert.equal(translateRule("/packages/app/dist", ["packages", "app"]), "/dist");
  assert.equal(translateRule("packages/*/dist/", ["packages", "app"]), "/dist/");
  assert.equal(translateRule("!packages/app/keep", ["packages", "app"]), "!/keep");
  assert.equal(translateRule("packages/**/cache", ["packages", "app"]), "**/cache");
  assert.equal(translateRule("/packages/lib/dist", ["packages", "app"]), undefined, "aimed at another folder");
  assert.equal(translateRule("/packages/", ["packages", "app"]), undefined, "ignores the workspace itself: the user opened it anyway");
  assert.equal(translateRule("# comment", ["packages"]), undefined);
  assert.equal(translateRule("/dist", []), "/dist");
});

test("paths with spaces, non-ASCII letters and glob characters are recorded, listed, read and restored", async () => {
  const names = ["my notes/to do.md", "café/naïve résumé.txt", "日本語/ファイル.ts", "a[1]*.ts", "-dash.txt"];
  for (const name of names) write(name, `${name}\n`);
  write("a1x.ts", "a glob would match this one too\n");
  const store = new CheckpointStore(workspace);
  const first = await store.checkpoint("start");
  for (const name of names) assert.equal((await store.read(first, name))?.toString(), `${name}\n`);
  for (const name of names) write(name, "changed\n");
  write("a1x.ts", "changed too\n");
  assert.deepEqual((await store.diff(first, "worktree", names)).map((c) => c.path).sort(), [...names].sort());
  assert.deepEqual((await store.restore(first, names)).changed.sort(), [...names].sort());
  for (const name of names) assert.equal(read(name).toString(), `${name}\n`);
  assert.equal(read("a1x.ts").toString(), "changed too\n", "a glob-looking name is only that file");
});

test("one diff of many files splits back into each file's own diff, whatever its name", async () => {
  const names = ["plain.ts", "my notes/to do.md", "café/naïve.txt", 'quote"d.txt', "back\\slash.txt", "ctrl\u0001x.txt", "bin.dat", "gone.txt", "same.txt"];
  if (process.platform !== "win32") names.push("tab\tname.txt", "new\nline.txt");
  for (const name of names) write(name, `${name}\n`);
  const store = new CheckpointStore(workspace);
  const first = await store.checkpoint("start");
  for (const name of names) write(name, `${name}\nchanged\n`);
  write("bin.dat", randomBytes(64));
  rmSync(join(workspace, "gone.txt"));
  write("same.txt", "same.txt\n");
  write("added.txt", "new\n");
  const second = await store.checkpoint("after");
  const asked = [...names, "added.txt"];
  const parts = await store.patches(first, second, asked);
  assert.deepEqual([...parts.keys()].sort(), asked.filter((n) => n !== "same.txt").sort(), "every changed file has its part; an unchanged one none");
  for (const [name, part] of parts) assert.equal(part, await store.patch(first, second, [name], 1e9), `the part of ${JSON.stringify(name)} is its diff alone`);
  assert.equal([...parts.values()].join(""), await store.patch(first, second, asked, 1e9), "the parts, in order, are the whole diff");
});

test("binary files and CRLF text restore byte-exact, whatever .gitattributes says", async () => {
  const binary = Buffer.concat([randomBytes(200_000), Buffer.from("\r\n\0\r\n")]);
  write("image.png", binary);
  write(".gitattributes", "* text=auto eol=lf\n");
  write("windows.txt", "line one\r\nline two\r\n");
  const store = new CheckpointStore(workspace);
  const first = await store.checkpoint("start");
  assert.ok((await store.read(first, "image.png"))?.equals(binary));
  assert.equal((await store.read(first, "windows.txt"))?.toString(), "line one\r\nline two\r\n", "no line-ending normalisation");
  write("image.png", randomBytes(1000));
  write("windows.txt", "line one\n");
  const changes = await store.diff(first, "worktree");
  assert.deepEqual(changes.find((c) => c.path === "image.png"), { path: "image.png", status: "modified", added: 0, removed: 0, binary: true });
  await store.restore(first, ["image.png", "windows.txt"]);
  assert.ok(read("image.png").equals(binary));
  assert.equal(read("windows.txt").toString(), "line one\r\nline two\r\n");
});

test("restore puts back the executable bit and symlinks, and never writes through a link", { skip: process.platform === "win32" }, async () => {
  write("run.sh", "#!/bin/sh\n");
  chmodSync(join(workspace, "run.sh"), 0o755);
  write("plain.txt", "plain\n");
  symlinkSync("plain.txt", join(workspace, "link"));
  writeFileSync(join(root, "outside.txt"), "outside\n");
  const store = new CheckpointStore(workspace);
  const first = await store.checkpoint("start");
  chmodSync(join(workspace, "run.sh"), 0o644);
  chmodSync(join(workspace, "plain.txt"), 0o755);
  unlinkSync(join(workspace, "link"));
  symlinkSync(join(root, "outside.txt"), join(workspace, "link"));
  assert.deepEqual((await store.diff(first, "worktree")).map((c) => c.path).sort(), ["link", "plain.txt", "run.sh"]);
  assert.deepEqual((await store.restore(first, ["run.sh", "plain.txt", "link"])).changed.sort(), ["link", "plain.txt", "run.sh"]);
  assert.equal(statSync(join(workspace, "run.sh")).mode & 0o111, 0o111);
  assert.equal(statSync(join(workspace, "plain.txt")).mode & 0o111, 0);
  assert.equal(readlinkSync(join(workspace, "link")), "plain.txt");
  assert.equal(readFileSync(join(root, "outside.txt"), "utf8"), "outside\n", "the old link's target was not written");
});

test("restore recreates deleted files, deletes created ones with the folders it emptied, and reports only what it changed", async () => {
  write("keep.txt", "keep\n");
  write("gone.txt", "was here\n");
  write("existing/old.txt", "old\n");
  write(".gitignore", ".env\n");
  const store = new CheckpointStore(workspace);
  const first = await store.checkpoint("start");
  unlinkSync(join(workspace, "gone.txt"));
  write("new/deep/file.ts", "created\n");
  write("existing/new.txt", "created\n");
  write(".env", "SECRET=1\n");
  const { changed } = await store.restore(first, ["keep.txt", "gone.txt", "new/deep/file.ts", "existing/new.txt", ".env", "never-existed.txt"]);
  assert.deepEqual(changed.sort(), ["existing/new.txt", "gone.txt", "new/deep/file.ts"]);
  assert.equal(read("gone.txt").toString(), "was here\n");
  assert.equal(exists("new"), false, "folders the checkpoint did not have and that are now empty are removed");
  assert.equal(exists("existing/old.txt"), true);
  assert.equal(read(".env").toString(), "SECRET=1\n", "an ignored file is no checkpoint's to delete");
  assert.deepEqual((await store.restore(first, ["keep.txt", "gone.txt"])).changed, [], "nothing left to change");
});

test("restore of a folder puts back the files in it that changed", async () => {
  write("src/a.ts", "a\n");
  write("src/b.ts", "b\n");
  const store = new CheckpointStore(workspace);
  const first = await store.checkpoint("start");
  write("src/a.ts", "changed\n");
  write("src/c.ts", "created\n");
  unlinkSync(join(workspace, "src/b.ts"));
  assert.deepEqual((await store.restore(first, ["src"])).changed.sort(), ["src/a.ts", "src/b.ts", "src/c.ts"]);
  assert.deepEqual(await store.diff(first, "worktree"), []);
});

test("unchangedSince compares the bytes on disk with the checkpoint's", async () => {
  write("a.txt", "a\n");
  write("b.txt", "b\n");
  const store = new CheckpointStore(workspace);
  const first = await store.checkpoint("start");
  write("b.txt", "B\n");
  unlinkSync(join(workspace, "a.txt"));
  write("c.txt", "new\n");
  assert.equal(await store.unchangedSince(first, "a.txt"), false, "deleted");
  assert.equal(await store.unchangedSince(first, "b.txt"), false, "same size, other bytes");
  assert.equal(await store.unchangedSince(first, "c.txt"), false, "created");
  assert.equal(await store.unchangedSince(first, "absent.txt"), true, "absent both times");
  write("b.txt", "b\n");
  assert.equal(await store.unchangedSince(first, "b.txt"), true);
  assert.equal(await store.read(first, "c.txt"), undefined);
});

test("concurrent checkpoints are serialised and coalesced, and each one was taken after its call", async () => {
  write("base.txt", "base\n");
  const store = new CheckpointStore(workspace);
  await store.checkpoint("warm up");
  const callers = Array.from({ length: 20 }, async (_, i) => {
    await new Promise((done) => setTimeout(done, i * 2));
    await writeFile(join(workspace, `worker-${i}.txt`), `${i}\n`);
    return store.checkpoint(`T${i} end`);
  });
  const shas = await Promise.all(callers);
  shas.forEach((sha, i) => assert.ok(storeFiles(store, sha).includes(`worker-${i}.txt`), `checkpoint of T${i} holds its file`));
  const commits = Number(execFileSync("git", ["--git-dir", store.gitDir, "rev-list", "--count", "refs/heads/checkpoints"], { encoding: "utf8" }));
  assert.equal(commits - 1, new Set(shas).size, "every checkpoint taken was handed to a caller");
  assert.ok(commits - 1 <= 6, `20 callers shared ${commits - 1} checkpoints`);
});

test("a checkpoint of a workspace unchanged since the last one is that one: no new commit", async () => {
  write("same.txt", "same\n");
  const store = new CheckpointStore(workspace);
  const first = await store.checkpoint("first");
  const commits = () => Number(execFileSync("git", ["--git-dir", store.gitDir, "rev-list", "--count", "refs/heads/checkpoints"], { encoding: "utf8" }));
  const before = commits();
  assert.equal(await store.checkpoint("unchanged"), first);
  assert.equal(commits(), before);
  write("same.txt", "changed\n");
  const changed = await store.checkpoint("changed");
  assert.notEqual(changed, first);
  assert.equal(commits(), before + 1);
  assert.deepEqual((await store.diff(first, changed)).map((c) => c.path), ["same.txt"]);
});

test("two stores on one workspace (two windows) wait for each other's index lock; a stale lock is removed", async () => {
  write("a.txt", "a\n");
  const one = new CheckpointStore(workspace);
  const two = new CheckpointStore(workspace);
  await one.checkpoint("start");
  for (let i = 0; i < 5; i++) {
    write(`f${i}.txt`, `${i}\n`);
    const [a, b] = await Promise.all([one.checkpoint(`one ${i}`), two.checkpoint(`two ${i}`)]);
    assert.ok(storeFiles(one, a).includes(`f${i}.txt`) && storeFiles(two, b).includes(`f${i}.txt`));
  }
  const lock = join(one.gitDir, "index.lock");
  writeFileSync(lock, "");
  utimesSync(lock, new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000));
  const logger = memoryLogger();
  await new CheckpointStore(workspace, { logger }).checkpoint("after a crash");
  assert.ok(logger.lines.some((line) => line.startsWith("warn:") && line.includes("index.lock")));
});

test("a nested repository without a commit does not stop a checkpoint", async () => {
  write("a.txt", "a\n");
  mkdirSync(join(workspace, "scaffold"));
  execFileSync("git", ["init", "-q"], { cwd: join(workspace, "scaffold") });
  write("scaffold/file.txt", "x\n");
  const logger = memoryLogger();
  const store = new CheckpointStore(workspace, { logger });
  assert.deepEqual(storeFiles(store, await store.checkpoint("start")), ["a.txt"]);
  assert.ok(logger.lines.some((line) => line.startsWith("warn:") && line.includes("scaffold")));
});

test("without git on PATH the error says what to do", async () => {
  const path = process.env.PATH;
  process.env.PATH = join(root, "no-bin");
  try {
    await assert.rejects(new CheckpointStore(workspace).checkpoint("start"), (error: Error) => {
      assert.ok(error instanceof GitNotFoundError);
      assert.match(error.message, /^git not found: the orchestrator's checkpoints need git on PATH/);
      return true;
    });
  } finally {
    process.env.PATH = path;
  }
});

test("ids and paths from outside are refused before git sees them", async () => {
  const store = new CheckpointStore(workspace);
  await assert.rejects(store.diff("--output=/tmp/x", "worktree"), /not a checkpoint id/);
  const first = await store.checkpoint("start");
  await assert.rejects(store.read(first, "../outside.txt"), /not a file inside the workspace/);
  assert.equal(lstatSync(store.gitDir).isDirectory(), true);
});

test("restore refuses a path whose parent folder became a symbolic link: nothing is written outside the workspace", async () => {
  const root = mkdtempSync(join(tmpdir(), "ckpt-link-"));
  const workspace = join(root, "workspace");
  const outside = join(root, "outside");
  mkdirSync(join(workspace, "dir"), { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(workspace, "dir", "x.txt"), "inside\n");
  writeFileSync(join(outside, "x.txt"), "not ours\n");
  try {
    const store = new CheckpointStore(workspace);
    const checkpoint = await store.checkpoint("before");
    rmSync(join(workspace, "dir"), { recursive: true });
    symlinkSync(outside, join(workspace, "dir"));
    await assert.rejects(store.restore(checkpoint, ["dir/x.txt"]), /dir is a symbolic link/);
    await assert.rejects(store.unchangedSince(checkpoint, "dir/x.txt"), /symbolic link/);
    assert.equal(readFileSync(join(outside, "x.txt"), "utf8"), "not ours\n", "the file outside is untouched");
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
