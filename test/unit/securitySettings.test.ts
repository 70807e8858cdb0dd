/** Settings come from files anyone may have written: every one is checked, none crashes a command. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { readHostSettings, type SettingLayers } from "../../src/orchestrator/host/hostSettings";
import { DEFAULT_LIMITS } from "../../src/orchestrator/mission/limits";
import { STRING_SETTINGS } from "../../src/orchestrator/settings/settingsTable";

test("non-string paths and URLs fall back to their defaults with a message naming the setting", () => {
  const values: Record<string, unknown> = { "opencode.path": 42, "opencode.serverUrl": { host: "127.0.0.1" }, model: ["a/b"], "models.worker": true, demoMode: 7 };
  const { settings, problems } = readHostSettings((key) => ({ user: values[key] }));
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
  const { settings, problems } = readHostSettings((key) => ({ user: key === "opencode.serverUrl" ? "localhost:4096" : undefined }));
  assert.equal(settings.serverUrl, "");
  assert.match(problems.join("\n"), /orchestrator\.opencode\.serverUrl "localhost:4096" is not an http:\/\/ address/);
  assert.equal(readHostSettings((key) => ({ user: key === "opencode.serverUrl" ? " http://127.0.0.1:4096 " : undefined })).settings.serverUrl, "http://127.0.0.1:4096");
});

test("valid settings pass untouched; unset ones take the table's defaults; numbers keep their checks", () => {
  const values: Record<string, unknown> = { "opencode.path": " /opt/opencode ", model: "p/m", "models.reviewer": "q/r", demoMode: "never", maxIterations: "5" };
  const { settings, problems } = readHostSettings((key) => ({ user: values[key] }));
  assert.equal(settings.opencodePath, "/opt/opencode");
  assert.deepEqual(settings.model, { providerID: "p", modelID: "m" });
  assert.deepEqual(settings.models, { reviewer: { providerID: "q", modelID: "r" } });
  assert.equal(settings.demoMode, "never");
  assert.equal(settings.limits.maxIterations, DEFAULT_LIMITS.maxIterations);
  assert.deepEqual(problems, ['orchestrator.maxIterations "5" is not a whole number in 1–200; using 20.']);
});

test("a workspace cannot set what runs: checkCommand, opencode.path, serverUrl and sandbox come from the user's settings only", () => {
  for (const key of ["checkCommand", "opencode.path", "opencode.serverUrl", "sandbox"] as const) assert.equal(STRING_SETTINGS[key].scope, "machine", `${key} is machine-scoped`);
  // What a cloned repository's .vscode/settings.json says, should VS Code hand it over.
  const layers: Record<string, SettingLayers> = {
    checkCommand: { workspace: "rm -rf ~" },
    "opencode.path": { user: "/opt/opencode", workspace: "./evil" },
    "opencode.serverUrl": { workspace: "http://127.0.0.1:9" },
    sandbox: { user: "bubblewrap", workspace: "off" },
    maxIterations: { user: 30, workspace: 5 },
  };
  const { settings, problems } = readHostSettings((key) => layers[key] ?? {});
  assert.equal(settings.checkCommand, "", "the workspace's command is not the project's check");
  assert.equal(settings.opencodePath, "/opt/opencode");
  assert.equal(settings.serverUrl, "");
  assert.equal(settings.sandbox, "bubblewrap");
  assert.equal(settings.limits.maxIterations, 5, "a workspace still tunes what runs nothing");
  for (const key of ["checkCommand", "opencode.path", "opencode.serverUrl", "sandbox"]) {
    assert.ok(problems.some((p) => p.startsWith(`orchestrator.${key} in this workspace's settings is ignored`)), `the user is told about ${key}: ${problems.join(" | ")}`);
  }
  assert.equal(readHostSettings((key) => (key === "checkCommand" ? { user: "npm test", workspace: "rm -rf ~" } : {})).settings.checkCommand, "npm test", "the user's own check stands");
});
