/** The user's provenance key and its marks: kept outside the workspace, lasting, and impossible to reuse elsewhere. */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, test } from "node:test";
import { Provenance } from "../../src/orchestrator/workspace/provenance";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "provenance-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test("the key file is made once, private to the user, and a later window reads the same key", () => {
  const file = join(dir, "global-storage", "provenance.key");
  const first = Provenance.fromKeyFile(file);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  const mark = first.mark("mission", "/work/app", "20260101-120000-abcd");
  assert.ok(Provenance.fromKeyFile(file).verifies("mission", "/work/app", "20260101-120000-abcd", mark), "a reload keeps the user's missions");
});

test("a mark verifies only for its kind, workspace and id, and only under the key that made it", () => {
  const mine = new Provenance(randomBytes(32));
  const mark = mine.mark("mission", "/work/app", "20260101-120000-abcd");
  assert.ok(mine.verifies("mission", "/work/app", "20260101-120000-abcd", mark));
  assert.ok(!mine.verifies("mission", "/work/other", "20260101-120000-abcd", mark), "copied into another workspace");
  assert.ok(!mine.verifies("mission", "/work/app", "20260101-120000-abce", mark), "another mission");
  assert.ok(!mine.verifies("checkpoint-store", "/work/app", "20260101-120000-abcd", mark), "another kind");
  assert.ok(!new Provenance(randomBytes(32)).verifies("mission", "/work/app", "20260101-120000-abcd", mark), "another user's key");
  for (const forged of [undefined, "", "00", "z".repeat(64), mark.toUpperCase()]) assert.ok(!mine.verifies("mission", "/work/app", "20260101-120000-abcd", forged), String(forged));
});

test("a key file that holds no key is an error, never silently replaced", () => {
  const file = join(dir, "provenance.key");
  writeFileSync(file, "not a key\n");
  assert.throws(() => Provenance.fromKeyFile(file), /is not a provenance key/);
  assert.equal(readFileSync(file, "utf8"), "not a key\n");
});
