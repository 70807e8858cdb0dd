/**
 * The read-only chat's search (real ripgrep on a temp workspace): secret files are never searched,
 * whatever the model asks for — the whole tree, a glob that names them, the file itself, a link
 * to it — and nothing outside the workspace is.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { isSecretFile, secretFileRules } from "../../src/orchestrator/agents/secretFiles";
import { WorkspaceSearch } from "../../src/orchestrator/background/workspaceSearch";

let root: string;
let ws: string;
let search: WorkspaceSearch;

before(() => {
  root = mkdtempSync(join(tmpdir(), "orch-search-"));
  ws = join(root, "ws");
  mkdirSync(join(ws, "sub"), { recursive: true });
  mkdirSync(join(root, "outside"));
  writeFileSync(join(root, "outside", "x.md"), "SECRET=outside\n");
  writeFileSync(join(ws, ".env"), "SECRET=abc123\n");
  writeFileSync(join(ws, "sub", ".env.local"), "SECRET=abc123-local\n");
  writeFileSync(join(ws, "sub", ".env.example"), "SECRET=\n");
  writeFileSync(join(ws, "deploy.pem"), "SECRET=abc123-pem\n");
  writeFileSync(join(ws, "sub", "id_rsa"), "SECRET=abc123-rsa\n");
  writeFileSync(join(ws, ".npmrc"), "//registry/:_authToken=SECRET-abc123\n");
  writeFileSync(join(ws, "config.md"), "SECRET is read from the environment.\n");
  symlinkSync(join(ws, ".env"), join(ws, "notes.txt"));
  symlinkSync(join(root, "outside"), join(ws, "out"));
  search = new WorkspaceSearch(ws);
});

after(() => rmSync(root, { recursive: true, force: true }));

test("a search of the whole workspace finds what is not secret and skips every secret file and link", async () => {
  const found = await search.search({ pattern: "SECRET" });
  assert.match(found, /^Found 1 matches\nconfig\.md:\n {2}Line 1: SECRET is read from the environment\.$/);
  assert.doesNotMatch(found, /abc123|outside/);
});

test("a glob that names secret files, the file itself, a link to it, a path outside: none is searched", async () => {
  for (const include of ["*.env*", ".env", "*.pem", "*", "**/*"]) assert.doesNotMatch(await search.search({ pattern: "SECRET", include }), /abc123/, include);
  assert.match(await search.search({ pattern: "SECRET", path: ".env" }), /secret file/);
  assert.match(await search.search({ pattern: "SECRET", path: join(ws, "sub", ".env.local") }), /secret file/);
  assert.match(await search.search({ pattern: "SECRET", path: "notes.txt" }), /leads to a secret file/);
  assert.match(await search.search({ pattern: "SECRET", path: "out" }), /outside the workspace/);
  assert.match(await search.search({ pattern: "SECRET", path: "../outside" }), /outside the workspace/);
  assert.match(await search.search({ pattern: "SECRET", path: "sub" }), /No matches/);
});

test("a bad pattern and a missing ripgrep are said, not thrown", async () => {
  assert.match(await search.search({ pattern: "(" }), /not a valid regular expression/);
  assert.match(await new WorkspaceSearch(ws, () => undefined).search({ pattern: "x" }), /ripgrep \(rg\) is not installed/);
});

test("which names are secret: OpenCode's env rule, keys and token files; templates are not", () => {
  for (const p of [".env", "a/b/.env", "prod.env", ".env.local", "x/.env.production", "k.pem", "tls.key", "id_rsa", "id_ed25519.pub", ".npmrc", "a/.netrc", "c.p12"]) assert.ok(isSecretFile(p), p);
  for (const p of [".env.example", "a/.env.example", "env.ts", "src/keys.ts", "README.md", ".envrc.md"]) assert.ok(!isSecretFile(p), p);
  const rules = secretFileRules("read", "deny");
  assert.deepEqual(rules.at(-1), { permission: "read", pattern: "*.env.example", action: "allow" }, "the template allowed last: the last match wins");
  assert.ok(rules.some((r) => r.pattern === "*/.npmrc") && rules.some((r) => r.pattern === ".npmrc"), "a plain name at the top and in folders");
});
