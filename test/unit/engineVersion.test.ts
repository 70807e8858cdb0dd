/**
 * Which OpenCode runs is decided from what it says it is: the supported lines, what a binary's
 * `--version` and a server's health answer mean, and the message that stops an unsupported one.
 * The two real binaries (both dev dependencies) answer for themselves; an unsupported version is a
 * script that prints one (no such OpenCode can be installed offline), run for real.
 */
import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { memoryLogger } from "../../src/orchestrator/common/logger";
import { Engine } from "../../src/orchestrator/engine/engine";
import { INSTALL_OPENCODE } from "../../src/orchestrator/engine/errors";
import { identifyBinary, identityFromHealth, supportOf, SUPPORTED_TEXT, UnsupportedOpencodeError } from "../../src/orchestrator/engine/engineVersion";
import { bundledOpencode } from "../support/engines";

test("the supported lines run; a newer minor runs untested; older, unknown majors and no version do not", () => {
  assert.deepEqual(supportOf("1.18.33", "x"), { ok: true, identity: { major: 1, version: "1.18.33" }, untested: false });
  assert.deepEqual(supportOf("opencode v2.1.2\n", "x"), { ok: true, identity: { major: 2, version: "2.1.2" }, untested: false });
  assert.deepEqual(supportOf("2.4.0", "x"), { ok: true, identity: { major: 2, version: "2.4.0" }, untested: true });
  const old = supportOf("1.17.9", "/usr/bin/opencode");
  assert.ok(!old.ok && /\/usr\/bin\/opencode is OpenCode 1\.17\.9, older than 1\.18\.29/.test(old.reason), JSON.stringify(old));
  const future = supportOf("opencode v3.0.0", "x");
  assert.ok(!future.ok && /OpenCode 3\.0\.0, a major version this extension does not know/.test(future.reason), JSON.stringify(future));
  const mute = supportOf("<!doctype html>", "x");
  assert.ok(!mute.ok && /did not say which OpenCode it is/.test(mute.reason), JSON.stringify(mute));
});

test("a server is what its health answer says, and only a JSON answer counts (each major answers the other's path with HTML)", () => {
  assert.deepEqual(identityFromHealth("/global/health", "application/json", { healthy: true, version: "1.18.33" }), { major: 1, version: "1.18.33" });
  assert.deepEqual(identityFromHealth("/api/info", "application/json; charset=utf-8", { version: "2.1.2", pid: 42 }), { major: 2, version: "2.1.2" });
  assert.equal(identityFromHealth("/api/info", "text/html", "<html>"), undefined);
  assert.equal(identityFromHealth("/global/health", "application/json", { version: "2.1.2", pid: 42 }), undefined, "not v1's answer");
});

test("both bundled binaries say which they are", async () => {
  assert.equal((await identifyBinary(bundledOpencode("v1"))).major, 1);
  assert.equal((await identifyBinary(bundledOpencode("v2"))).major, 2);
});

test("an unsupported OpenCode stops the start before any server runs: the version found, the versions supported, how to install", async () => {
  const dir = mkdtempSync(join(tmpdir(), "orch-version-"));
  try {
    const binary = join(dir, "opencode");
    const started = join(dir, "server-started");
    // Prints a version no line supports; as a server it would leave a trace.
    writeFileSync(binary, `#!/bin/sh\nif [ "$1" = "--version" ]; then echo "opencode v3.0.0"; exit 0; fi\ntouch ${JSON.stringify(started)}\n`);
    chmodSync(binary, 0o755);
    await assert.rejects(
      Engine.start({ directory: dir, binary: { pathEnv: "", fallbacks: [binary] }, config: {}, logger: memoryLogger() }),
      (error: unknown) => {
        assert.ok(error instanceof UnsupportedOpencodeError, String(error));
        assert.match(error.message, /OpenCode 3\.0\.0, a major version this extension does not know/);
        assert.ok(error.message.includes(SUPPORTED_TEXT) && error.message.includes(INSTALL_OPENCODE), error.message);
        return true;
      },
    );
    assert.ok(!existsSync(started), "no server was started");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
