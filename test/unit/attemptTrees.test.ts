import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, test } from "node:test";
import { AttemptTreeError, AttemptTrees } from "../../src/orchestrator/changes/attemptTrees";
import { CheckpointStore } from "../../src/orchestrator/changes/checkpointStore";
import { Provenance } from "../../src/orchestrator/workspace/provenance";
import { filesAt, fingerprint, modeAt, showAt, userGit } from "../support/gitFolders";

let root: string;
let workspace: string;
let treesRoot: string;
let keyFile: string;
beforeEach(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), "attempt-trees-")));
  workspace = join(root, "workspace");
  treesRoot = join(root, "trees");
  keyFile = join(root, "key");
  mkdirSync(workspace);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function write(base: string, path: string, content: string): void {
  mkdirSync(dirname(join(base, path)), { recursive: true });
  writeFileSync(join(base, path), content);
}

/** A user's repository in the state users leave it in: commits, a stash, a staged and an unstaged change, an untracked file, a hook. */
function userRepository(): void {
  userGit(workspace, "init", "-q");
  write(workspace, ".gitignore", "node_modules\n.env\n");
  write(workspace, "src/app.js", "app v1\n");
  write(workspace, "README.md", "readme\n");
  userGit(workspace, "add", ".");
  userGit(workspace, "commit", "-qm", "first");
  write(workspace, "README.md", "stashed\n");
  userGit(workspace, "stash", "-q");
  write(workspace, "src/app.js", "app v1 + staged\n");
  userGit(workspace, "add", "src/app.js");
  write(workspace, "README.md", "readme edited, not staged\n");
  write(workspace, "notes.txt", "untracked\n");
  write(workspace, ".git/hooks/post-checkout", "#!/bin/sh\necho hook ran > hook-ran.txt\n");
  execFileSync("chmod", ["+x", join(workspace, ".git/hooks/post-checkout")]);
}

function open(): { store: CheckpointStore; trees: AttemptTrees } {
  const store = new CheckpointStore(workspace, { provenance: Provenance.fromKeyFile(keyFile) });
  return { store, trees: new AttemptTrees(store, { treesRoot }) };
}

test("a tree holds the workspace as the user has it, lives outside it, and the user's .git stays byte-identical", async () => {
  userRepository();
  const userGitBefore = fingerprint(join(workspace, ".git"));
  const { store, trees } = open();
  const base = await store.checkpoint("integration start");

  const tree = await trees.make("T1", base);
  assert.ok(!tree.path.startsWith(workspace), "the tree is outside the workspace");
  assert.equal(readFileSync(join(tree.path, "src/app.js"), "utf8"), "app v1 + staged\n", "staged work is there");
  assert.equal(readFileSync(join(tree.path, "README.md"), "utf8"), "readme edited, not staged\n", "unstaged work is there");
  assert.equal(readFileSync(join(tree.path, "notes.txt"), "utf8"), "untracked\n", "untracked files are there");
  assert.ok(!existsSync(join(tree.path, ".opencode")), "the orchestrator's own state is not");
  assert.ok(!existsSync(join(tree.path, "hook-ran.txt")) && !existsSync(join(workspace, "hook-ran.txt")), "no hook of the user's ran");

  write(tree.path, "src/new.js", "new\n");
  write(tree.path, "README.md", "readme changed by the attempt\n");
  const change = await trees.capture(tree);
  assert.deepEqual(change.files.map((f) => [f.path, f.status]), [["README.md", "modified"], ["src/new.js", "added"]]);
  assert.equal(showAt(store.gitDir, change.commit, "src/new.js"), "new\n");
  await trees.remove(tree);
  assert.ok(!existsSync(tree.path));

  assert.deepEqual(fingerprint(join(workspace, ".git")), userGitBefore, "HEAD, index, refs, stash, worktrees and hooks are byte-identical");
  assert.ok(!existsSync(join(workspace, ".git", "worktrees")));
  assert.equal(readFileSync(join(workspace, "README.md"), "utf8"), "readme edited, not staged\n", "the workspace's files are not touched either");
  assert.ok(!existsSync(join(workspace, "src/new.js")));
});

test("a tree folder inside the workspace is refused", async () => {
  userRepository();
  const store = new CheckpointStore(workspace, { provenance: Provenance.fromKeyFile(keyFile) });
  const base = await store.checkpoint("start");
  const inside = new AttemptTrees(store, { treesRoot: join(workspace, "trees") });
  await assert.rejects(inside.make("T1", base), AttemptTreeError);
});

test("a tree is removed only once its work is captured, or when it is dropped", async () => {
  userRepository();
  const { store, trees } = open();
  const tree = await trees.make("T1", await store.checkpoint("start"));
  write(tree.path, "work.txt", "one\n");
  await assert.rejects(trees.remove(tree), /not captured/);
  await trees.capture(tree);
  write(tree.path, "work.txt", "two\n");
  await assert.rejects(trees.remove(tree), /not captured/, "work after the capture is not lost either");
  assert.ok(existsSync(join(tree.path, "work.txt")));
  await trees.remove(tree, { dropped: true });
  assert.ok(!existsSync(tree.path));
  assert.equal(execFileSync("git", ["--git-dir", store.gitDir, "worktree", "list"], { encoding: "utf8" }).trim().split("\n").length, 1, "its record in the shadow repository went too");
});

test("a Worker writing by absolute path into the workspace from its tree: the write lands in the workspace and is not the tree's change", async () => {
  userRepository();
  const { store, trees } = open();
  const tree = await trees.make("T1", await store.checkpoint("start"));
  write(tree.path, "mine.txt", "in my tree\n");
  // What a Worker's `echo x > /abs/workspace/stray.txt` does: the tree does not stop it (the write policy does, as today).
  writeFileSync(join(workspace, "stray.txt"), "written outside the tree\n");
  const change = await trees.capture(tree);
  assert.deepEqual(change.files.map((f) => f.path), ["mine.txt"]);
  assert.equal(readFileSync(join(workspace, "stray.txt"), "utf8"), "written outside the tree\n", "it is an outside write, in the user's workspace");
  assert.ok(!existsSync(join(tree.path, "stray.txt")));
});

test("a link the repository ships: the tree holds it as a link, and capture writes nothing through it", async () => {
  userRepository();
  const outside = join(root, "outside");
  mkdirSync(outside);
  write(outside, "victim.txt", "outside\n");
  symlinkSync(outside, join(workspace, "linked"));
  userGit(workspace, "add", "linked");
  const { store, trees } = open();
  const base = await store.checkpoint("start");
  const tree = await trees.make("T1", base);
  assert.ok(lstatSync(join(tree.path, "linked")).isSymbolicLink());
  const outsideBefore = fingerprint(outside);
  write(tree.path, "a.txt", "work\n");
  const change = await trees.capture(tree);
  assert.equal(modeAt(store.gitDir, change.commit, "linked"), "120000", "recorded as a link, not followed");
  assert.ok(!filesAt(store.gitDir, change.commit).includes("linked/victim.txt"));
  await trees.remove(tree);
  assert.deepEqual(fingerprint(outside), outsideBefore, "nothing outside was written or removed");
});

test("node_modules: reached through links; npm install in the tree leaves the user's node_modules as it was", async () => {
  userRepository();
  const npm = (cwd: string, ...args: string[]) =>
    execFileSync("npm", [...args, "--offline", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"], { cwd, encoding: "utf8", env: { ...process.env, npm_config_cache: join(root, "npm-cache") } });
  for (const version of ["1.0.0", "2.0.0"]) {
    const pkg = join(root, `pkg-${version}`);
    write(pkg, "package.json", JSON.stringify({ name: "shared-pkg", version, main: "index.js", bin: { "shared-pkg": "index.js" } }));
    write(pkg, "index.js", `#!/usr/bin/env node\nmodule.exports = "${version}";\n`);
    npm(root, "pack", pkg, "--pack-destination", root);
  }
  write(workspace, "package.json", JSON.stringify({ name: "ws", version: "0.0.0", private: true }));
  npm(workspace, "install", join(root, "shared-pkg-1.0.0.tgz"));
  userGit(workspace, "add", "package.json", "package-lock.json");
  const userModules = fingerprint(join(workspace, "node_modules"));

  const { store, trees } = open();
  const tree = await trees.make("T1", await store.checkpoint("start"));
  const modules = join(tree.path, "node_modules");
  assert.ok(lstatSync(modules).isDirectory() && !lstatSync(modules).isSymbolicLink(), "a folder of the tree's own");
  assert.ok(lstatSync(join(modules, "shared-pkg")).isSymbolicLink(), "its packages link to the user's");
  const required = () => execFileSync(process.execPath, ["-p", "require('shared-pkg')"], { cwd: tree.path, encoding: "utf8" }).trim();
  assert.equal(required(), "1.0.0", "the tree resolves the user's packages");

  npm(tree.path, "install", join(root, "shared-pkg-2.0.0.tgz"));
  assert.equal(required(), "2.0.0", "the tree got its own copy");
  assert.deepEqual(fingerprint(join(workspace, "node_modules")), userModules, "the user's node_modules is byte-identical");
  // `npm ci` empties node_modules first: through a link to the whole folder it deletes the user's packages.
  npm(tree.path, "ci");
  assert.equal(required(), "2.0.0");
  assert.deepEqual(fingerprint(join(workspace, "node_modules")), userModules, "npm ci did not reach it either");

  const change = await trees.capture(tree);
  assert.deepEqual(change.files.map((f) => f.path).sort(), ["package-lock.json", "package.json"], "node_modules is not the attempt's change");
  await trees.remove(tree);
  assert.deepEqual(fingerprint(join(workspace, "node_modules")), userModules, "removing the tree leaves it as well");
});

test("a setup hook runs in the new tree; a failing one leaves no tree behind", async () => {
  userRepository();
  write(workspace, ".env", "SECRET=1\n");
  const { store, trees } = open();
  const base = await store.checkpoint("start");
  const tree = await trees.make("T1", base, async (made) => writeFileSync(join(made.path, ".env"), readFileSync(join(workspace, ".env"))));
  assert.equal(readFileSync(join(tree.path, ".env"), "utf8"), "SECRET=1\n");
  assert.deepEqual((await trees.capture(tree)).files, [], ".env is ignored: not the attempt's change");
  await assert.rejects(trees.make("T2", base, async () => { throw new Error("setup failed"); }), /setup failed/);
  assert.deepEqual(readdirSync(treesRoot), [tree.name]);
});

test("a crash leaves a tree with work: the sweep keeps that work as a commit before removing the tree", async () => {
  userRepository();
  const { store, trees } = open();
  const base = await store.checkpoint("start");
  const child = spawn(process.execPath, ["--import", "tsx", join(__dirname, "..", "fixtures", "attemptInChildProcess.ts"), workspace, treesRoot, keyFile, base], { stdio: ["ignore", "pipe", "inherit"] });
  const crashedTree = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes("\n")) resolve(out.trim());
    });
    child.on("exit", (code) => reject(new Error(`the child exited (${code}) before making its tree`)));
  });
  // Ours, alive: not the crash's to sweep.
  const live = await trees.make("T-live", base);
  write(live.path, "live.txt", "mine\n");
  const exited = new Promise((resolve) => child.on("exit", resolve));
  child.kill("SIGKILL");
  await exited;
  mkdirSync(join(treesRoot, "attempt-unknown-0000"));
  write(join(treesRoot, "attempt-unknown-0000"), "something.txt", "not the store's\n");

  const swept = await trees.sweep();
  assert.equal(swept.kept.length, 1);
  assert.equal(swept.kept[0]!.path, crashedTree);
  assert.equal(showAt(store.gitDir, swept.kept[0]!.commit, "unmerged.txt"), "work nobody merged\n");
  assert.equal(execFileSync("git", ["--git-dir", store.gitDir, "rev-parse", `${swept.kept[0]!.commit}^`], { encoding: "utf8" }).trim(), base, "its parent is the tree's base");
  assert.ok(execFileSync("git", ["--git-dir", store.gitDir, "for-each-ref", "refs/kept/"], { encoding: "utf8" }).includes(swept.kept[0]!.commit), "kept under a ref");
  assert.ok(!existsSync(crashedTree));
  assert.deepEqual(swept.inUse, [live.path]);
  assert.ok(existsSync(join(live.path, "live.txt")), "a live tree is not touched");
  assert.deepEqual(swept.leftAlone, [join(treesRoot, "attempt-unknown-0000")]);
  assert.ok(existsSync(join(treesRoot, "attempt-unknown-0000", "something.txt")), "a folder the store does not know is left as it is");
});

test("a worktree entry planted in the shadow repository (it lives in the workspace) never makes the sweep delete a folder outside the trees' folder", async () => {
  userRepository();
  const { store } = open();
  const base = await store.checkpoint("start");
  // What an agent's shell could write: an entry naming a folder of the user's, outside the trees.
  const victim = join(root, "outside", "attempt-victim");
  write(victim, "precious.txt", "the user's\n");
  write(victim, ".git", `gitdir: ${join(store.gitDir, "worktrees", "attempt-victim")}\n`);
  const entry = join(store.gitDir, "worktrees", "attempt-victim");
  write(entry, "gitdir", `${join(victim, ".git")}\n`);
  write(entry, "HEAD", `${base}\n`);
  write(entry, "commondir", "../..\n");
  const { trees } = open();
  const swept = await trees.sweep();
  assert.ok(existsSync(join(victim, "precious.txt")), "the folder outside the trees is still there");
  assert.equal(readFileSync(join(victim, "precious.txt"), "utf8"), "the user's\n");
  assert.ok(swept.leftAlone.includes(victim), JSON.stringify(swept));
  assert.deepEqual(swept.kept, [], "nothing of it was committed into the store");
});
