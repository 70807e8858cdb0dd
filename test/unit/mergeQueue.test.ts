import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, test } from "node:test";
import { AttemptTrees, type AttemptChange } from "../../src/orchestrator/changes/attemptTrees";
import { CheckpointStore } from "../../src/orchestrator/changes/checkpointStore";
import { mergeAttempts } from "../../src/orchestrator/changes/mergeQueue";
import { Provenance } from "../../src/orchestrator/workspace/provenance";
import { filesAt, fingerprint, modeAt, showAt, userGit } from "../support/gitFolders";

let root: string;
let workspace: string;
let store: CheckpointStore;
let trees: AttemptTrees;
beforeEach(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), "merge-queue-")));
  workspace = join(root, "workspace");
  mkdirSync(workspace);
  userGit(workspace, "init", "-q");
  write(workspace, "src/routes/index.js", 'const routes = [];\nroutes.push(require("./home"));\n');
  write(workspace, "src/routes/home.js", "module.exports = 'home';\n");
  write(workspace, "src/config.js", "module.exports = { port: 3000 };\n");
  userGit(workspace, "add", ".");
  userGit(workspace, "commit", "-qm", "first");
  store = new CheckpointStore(workspace, { provenance: Provenance.fromKeyFile(join(root, "key")) });
  trees = new AttemptTrees(store, { treesRoot: join(root, "trees") });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function write(base: string, path: string, content: string): void {
  mkdirSync(dirname(join(base, path)), { recursive: true });
  writeFileSync(join(base, path), content);
}

/** An attempt from `base` that runs `work` in its tree; its change captured and its tree removed. */
async function attempt(id: string, base: string, work: (tree: string) => void): Promise<AttemptChange> {
  const tree = await trees.make(id, base);
  work(tree.path);
  const change = await trees.capture(tree);
  await trees.remove(tree);
  return change;
}

/** Ten route TODOs from one base: each adds its own file and appends its line to the shared registry. */
async function tenRoutes(base: string): Promise<AttemptChange[]> {
  const changes: AttemptChange[] = [];
  for (let n = 1; n <= 10; n++) {
    changes.push(
      await attempt(`T${n}`, base, (tree) => {
        write(tree, `src/routes/r${n}.js`, `module.exports = 'r${n}';\n`);
        const index = join(tree, "src/routes/index.js");
        writeFileSync(index, `${readFileSync(index, "utf8")}routes.push(require("./r${n}"));\n`);
      }),
    );
  }
  return changes;
}

// Finish order is not start order.
const FINISH_ORDER = [3, 7, 1, 10, 5, 2, 9, 4, 8, 6];

test("ten attempts appending one line each to one file: git's merge calls the second a conflict (both inserted at one place)", async () => {
  const base = await store.checkpoint("integration start");
  const changes = await tenRoutes(base);
  const outcome = await mergeAttempts(store, base, FINISH_ORDER.map((n) => changes[n - 1]!));
  assert.deepEqual(outcome.merged.map((m) => m.attemptId), ["T3"]);
  assert.equal(outcome.conflict?.attemptId, "T7");
  assert.equal(outcome.conflict?.onto, outcome.merged[0]!.integration);
  assert.deepEqual(outcome.notMerged.map((a) => a.attemptId), ["T1", "T10", "T5", "T2", "T9", "T4", "T8", "T6"]);
  const [file] = outcome.conflict!.files;
  assert.equal(file?.path, "src/routes/index.js");
  assert.deepEqual(file?.messages, ["CONFLICT (content): Merge conflict in src/routes/index.js"]);
  assert.deepEqual(file?.hunks.map(({ ours, base, theirs }) => ({ ours, base, theirs })), [
    { ours: 'routes.push(require("./r3"));\n', base: "", theirs: 'routes.push(require("./r7"));\n' },
  ]);
  assert.equal(file?.hunks[0]!.line, 3);
  assert.ok(file?.base && file.ours && file.theirs, "all three sides' objects are named");
  assert.equal(outcome.conflict!.files.length, 1, "each attempt's own new file merged without conflict");
});

test("the same ten with insertions kept both: all merge in finish order, every registration and file present", async () => {
  const base = await store.checkpoint("integration start");
  const changes = await tenRoutes(base);
  const outcome = await mergeAttempts(store, base, FINISH_ORDER.map((n) => changes[n - 1]!), { insertions: "keep-both" });
  assert.equal(outcome.conflict, undefined);
  assert.deepEqual(outcome.merged.map((m) => m.attemptId), FINISH_ORDER.map((n) => `T${n}`));
  assert.deepEqual(outcome.merged.map((m) => m.keptBoth), [[], ...Array(9).fill(["src/routes/index.js"])], "each resolution is named, never silent");
  const index = showAt(store.gitDir, outcome.integration, "src/routes/index.js");
  assert.equal(index, ['const routes = [];', 'routes.push(require("./home"));', ...FINISH_ORDER.map((n) => `routes.push(require("./r${n}"));`)].join("\n") + "\n");
  const files = filesAt(store.gitDir, outcome.integration);
  for (let n = 1; n <= 10; n++) assert.ok(files.includes(`src/routes/r${n}.js`));
});

test("two attempts changing the same line conflict, and keep-both does not paper over it", async () => {
  const base = await store.checkpoint("integration start");
  const a = await attempt("Tport", base, (tree) => write(tree, "src/config.js", "module.exports = { port: 8080 };\n"));
  const b = await attempt("Tport2", base, (tree) => write(tree, "src/config.js", "module.exports = { port: 9090 };\n"));
  for (const insertions of ["conflict", "keep-both"] as const) {
    const outcome = await mergeAttempts(store, base, [a, b], { insertions });
    assert.deepEqual(outcome.merged.map((m) => m.attemptId), ["Tport"]);
    assert.equal(outcome.conflict?.attemptId, "Tport2");
    assert.deepEqual(outcome.conflict?.files.map((f) => [f.path, f.hunks.map(({ ours, base, theirs }) => ({ ours, base, theirs }))]), [
      ["src/config.js", [{ ours: "module.exports = { port: 8080 };\n", base: "module.exports = { port: 3000 };\n", theirs: "module.exports = { port: 9090 };\n" }]],
    ]);
  }
});

test("a modify/delete conflict is named with git's words and no hunks", async () => {
  const base = await store.checkpoint("integration start");
  const a = await attempt("Tedit", base, (tree) => write(tree, "src/routes/home.js", "module.exports = 'HOME';\n"));
  const b = await attempt("Tdelete", base, (tree) => rmSync(join(tree, "src/routes/home.js")));
  const outcome = await mergeAttempts(store, base, [a, b]);
  const file = outcome.conflict?.files[0];
  assert.equal(file?.path, "src/routes/home.js");
  assert.match(file?.messages[0] ?? "", /^CONFLICT \(modify\/delete\)/);
  assert.equal(file?.theirs, undefined, "the deleting side has no object");
  assert.deepEqual(file?.hunks, []);
});

test("an attempt built on an earlier merge merges onto a later state by history; nothing reaches the workspace or the user's repository", async () => {
  const userGitBefore = fingerprint(join(workspace, ".git"));
  const workspaceFile = readFileSync(join(workspace, "src/config.js"), "utf8");
  const base = await store.checkpoint("integration start");
  const first = await mergeAttempts(store, base, [await attempt("T1", base, (tree) => write(tree, "a.txt", "a\n"))]);
  const dependent = await attempt("T2", first.integration, (tree) => write(tree, "a.txt", "a\nand b\n"));
  const other = await attempt("T3", base, (tree) => write(tree, "src/config.js", "module.exports = { port: 1 };\n"));
  const outcome = await mergeAttempts(store, first.integration, [other, dependent]);
  assert.equal(outcome.conflict, undefined);
  assert.equal(showAt(store.gitDir, outcome.integration, "a.txt"), "a\nand b\n");
  assert.equal(showAt(store.gitDir, outcome.integration, "src/config.js"), "module.exports = { port: 1 };\n");
  assert.equal(readFileSync(join(workspace, "src/config.js"), "utf8"), workspaceFile);
  assert.deepEqual(fingerprint(join(workspace, ".git")), userGitBefore);
});

test("links the repository ships and attempts change: merged as links, nothing written through them", async () => {
  const outside = join(root, "outside");
  mkdirSync(outside);
  write(outside, "victim.txt", "outside\n");
  symlinkSync(outside, join(workspace, "out"));
  const outsideBefore = fingerprint(outside);
  const base = await store.checkpoint("integration start");
  const a = await attempt("Tlink", base, (tree) => {
    rmSync(join(tree, "out"));
    symlinkSync("/etc", join(tree, "out"));
  });
  const b = await attempt("Tother", base, (tree) => write(tree, "b.txt", "b\n"));
  const outcome = await mergeAttempts(store, base, [b, a]);
  assert.equal(outcome.conflict, undefined);
  assert.equal(modeAt(store.gitDir, outcome.integration, "out"), "120000");
  assert.equal(showAt(store.gitDir, outcome.integration, "out"), "/etc");
  assert.deepEqual(fingerprint(outside), outsideBefore);
  assert.equal(realpathSync(join(workspace, "out")), outside, "the workspace's own link is as it was");
});
