import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { resolveOpencodeBinary } from "../../src/orchestrator/engine/binary";
import { OpencodeNotFoundError } from "../../src/orchestrator/engine/errors";

const dir = mkdtempSync(join(tmpdir(), "bin-"));
const onPath = join(dir, "opencode");
writeFileSync(onPath, "#!/bin/sh\n");
chmodSync(onPath, 0o755);
const notExecutable = join(dir, "plain");
writeFileSync(notExecutable, "");
after(() => rmSync(dir, { recursive: true, force: true }));

test("the setting wins when it points at an executable", () => {
  assert.equal(resolveOpencodeBinary({ configuredPath: onPath, pathEnv: "/nowhere" }), onPath);
});

test("a wrong setting is an error, not a silent fallback", () => {
  assert.throws(() => resolveOpencodeBinary({ configuredPath: notExecutable, pathEnv: dir }), (e: unknown) => e instanceof OpencodeNotFoundError && /orchestrator\.opencode\.path/.test(e.message));
});

test("PATH comes before the bundled fallback", () => {
  assert.equal(resolveOpencodeBinary({ pathEnv: `/nowhere:${dir}`, fallbacks: ["/also/nowhere"] }), onPath);
});

test("the fallback is used when PATH has none", () => {
  assert.equal(resolveOpencodeBinary({ pathEnv: "/nowhere", fallbacks: ["/also/nowhere", onPath] }), onPath);
});

test("nothing found: the error says how to install OpenCode", () => {
  assert.throws(() => resolveOpencodeBinary({ pathEnv: "/nowhere", fallbacks: [notExecutable] }), (e: unknown) => e instanceof OpencodeNotFoundError && /npm install -g @opencode\/cli/.test(e.message) && e.tried.includes(notExecutable));
});
