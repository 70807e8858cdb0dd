/**
 * A workspace (a cloned repository) that ships its own checkpoint store, with links in it, or that
 * sits inside a hostile parent repository: the store never writes through a link it did not make,
 * never moves outside the workspace, and writes the parent's ignore rules only into its own folder.
 * Real git on temp folders; every file outside the workspace is compared byte for byte.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterEach, beforeEach, test } from "node:test";
import { CheckpointStore } from "../../src/orchestrator/changes/checkpointStore";
import { memoryLogger } from "../../src/orchestrator/common/logger";
import { Provenance } from "../../src/orchestrator/workspace/provenance";

let root: string;
let workspace: string;
let outside: string;
let orchestrator: string;
let checkpoints: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "ckpt-hostile-"));
  workspace = join(root, "workspace");
  outside = join(root, "outside");
  orchestrator = join(workspace, ".opencode", "orchestrator");
  checkpoints = join(orchestrator, "checkpoints");
  mkdirSync(workspace);
  mkdirSync(outside);
  writeFileSync(join(outside, ".bashrc"), "# the user's shell\nalias ll='ls -l'\n");
  writeFileSync(join(outside, "notes.txt"), "precious\n");
  writeFileSync(join(workspace, "app.ts"), "export const app = 1;\n");
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** Every entry under `dir` with its bytes (a link: its target), so any change shows. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (at: string) => {
    for (const name of readdirSync(at)) {
      const path = join(at, name);
      const stat = lstatSync(path);
      const key = relative(dir, path);
      if (stat.isSymbolicLink()) out[key] = `-> ${readlinkSync(path)}`;
      else if (stat.isDirectory()) {
        out[key] = "dir";
        walk(path);
      } else out[key] = readFileSync(path).toString("base64");
    }
  };
  walk(dir);
  return out;
}

/** A store as another machine's Orchestrator made it (a mark under another key), shipped in the repository. */
async function shippedStore(): Promise<void> {
  await new CheckpointStore(workspace, { provenance: new Provenance(randomBytes(32)) }).checkpoint("made elsewhere");
}

/** The store is a real folder inside the workspace, its git dir too, and a checkpoint of the workspace works. */
async function assertStoreInside(store: CheckpointStore): Promise<void> {
  const first = await store.checkpoint("start");
  assert.ok(lstatSync(checkpoints).isDirectory() && !lstatSync(checkpoints).isSymbolicLink(), "the store is a real folder");
  assert.ok(lstatSync(store.gitDir).isDirectory() && !lstatSync(store.gitDir).isSymbolicLink());
  assert.equal((await store.read(first, "app.ts"))?.toString(), "export const app = 1;\n");
}

/** The folders the shipped store was set aside to, untouched. */
const setAside = () => readdirSync(orchestrator).filter((name) => name.startsWith("checkpoints.set-aside-"));

test("a shipped store whose .gitignore, info/attributes or info/exclude are links: set aside, nothing written through them", async () => {
  await shippedStore();
  for (const [file, target] of [[".gitignore", ".bashrc"], ["git/info/attributes", "notes.txt"], ["git/info/exclude", "notes.txt"]] as const) {
    rmSync(join(checkpoints, file));
    symlinkSync(join(outside, target), join(checkpoints, file));
  }
  const before = snapshot(outside);
  const logger = memoryLogger();
  const store = new CheckpointStore(workspace, { logger });
  await assertStoreInside(store);
  assert.deepEqual(snapshot(outside), before, "nothing outside the workspace changed");
  const [aside] = setAside();
  assert.ok(aside, "the shipped store was set aside");
  assert.equal(readlinkSync(join(orchestrator, aside, ".gitignore")), join(outside, ".bashrc"), "kept as it was, links and all");
  assert.ok(logger.lines.some((line) => line.startsWith("warn:") && line.includes("no mark of this user's Orchestrator") && line.includes(aside)), "the user is told where it went");
});

test("a workspace inside a hostile parent repository: its .gitignore lines never reach a linked inherited-exclude's target", async () => {
  execFileSync("git", ["init", "-q"], { cwd: root });
  writeFileSync(join(root, ".gitignore"), "echo pwned; id\nnode_modules/\n");
  await shippedStore();
  rmSync(join(checkpoints, "git", "info", "inherited-exclude"));
  symlinkSync(join(outside, ".bashrc"), join(checkpoints, "git", "info", "inherited-exclude"));
  const before = snapshot(outside);
  const store = new CheckpointStore(workspace);
  await assertStoreInside(store);
  assert.deepEqual(snapshot(outside), before, "the .bashrc outside is byte-for-byte as it was");
  const written = join(store.gitDir, "info", "inherited-exclude");
  assert.ok(lstatSync(written).isFile() && !lstatSync(written).isSymbolicLink(), "the rules live in the store's own file");
  assert.match(readFileSync(written, "utf8"), /^node_modules\/$/m);
});

test("a checkpoints folder that is a link out of the workspace: the store stays inside, nothing is made outside", async () => {
  mkdirSync(join(orchestrator), { recursive: true });
  symlinkSync(outside, checkpoints);
  const before = snapshot(outside);
  const store = new CheckpointStore(workspace);
  await assertStoreInside(store);
  assert.deepEqual(snapshot(outside), before, "no store was made outside");
  assert.equal(readlinkSync(join(orchestrator, setAside()[0] ?? "")), outside, "the link itself was set aside, not followed");
});

test("a shipped store whose git objects and refs are links: git writes no object or ref outside", async () => {
  await shippedStore();
  const git = join(checkpoints, "git");
  for (const name of ["objects", "refs"]) {
    mkdirSync(join(outside, name));
    execFileSync("cp", ["-R", join(git, name), outside]);
    rmSync(join(git, name), { recursive: true });
    symlinkSync(join(outside, name), join(git, name));
  }
  writeFileSync(join(workspace, "new.ts"), "a file no checkpoint has seen\n");
  const before = snapshot(outside);
  await assertStoreInside(new CheckpointStore(workspace));
  assert.deepEqual(snapshot(outside), before, "no object or ref was written outside");
});

test("a shipped store whose HEAD and config are links to a hostile config: set aside, nothing of it runs", async () => {
  await shippedStore();
  const git = join(checkpoints, "git");
  writeFileSync(join(outside, "config"), `[core]\n\trepositoryformatversion = 0\n\tfsmonitor = touch ${join(outside, "fsmonitor-ran")}\n\thooksPath = ${outside}\n`);
  writeFileSync(join(outside, "post-index-change"), "#!/bin/sh\ntouch hook-ran\n", { mode: 0o755 });
  for (const name of ["HEAD", "config"]) {
    rmSync(join(git, name));
    symlinkSync(name === "HEAD" ? "refs/heads/checkpoints" : join(outside, name), join(git, name));
  }
  const before = snapshot(outside);
  await assertStoreInside(new CheckpointStore(workspace));
  assert.deepEqual(snapshot(outside), before, "no fsmonitor or hook ran, nothing was written outside");
  assert.ok(!existsSync(join(workspace, "hook-ran")));
});

test("a link planted later in the user's own store: the store is set aside at the next opening, the target untouched", async () => {
  const logger = memoryLogger();
  const first = await new CheckpointStore(workspace).checkpoint("ours");
  const attributes = join(checkpoints, "git", "info", "attributes");
  rmSync(attributes);
  symlinkSync(join(outside, "notes.txt"), attributes);
  const store = new CheckpointStore(workspace, { logger });
  await assertStoreInside(store);
  assert.equal(readFileSync(join(outside, "notes.txt"), "utf8"), "precious\n");
  assert.ok(logger.lines.some((line) => line.includes("attributes is a symbolic link")));
  assert.equal(await store.read(first, "app.ts").catch(() => "gone"), "gone", "the old store's checkpoints went with it, aside");
});

test("the user's own store is used again by a new window: its checkpoints stay readable, nothing is set aside", async () => {
  const first = await new CheckpointStore(workspace).checkpoint("window one");
  const again = new CheckpointStore(workspace);
  assert.equal((await again.read(first, "app.ts"))?.toString(), "export const app = 1;\n");
  await again.checkpoint("window two");
  assert.deepEqual(setAside(), []);
  assert.deepEqual(readdirSync(orchestrator).sort(), ["checkpoints"], "no temporary folder is left behind");
});

test("an .opencode folder that is a link: checkpoints are refused with the link named, nothing is written outside", async () => {
  symlinkSync(outside, join(workspace, ".opencode"));
  const before = snapshot(outside);
  await assert.rejects(new CheckpointStore(workspace).checkpoint("start"), /\.opencode is a symbolic link/);
  assert.deepEqual(snapshot(outside), before);
});

test("two windows making the store at once agree on one: neither sets the other's aside", async () => {
  const logger = memoryLogger();
  const one = new CheckpointStore(workspace, { logger });
  const two = new CheckpointStore(workspace, { logger });
  const [a, b] = await Promise.all([one.checkpoint("window one"), two.checkpoint("window two")]);
  assert.equal((await one.read(b, "app.ts"))?.toString(), "export const app = 1;\n");
  assert.equal((await two.read(a, "app.ts"))?.toString(), "export const app = 1;\n");
  assert.deepEqual(readdirSync(orchestrator).sort(), ["checkpoints"], "nothing set aside, no temporary folder left");
  assert.ok(!logger.lines.some((line) => line.startsWith("warn:")), logger.lines.join("\n"));
});
