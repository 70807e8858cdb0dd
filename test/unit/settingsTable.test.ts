import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { DEFAULT_LIMITS, limitsFromSettings } from "../../src/orchestrator/mission/limits";
import { checkChoice, checkNumber, NUMBER_DEFAULTS, NUMBER_KEYS, NUMBER_SETTINGS, SETTINGS, type Setting } from "../../src/orchestrator/settings/settingsTable";

type Contributed = Record<string, unknown>;

// Read from disk, not imported, so the test sees the manifest VS Code will see.
const manifest = JSON.parse(readFileSync(join(__dirname, "..", "..", "package.json"), "utf8")) as { contributes: { configuration: { properties: Record<string, Contributed> } } };
const contributed = manifest.contributes.configuration.properties;

/** The parts of a setting's schema the code relies on (the scope too: a machine setting is never read from a workspace); absent ones are left out, so presence counts too. */
function schemaOf(s: Contributed | Setting): Contributed {
  const fields: Contributed = {};
  for (const field of ["type", "default", "minimum", "maximum", "enum", "scope"]) {
    const value = (s as Contributed)[field];
    if (value !== undefined) fields[field] = Array.isArray(value) ? [...(value as unknown[])] : value;
  }
  return fields;
}

/** A limit by its path in CommanderLimits ("budget.maxTokens"). */
function limitAt(limits: object, path: string): unknown {
  return path.split(".").reduce<unknown>((at, part) => (at as Record<string, unknown> | undefined)?.[part], limits);
}

test("every setting in the table is contributed with the same type, default, bounds and enum", () => {
  for (const [key, setting] of Object.entries(SETTINGS)) {
    const name = `orchestrator.${key}`;
    const property = contributed[name];
    assert.ok(property, `${name} is in src/orchestrator/settingsTable.ts but not in package.json's contributes.configuration`);
    assert.deepEqual(schemaOf(property), schemaOf(setting), `${name}: package.json (actual) and settingsTable.ts (expected) disagree`);
  }
});

test("every contributed orchestrator.* setting is in the table", () => {
  const table = new Set(Object.keys(SETTINGS).map((key) => `orchestrator.${key}`));
  const missing = Object.keys(contributed).filter((name) => name.startsWith("orchestrator.") && !table.has(name));
  assert.deepEqual(missing, [], `contributed in package.json but not in src/orchestrator/settingsTable.ts: ${missing.join(", ")}`);
});

test("each default is within its own bounds", () => {
  for (const key of NUMBER_KEYS) assert.equal(checkNumber(key, NUMBER_SETTINGS[key].default).problem, undefined, key);
  assert.equal(checkChoice("demoMode", SETTINGS.demoMode.default).problem, undefined);
});

test("each number setting feeds exactly the Commander limit it names, in the limit's units", () => {
  const base = limitsFromSettings(NUMBER_DEFAULTS);
  for (const key of NUMBER_KEYS) {
    const s = NUMBER_SETTINGS[key];
    const value = s.default + 1;
    const limits = limitsFromSettings({ ...NUMBER_DEFAULTS, [key]: value });
    assert.equal(limitAt(limits, s.feeds), value * (s.scale ?? 1), `${key} → ${s.feeds}`);
    for (const other of NUMBER_KEYS.filter((k) => k !== key)) {
      const feeds = NUMBER_SETTINGS[other].feeds;
      assert.equal(limitAt(limits, feeds), limitAt(base, feeds), `${key} also moved ${feeds}`);
    }
  }
});

test("the Commander's defaults are the settings' defaults", () => {
  for (const key of NUMBER_KEYS) {
    const s = NUMBER_SETTINGS[key];
    // An absent budget is the setting's 0, "no limit".
    assert.equal(limitAt(DEFAULT_LIMITS, s.feeds) ?? 0, s.default * (s.scale ?? 1), `DEFAULT_LIMITS.${s.feeds} vs orchestrator.${key}`);
  }
  assert.equal(DEFAULT_LIMITS.livenessMs, 300_000);
  assert.equal(DEFAULT_LIMITS.budget, undefined);
});

test("a value out of bounds, not whole, or not a number falls back to the default and says so", () => {
  assert.deepEqual(checkNumber("maxParallelSessions", 12), { value: 12 });
  assert.deepEqual(checkNumber("maxParallelSessions", 0), { value: 10, problem: "orchestrator.maxParallelSessions 0 is not a whole number in 1–50; using 10." });
  assert.equal(checkNumber("maxIterations", 2.5).value, 20);
  assert.equal(checkNumber("maxIterations", "30").problem, 'orchestrator.maxIterations "30" is not a whole number in 1–200; using 20.');
  assert.deepEqual(checkNumber("turnLivenessSeconds", 12.5), { value: 12.5 });
  assert.equal(checkNumber("sessionTtlMinutes", Number.NaN).problem, "orchestrator.sessionTtlMinutes null is not a number in 1–1440; using 60.");
  assert.equal(checkNumber("budget.maxTokens", -1).problem, `orchestrator.budget.maxTokens -1 is not a whole number in 0–${Number.MAX_SAFE_INTEGER}; using 0.`);
});

test("a choice not on a setting's list falls back to its default and says so", () => {
  assert.deepEqual(checkChoice("demoMode", "never"), { value: "never" });
  assert.deepEqual(checkChoice("demoMode", "sometimes"), { value: "auto", problem: 'orchestrator.demoMode "sometimes" is not auto, always or never; using auto.' });
  assert.deepEqual(checkChoice("approvePlan", "always"), { value: "always" });
  assert.deepEqual(checkChoice("approvePlan", true), { value: "aboveCost", problem: 'orchestrator.approvePlan "true" is not always, aboveCost or never; using aboveCost.' });
  assert.equal(checkChoice("pickModel", "sometimes").value, "ask");
});

test("settings with a Commander limit give it in the Commander's units; a budget of 0 is none", () => {
  const limits = limitsFromSettings({ ...NUMBER_DEFAULTS, turnLivenessSeconds: 30, sessionTtlMinutes: 2, "budget.maxCostUsd": 5 });
  assert.equal(limits.livenessMs, 30_000);
  assert.equal(limits.sessionTtlMs, 120_000);
  assert.deepEqual(limits.budget, { maxTokens: undefined, maxCostUsd: 5 });
});
