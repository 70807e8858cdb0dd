/** Settings come from files anyone may have written: every one is checked, none crashes a command. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { readHostSettings } from "../../src/orchestrator/host/hostSettings";
import { DEFAULT_LIMITS } from "../../src/orchestrator/mission/limits";

test("non-string paths and URLs fall back to their defaults with a message naming the setting", () => {
  const values: Record<string, unknown> = { "opencode.path": 42, "opencode.serverUrl": { host: "127.0.0.1" }, model: ["a/b"], "models.worker": true, demoMode: 7 };
  const { settings, problems } = readHostSettings((key) => values[key]);
  assert.equal(settings.opencodePath, "");
  assert.equal(settings.serverUrl, "");
  assert.equal(settings.model, undefined);
  assert.deepEqual(settings.models, {});
  assert.equal(settings.demoMode, "auto");
  for (const key of ["opencode.path", "opencode.serverUrl", "model", "models.worker", "demoMode"]) {
    assert.ok(problems.some((p) => p.startsWith(`orchestrator.${key} `)), `a problem names orchestrator.${key}: ${problems.join(" | ")}`);
  }
  assert.match(problems.find((p) => p.startsWith("orchestrator.opencode.path")) ?? "", /42 is not text/);
});

test("a serverUrl that is not an http address is named, and the orchestrator starts its own server", () => {
  const { settings, problems } = readHostSettings((key) => (key === "opencode.serverUrl" ? "localhost:4096" : undefined));
  assert.equal(settings.serverUrl, "");
  assert.match(problems.join("\n"), /orchestrator\.opencode\.serverUrl "localhost:4096" is not an http:\/\/ address/);
  assert.equal(readHostSettings((key) => (key === "opencode.serverUrl" ? " http://127.0.0.1:4096 " : undefined)).settings.serverUrl, "http://127.0.0.1:4096");
});

test("valid settings pass untouched; unset ones take the table's defaults; numbers keep their checks", () => {
  const values: Record<string, unknown> = { "opencode.path": " /opt/opencode ", model: "p/m", "models.reviewer": "q/r", demoMode: "never", maxIterations: "5" };
  const { settings, problems } = readHostSettings((key) => values[key]);
  assert.equal(settings.opencodePath, "/opt/opencode");
  assert.deepEqual(settings.model, { providerID: "p", modelID: "m" });
  assert.deepEqual(settings.models, { reviewer: { providerID: "q", modelID: "r" } });
  assert.equal(settings.demoMode, "never");
  assert.equal(settings.limits.maxIterations, DEFAULT_LIMITS.maxIterations);
  assert.deepEqual(problems, ['orchestrator.maxIterations "5" is not a whole number in 1–200; using 20.']);
});
