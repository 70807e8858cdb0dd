import assert from "node:assert/strict";
import { test } from "node:test";
import { ServerUnreachableError, SessionError, StructuredResultError, TurnStalledError } from "../../src/orchestrator/engine/errors";
import { RecoveryPolicy } from "../../src/orchestrator/recovery/recoveryPolicy";

const policy = new RecoveryPolicy({ maxAttempts: 3, baseDelayMs: 1000, random: () => 0.5 });
const api = (statusCode: number, retryAfterMs?: number) => new SessionError("api", `HTTP ${statusCode}`, "s", { statusCode, retryable: true, retryAfterMs });

test("a rate limit waits at least retry-after and lowers the parallel limit", () => {
  const action = policy.decide(api(429, 7000), 1);
  assert.deepEqual([action.kind, action.kind === "retry" && action.delayMs, action.kind === "retry" && action.lowerLimit], ["retry", 7000, true]);
  const noHeader = policy.decide(api(429), 2);
  assert.equal(noHeader.kind === "retry" && noHeader.delayMs, 2000, "exponential backoff without retry-after");
});

test("5xx and network errors back off exponentially, with jitter, capped", () => {
  const jittery = new RecoveryPolicy({ baseDelayMs: 1000, maxDelayMs: 5000, random: () => 1 });
  assert.equal(jittery.backoff(1), 1250);
  assert.equal(jittery.backoff(2), 2500);
  assert.equal(jittery.backoff(10), 5000);
  assert.equal(policy.decide(api(529), 1).kind, "retry");
  assert.equal(policy.decide(new TypeError("fetch failed"), 1).kind, "retry");
  assert.equal(policy.decide(new ServerUnreachableError("gone"), 1).kind, "retry");
});

test("credentials and configuration errors halt with a message; they are never retried", () => {
  const auth = policy.decide(new SessionError("auth", "Provider x rejected the credentials.", "s"), 1);
  assert.equal(auth.kind, "halt");
  const model = policy.decide(new SessionError("unknown", "Model not found: scripted/nope. Did you mean: scripted-model?", "s"), 1);
  assert.ok(model.kind === "halt" && /Configuration error: Model not found: scripted\/nope[\s\S]*orchestrator\.model/.test(model.reason));
  // OpenCode 2 names it by type, in words of its own.
  const unavailable = policy.decide(new SessionError("configuration", "Model unavailable: scripted/nope", "s"), 1);
  assert.ok(unavailable.kind === "halt" && /Configuration error: Model unavailable: scripted\/nope/.test(unavailable.reason));
});

test("answers that do not fit are retried with feedback; overflow gets a fresh, smaller start", () => {
  const invalid = policy.decide(new StructuredResultError("s", "status: expected one of done|blocked|failed"), 1);
  assert.ok(invalid.kind === "retry" && invalid.delayMs === 0 && /status: expected one of/.test(invalid.feedback ?? ""));
  const missing = policy.decide(new SessionError("structured-output", "no StructuredOutput call", "s"), 1);
  assert.ok(missing.kind === "retry" && /StructuredOutput, or the orchestrator.s report tool/.test(missing.feedback ?? ""));
  const overflow = policy.decide(new SessionError("context-overflow", "too long", "s"), 1);
  assert.ok(overflow.kind === "retry" && /ran out of context/.test(overflow.feedback ?? ""));
  assert.equal(policy.decide(new TurnStalledError("s", 300_000), 1).kind, "retry");
});

test("after maxAttempts the turn gives up, naming the last error and the count", () => {
  const action = policy.decide(api(500), 3);
  assert.ok(action.kind === "give-up" && /HTTP 500 \(after 3 attempts\)/.test(action.note));
  assert.equal(policy.decide(new SessionError("content-filter", "filtered", "s"), 1).kind, "give-up");
});

test("an interruption the orchestrator did not ask for (a declined tool call on OpenCode 2) is retried, and counted: it ends", () => {
  const interrupted = new SessionError("aborted", "Interrupted (shutdown).", "s");
  const first = policy.decide(interrupted, 1);
  assert.ok(first.kind === "retry" && /interrupted outside the orchestrator/.test(first.note), JSON.stringify(first));
  assert.equal(policy.decide(interrupted, 3).kind, "give-up", "after maxAttempts it fails like any other failure");
});
