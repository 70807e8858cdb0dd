import assert from "node:assert/strict";
import { test } from "node:test";
import { memoryLogger, RedactingLogger } from "../../src/orchestrator/common/logger";

test("secrets never reach the log, at any level", () => {
  const inner = memoryLogger();
  const log = new RedactingLogger(inner);
  log.addSecret("s3cr3t-password-value");
  log.info("started with s3cr3t-password-value");
  log.error("Basic auth failed for s3cr3t-password-value twice: s3cr3t-password-value");
  assert.deepEqual(inner.lines, ["info: started with ***", "error: Basic auth failed for *** twice: ***"]);
});

test("a short secret is redacted only where it stands alone, never inside other words", () => {
  const inner = memoryLogger();
  const log = new RedactingLogger(inner);
  log.addSecret("cat");
  log.info("a cat in concatenation");
  assert.deepEqual(inner.lines, ["info: a *** in concatenation"]);
});
