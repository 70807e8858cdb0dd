import assert from "node:assert/strict";
import { test } from "node:test";
import { sessionErrorFrom } from "../../src/orchestrator/engine/errors";

test("each OpenCode error becomes its kind", () => {
  const cases: Array<[unknown, string]> = [
    [{ name: "ProviderAuthError", data: { providerID: "anthropic", message: "bad key" } }, "auth"],
    [{ name: "APIError", data: { message: "nope", statusCode: 401, isRetryable: false } }, "auth"],
    [{ name: "APIError", data: { message: "overloaded", statusCode: 529, isRetryable: true } }, "api"],
    [{ name: "ContextOverflowError", data: { message: "too long" } }, "context-overflow"],
    [{ name: "MessageAbortedError", data: { message: "aborted" } }, "aborted"],
    [{ name: "StructuredOutputError", data: { message: "no tool call", retries: 2 } }, "structured-output"],
    [{ name: "MessageOutputLengthError", data: {} }, "output-length"],
    [{ name: "ContentFilterError", data: { message: "filtered" } }, "content-filter"],
    [{ name: "UnknownError", data: { message: "Model not found" } }, "unknown"],
    [undefined, "unknown"],
  ];
  for (const [raw, kind] of cases) {
    assert.equal(sessionErrorFrom("s", raw as never).kind, kind, JSON.stringify(raw));
  }
});

test("an auth error says where to fix it; retry-after is read in seconds or ms", () => {
  assert.match(sessionErrorFrom("s", { name: "ProviderAuthError", data: { providerID: "anthropic", message: "bad key" } }).message, /opencode auth login/);
  assert.equal(sessionErrorFrom("s", { name: "APIError", data: { message: "x", isRetryable: true, responseHeaders: { "retry-after-ms": "250" } } }).details.retryAfterMs, 250);
  assert.equal(sessionErrorFrom("s", { name: "APIError", data: { message: "x", isRetryable: true, responseHeaders: { "retry-after": "2" } } }).details.retryAfterMs, 2000);
});
