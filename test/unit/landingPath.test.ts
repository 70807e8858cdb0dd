/**
 * Where a write lands, on real folders and links: the path a tool is given is judged by where the
 * kernel would take it, never by its spelling.
 */
import assert from "node:assert/strict";
import { linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { guardToolCall } from "../../src/orchestrator/engine/plugin/guardedPaths";
import { landingOf } from "../../src/orchestrator/workspace/landingPath";

function place() {
  const root = mkdtempSync(join(tmpdir(), "orch-landing-"));
  const ws = join(root, "ws");
  const outside = join(root, "outside");
  mkdirSync(join(ws, "src"), { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(outside, "target.txt"), "ORIGINAL\n");
  return { root, ws, outside, remove: () => rmSync(root, { recursive: true, force: true }) };
}

test("plain paths land where they are spelt, inside the workspace", () => {
  const { ws, remove } = place();
  try {
    const landing = landingOf("src/new.ts", ws);
    assert.equal(landing.path, join(ws, "src", "new.ts"));
    assert.equal(landing.outside, false);
    assert.equal(landing.link, undefined);
    assert.equal(landingOf(join(ws, "src", "..", "..", "elsewhere.txt"), ws).outside, true, "a path spelt outside is outside");
  } finally {
    remove();
  }
});

test("a link at the end, in the middle, relative, chained or dangling is followed to where it leads", () => {
  const { ws, outside, remove } = place();
  try {
    symlinkSync(join(outside, "target.txt"), join(ws, "file-link.txt"));
    symlinkSync(outside, join(ws, "dir-link"));
    symlinkSync("../outside", join(ws, "relative-link"));
    symlinkSync("dir-link", join(ws, "chain"));
    symlinkSync(join(outside, "not-yet.txt"), join(ws, "dangling.txt"));
    symlinkSync("src", join(ws, "inner"));
    const cases: Array<[string, string, boolean]> = [
      ["file-link.txt", join(outside, "target.txt"), true],
      ["dir-link/new.txt", join(outside, "new.txt"), true],
      ["relative-link/x/y.txt", join(outside, "x", "y.txt"), true],
      ["chain/target.txt", join(outside, "target.txt"), true],
      ["dangling.txt", join(outside, "not-yet.txt"), true],
      ["inner/a.ts", join(ws, "src", "a.ts"), false],
    ];
    for (const [path, lands, outsideExpected] of cases) {
      const landing = landingOf(path, ws);
      assert.equal(landing.path, lands, path);
      assert.equal(landing.outside, outsideExpected, `${path}: outside`);
      assert.ok(landing.link, `${path}: the link on the way is named`);
    }
  } finally {
    remove();
  }
});

test("a loop of links is broken, not followed forever; a file used as a folder is named", () => {
  const { ws, remove } = place();
  try {
    symlinkSync("b", join(ws, "a"));
    symlinkSync("a", join(ws, "b"));
    assert.match(landingOf("a/x.txt", ws).broken ?? "", /too many levels/);
    writeFileSync(join(ws, "plain.txt"), "x");
    assert.match(landingOf("plain.txt/x", ws).broken ?? "", /not a folder/);
  } finally {
    remove();
  }
});

test("a workspace reached through a link of the user's own is not a detour", () => {
  const { root, ws, remove } = place();
  try {
    symlinkSync(ws, join(root, "ws-alias"));
    const landing = landingOf("src/a.ts", join(root, "ws-alias"));
    assert.equal(landing.link, undefined);
    assert.equal(landing.outside, false);
  } finally {
    remove();
  }
});

test("a hard-linked file is reported, and the guard gives it a copy of its own before a write", () => {
  const { ws, outside, remove } = place();
  try {
    linkSync(join(outside, "target.txt"), join(ws, "shared.txt"));
    assert.equal(landingOf("shared.txt", ws).hardLinked, true);
    const args = { filePath: join(ws, "shared.txt"), content: "NEW\n" };
    guardToolCall("write", args, { workspace: ws, sandbox: true });
    assert.equal(statSync(join(ws, "shared.txt")).nlink, 1, "the workspace name is a file of its own now");
    assert.equal(statSync(join(outside, "target.txt")).nlink, 1);
    assert.equal(readFileSync(join(ws, "shared.txt"), "utf8"), "ORIGINAL\n", "with the same content, for an edit to find");
    writeFileSync(args.filePath, args.content);
    assert.equal(readFileSync(join(outside, "target.txt"), "utf8"), "ORIGINAL\n", "the other name kept its content");
  } finally {
    remove();
  }
});

test("the guard rewrites a write through a link to where it lands, and refuses one leading outside in the sandbox", () => {
  const { ws, outside, remove } = place();
  try {
    symlinkSync(join(outside, "target.txt"), join(ws, "file-link.txt"));
    symlinkSync("src", join(ws, "inner"));
    const open = { filePath: join(ws, "file-link.txt"), content: "x" };
    guardToolCall("write", open, { workspace: ws, sandbox: false });
    assert.equal(open.filePath, join(outside, "target.txt"), "outside the sandbox: the real path, for OpenCode to ask about");
    const inner = { filePath: "inner/a.ts", oldString: "a", newString: "b" };
    guardToolCall("edit", inner, { workspace: ws, sandbox: true });
    assert.equal(inner.filePath, join(ws, "src", "a.ts"), "a link inside the workspace becomes the file it names");
    assert.throws(() => guardToolCall("write", { filePath: join(ws, "file-link.txt"), content: "x" }, { workspace: ws, sandbox: true }), /leads outside the workspace through the symbolic link .*file-link\.txt/);
    const plain = { filePath: join(ws, "src", "plain.ts"), content: "x" };
    guardToolCall("write", plain, { workspace: ws, sandbox: true });
    assert.equal(plain.filePath, join(ws, "src", "plain.ts"), "an ordinary path is left as it was given");
    const bash = { command: "echo x > file-link.txt" };
    guardToolCall("bash", bash, { workspace: ws, sandbox: true });
    assert.equal(bash.command, "echo x > file-link.txt", "commands are the gate's and the sandbox's, not the guard's");
  } finally {
    remove();
  }
});

test("apply_patch: every file header is judged; a deleted link is the link itself", () => {
  const { ws, outside, remove } = place();
  try {
    symlinkSync(join(outside, "target.txt"), join(ws, "file-link.txt"));
    symlinkSync("src", join(ws, "inner"));
    const patch = ["*** Begin Patch", "*** Add File: inner/new.ts", "+x", "*** Update File: file-link.txt", "@@", "-ORIGINAL", "+PWNED", "*** Delete File: file-link.txt", "*** End Patch"].join("\n");
    const args = { patchText: patch };
    guardToolCall("apply_patch", args, { workspace: ws, sandbox: false });
    assert.match(args.patchText, new RegExp(`^\\*\\*\\* Add File: ${join(ws, "src", "new.ts")}$`, "m"));
    assert.match(args.patchText, new RegExp(`^\\*\\*\\* Update File: ${join(outside, "target.txt")}$`, "m"));
    assert.match(args.patchText, /^\*\*\* Delete File: file-link\.txt$/m);
    assert.throws(() => guardToolCall("apply_patch", { patchText: patch }, { workspace: ws, sandbox: true }), /leads outside the workspace/);
    const moved = { patchText: ["*** Begin Patch", "*** Update File: src/a.ts", "*** Move to: file-link.txt", "*** End Patch"].join("\n") };
    assert.throws(() => guardToolCall("apply_patch", moved, { workspace: ws, sandbox: true }), /file-link\.txt leads outside/, "a move's destination is a write");
  } finally {
    remove();
  }
});

test("inside the workspace, the landing is spelt from the workspace as the caller names it", () => {
  const { root, ws, remove } = place();
  try {
    symlinkSync(ws, join(root, "ws-alias"));
    symlinkSync("src", join(ws, "inner"));
    const alias = join(root, "ws-alias");
    assert.equal(landingOf("inner/a.ts", alias).path, join(alias, "src", "a.ts"));
  } finally {
    remove();
  }
});

test("reading tools read where a link leads: the read rules judge the real file; nothing is refused", () => {
  const { ws, outside, remove } = place();
  try {
    writeFileSync(join(ws, ".env"), "SECRET=abc123\n");
    symlinkSync(".env", join(ws, "notes.md"));
    symlinkSync(outside, join(ws, "dir-link"));
    const read = { filePath: join(ws, "notes.md") };
    guardToolCall("read", read, { workspace: ws, sandbox: true });
    assert.equal(read.filePath, join(ws, ".env"), "a rule that denies .env now sees .env");
    const grep = { pattern: "x", path: "dir-link" };
    guardToolCall("grep", grep, { workspace: ws, sandbox: true });
    assert.equal(grep.path, outside, "an outside folder behind a link is an outside read, for OpenCode to ask about");
    const plain = { filePath: join(ws, "src", "a.ts") };
    guardToolCall("read", plain, { workspace: ws, sandbox: true });
    assert.equal(plain.filePath, join(ws, "src", "a.ts"));
  } finally {
    remove();
  }
});
