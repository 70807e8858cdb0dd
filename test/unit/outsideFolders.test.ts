/** The folders outside the workspace a job's command reaches, through links and `..`, as `external_directory` patterns. */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, test } from "node:test";
import { outsideFolders } from "../../src/orchestrator/agents/outsideFolders";
import { scanCommandLine } from "../../src/orchestrator/agents/shellCommands";
import { shellParser } from "../../src/orchestrator/agents/shellSyntax";

const root = realpathSync(mkdtempSync(join(tmpdir(), "orch-outside-")));
const workspace = join(root, "ws");
const elsewhere = join(root, "elsewhere");
const home = join(root, "home");
for (const dir of [join(workspace, "sub"), join(elsewhere, "deep"), home]) mkdirSync(dir, { recursive: true });
writeFileSync(join(workspace, "a.txt"), "a\n");
writeFileSync(join(elsewhere, "secret"), "s\n");
symlinkSync(elsewhere, join(workspace, "out")); // a folder link inside that points outside
symlinkSync(join(elsewhere, "secret"), join(workspace, "pw")); // a file link
after(() => rmSync(root, { recursive: true, force: true }));

async function reached(line: string) {
  return outsideFolders(scanCommandLine(await shellParser(), line), workspace, home);
}

test("paths inside the workspace, and the devices every shell uses, reach nothing outside", async () => {
  for (const line of ["cat a.txt sub/x ./sub/../a.txt", "npm test 2>&1 > /dev/null", "echo hi >&2", "git -C sub status", "cd sub && cat ../a.txt"]) {
    assert.deepEqual(await reached(line), { patterns: [], unknown: false }, line);
  }
});

test("absolute paths, .., ~, options' values and redirections outside are found, as folders", async () => {
  assert.deepEqual((await reached(`cat ${join(elsewhere, "secret")}`)).patterns, [join(elsewhere, "*")]);
  assert.deepEqual((await reached("cat ../elsewhere/secret")).patterns, [join(elsewhere, "*")]);
  assert.deepEqual((await reached(`ls ${elsewhere}`)).patterns, [join(elsewhere, "*")], "a folder is its own pattern");
  assert.deepEqual((await reached("ls ~/.ssh")).patterns, [join(home, "*")], "a path that does not exist: its folder");
  assert.deepEqual((await reached(`echo x > ${join(elsewhere, "new.txt")}`)).patterns, [join(elsewhere, "*")]);
  assert.deepEqual((await reached(`cp a.txt --target-directory=${join(elsewhere, "deep")}`)).patterns, [join(elsewhere, "deep", "*")]);
  assert.deepEqual((await reached(`sh -c 'cat ${join(elsewhere, "secret")}'`)).patterns, [join(elsewhere, "*")], "inside a nested shell too");
});

test("a link inside the workspace that points outside is outside, and `..` is taken from where the link leads", async () => {
  assert.deepEqual((await reached("cat pw")).patterns, [join(elsewhere, "*")]);
  assert.deepEqual((await reached("cat out/secret")).patterns, [join(elsewhere, "*")]);
  assert.deepEqual((await reached("cat out/deep/../../x")).patterns, [join(root, "*")], "out/deep/../.. is the link's grandparent, not the workspace");
});

test("a cd leads the rest of the line elsewhere; a path only the shell knows may be anywhere", async () => {
  const after = await reached(`cd ${elsewhere} && cat secret`);
  assert.deepEqual(after.patterns, [join(elsewhere, "*")]);
  assert.equal((await reached("cat $HOME/.ssh/id_rsa")).unknown, true);
  assert.equal((await reached('cd "$DIR" && ls')).unknown, true);
  assert.equal((await reached("echo $HOME")).unknown, false, "a variable alone is no path");
  assert.deepEqual((await reached("cd")).patterns, [join(dirname(home), "home", "*")], "cd alone goes home");
});
