/**
 * The server's output reaches the log through the redactor a line at a time: a secret the server
 * writes in two pieces (two reads of its pipe) is still one secret, and is never logged.
 */
import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { startServer } from "../../src/orchestrator/engine/serverProcess";
import { memoryLogger, RedactingLogger } from "../../src/orchestrator/common/logger";

const FIXTURE = resolve(__dirname, "..", "fixtures", "chattyServer.mjs");

test("a secret split across two chunks of the server's output is redacted", { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "orch-chatty-"));
  const binary = join(dir, "opencode");
  writeFileSync(binary, `#!/bin/sh\nexec "${process.execPath}" "${FIXTURE}"\n`);
  chmodSync(binary, 0o755);
  const inner = memoryLogger();
  const log = new RedactingLogger(inner);
  const server = await startServer({ binary, cwd: dir, config: {}, logger: log });
  try {
    log.addSecret(server.password);
    const answer = await fetch(`${server.url}/print`);
    assert.equal(await answer.text(), "printed");
    // The second write has been read once the line it ends is logged (the pipe keeps its order).
    const deadline = Date.now() + 10_000;
    while (!inner.lines.some((l) => l.includes("after")) && Date.now() < deadline) await new Promise((r) => setImmediate(r));
    const printed = inner.lines.filter((l) => l.includes("before") || l.includes("after"));
    assert.deepEqual(printed, ["trace: opencode: before *** after"], inner.lines.join("\n"));
    for (const line of inner.lines) assert.ok(!line.includes(server.password.slice(0, 8)) && !line.includes(server.password.slice(-8)), `no piece of the secret: ${line}`);
  } finally {
    await server.stop(500);
    rmSync(dir, { recursive: true, force: true });
  }
});
