import assert from "node:assert/strict";
import { test } from "node:test";
import { isLoopbackUrl, parseListeningUrl } from "../../src/orchestrator/engine/serverUrl";

test("parses the listening line, with noise around it", () => {
  assert.equal(parseListeningUrl("INFO starting\nopencode server listening on http://127.0.0.1:41234\n"), "http://127.0.0.1:41234");
  assert.equal(parseListeningUrl("opencode server listening on http://127.0.0.1:4096/"), "http://127.0.0.1:4096");
});

test("no line, no URL; a partial line is not a URL yet", () => {
  assert.equal(parseListeningUrl("Failed to fetch models.dev"), undefined);
  assert.equal(parseListeningUrl("opencode server listening on "), undefined);
  assert.equal(parseListeningUrl(""), undefined);
});

test("only loopback addresses count as local", () => {
  assert.ok(isLoopbackUrl("http://127.0.0.1:4096"));
  assert.ok(isLoopbackUrl("http://localhost:4096"));
  assert.ok(isLoopbackUrl("http://[::1]:4096"));
  assert.ok(!isLoopbackUrl("http://192.168.1.4:4096"));
  assert.ok(!isLoopbackUrl("http://example.com"));
  assert.ok(!isLoopbackUrl("not a url"));
});
