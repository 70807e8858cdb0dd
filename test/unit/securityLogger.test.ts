/** The log never shows a credential: registered secrets in every encoding, and anything shaped like one. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { memoryLogger, RedactingLogger } from "../../src/orchestrator/logger";

const logged = (log: RedactingLogger, inner: { lines: string[] }, message: string) => {
  log.info(message);
  return inner.lines.at(-1)?.replace(/^info: /, "");
};

test("Authorization headers lose their credentials, Basic and Bearer alike", () => {
  const inner = memoryLogger();
  const log = new RedactingLogger(inner);
  assert.equal(logged(log, inner, "GET /session Authorization: Basic b3BlbmNvZGU6aHVudGVyMg== → 401"), "GET /session Authorization: Basic *** → 401");
  assert.equal(logged(log, inner, '{"headers":{"Authorization":"Bearer abc.def-123_xyz"}}'), '{"headers":{"Authorization":"Bearer ***"}}');
  assert.equal(logged(log, inner, "authorization=sk-live-0123456789"), "authorization=***");
  assert.equal(logged(log, inner, "retrying with Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc"), "retrying with Bearer ***");
  assert.equal(logged(log, inner, "Basic auth failed; Bearer tokens are not used here"), "Basic auth failed; Bearer tokens are not used here", "prose is left alone");
});

test("credential query values and URL user-info are redacted, other parameters kept", () => {
  const inner = memoryLogger();
  const log = new RedactingLogger(inner);
  assert.equal(logged(log, inner, "connecting to http://127.0.0.1:4096/event?auth_token=abcdef123&directory=/w"), "connecting to http://127.0.0.1:4096/event?auth_token=***&directory=/w");
  assert.equal(logged(log, inner, "GET /mcp?x=1&token=zzz#frag"), "GET /mcp?x=1&token=***#frag");
  assert.equal(logged(log, inner, "fetch https://user:pa55@example.com/x failed"), "fetch https://user:***@example.com/x failed");
  assert.equal(logged(log, inner, "http://127.0.0.1:4096/session?directory=/w"), "http://127.0.0.1:4096/session?directory=/w");
});

test("an attached server's short password is redacted whatever its length, and in its encoded forms", () => {
  const inner = memoryLogger();
  const log = new RedactingLogger(inner);
  log.addSecret("pw1");
  assert.equal(logged(log, inner, "attach with password pw1 failed"), "attach with password *** failed");
  assert.equal(logged(log, inner, "pw12 and xpw1 are other words"), "pw12 and xpw1 are other words");
  // The Basic credential of opencode:pw1, even without the header around it.
  const basic = Buffer.from("opencode:pw1").toString("base64");
  assert.equal(logged(log, inner, `sent ${basic}`), "sent ***");
  log.addSecret("p@ss word!");
  assert.equal(logged(log, inner, "url-encoded: p%40ss%20word! plain: p@ss word!"), "url-encoded: *** plain: ***");
  log.addSecret("x");
  assert.equal(logged(log, inner, "x marks a box"), "*** marks a box");
});
