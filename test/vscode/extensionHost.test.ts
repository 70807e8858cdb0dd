/**
 * Runs the extension-host suite (test/vscode/suite, mocha, the real `vscode` API).
 * With a desktop VS Code (VSCODE_EXECUTABLE_PATH, or one cached in .vscode-test/) it uses
 * @vscode/test-electron. Desktop VS Code cannot be downloaded on these machines, so otherwise the
 * same suite runs inside code-server's extension host, started by a small harness extension.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import * as esbuild from "esbuild";
import { missionScenario, todo } from "../../src/orchestrator/scriptedModel/missionScenario";
import { text } from "../../src/orchestrator/scriptedModel/scenario";
import { startScriptedModel } from "../../src/orchestrator/scriptedModel/server";
import { openVsCode } from "../support/codeServer";
import { writeScriptedOpencodeJson } from "../support/engineHarness";
import { BUNDLED_OPENCODE, createSandbox, REPO_ROOT } from "../support/isolation";
import type { SuiteOutcome } from "./suite/index";

const OUT = join(REPO_ROOT, "out", "vscode-suite");

async function buildSuite(): Promise<string> {
  await esbuild.build({
    entryPoints: [join(__dirname, "suite", "index.ts"), join(__dirname, "suite", "extension.test.ts"), join(__dirname, "suite", "chat.test.ts")],
    outdir: OUT,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    external: ["vscode", "mocha"],
    logLevel: "warning",
  });
  return join(OUT, "index.js");
}

function desktopVsCode(): string | undefined {
  if (process.env.VSCODE_EXECUTABLE_PATH) return process.env.VSCODE_EXECUTABLE_PATH;
  const cache = join(REPO_ROOT, ".vscode-test");
  if (!existsSync(cache)) return undefined;
  const build = readdirSync(cache).find((d) => d.startsWith("vscode-"));
  return build ? join(cache, build, "code") : undefined;
}

test("extension-host suite", async (t) => {
  const entry = await buildSuite();
  const sandbox = createSandbox("orch-exthost-");
  const scenario = missionScenario({
    workspace: sandbox.workspace,
    plans: [{ todos: [todo("H1", [], ["hello.md"]), todo("H2", ["H1"], ["world.md"])] }],
    workerOverride: (_id, _attempt, ctx) => (ctx.prompt.includes("stall") ? { kind: "stall" } : undefined),
  });
  // Chat mode's questions (OpenCode's read-only explore agent: role "other" to the scripted model).
  scenario.roles.other = () => text("The Workers write the greeting into hello.md and world.md.");
  const model = await startScriptedModel(scenario);
  writeScriptedOpencodeJson(sandbox.workspace, model.baseURL);
  try {
    const desktop = desktopVsCode();
    if (desktop) {
      const { runTests } = await import("@vscode/test-electron");
      await runTests({ vscodeExecutablePath: desktop, extensionDevelopmentPath: REPO_ROOT, extensionTestsPath: entry, launchArgs: [sandbox.workspace, "--disable-workspace-trust", "--user-data-dir", join(sandbox.root, "desktop-user")], extensionTestsEnv: sandbox.env });
      return;
    }
    t.diagnostic("no desktop VS Code here (it cannot be downloaded offline): running the suite in code-server's extension host");
    const harness = join(sandbox.root, "harness");
    mkdirSync(harness);
    for (const file of ["package.json", "extension.js"]) writeFileSync(join(harness, file), readFileSync(join(__dirname, "harness", file)));
    const resultFile = join(sandbox.root, "suite-result.json");
    writeFileSync(join(harness, "suite-config.json"), JSON.stringify({ suiteEntry: entry, resultFile }));
    const vscode = await openVsCode({
      sandbox,
      artifacts: join(REPO_ROOT, "test-results", "vscode"),
      settings: { "orchestrator.opencode.path": BUNDLED_OPENCODE },
      extraExtensions: [{ dir: harness, id: "opencode-orchestrator-tests.orchestrator-suite-harness", version: "0.0.1" }],
    });
    let outcome: SuiteOutcome | undefined;
    try {
      for (let i = 0; i < 3000 && !existsSync(resultFile); i++) await new Promise((r) => setTimeout(r, 100));
      if (!existsSync(resultFile)) await vscode.screenshot("suite-timeout");
      assert.ok(existsSync(resultFile), "the suite reported within 5 minutes");
      outcome = JSON.parse(readFileSync(resultFile, "utf8")) as SuiteOutcome;
    } finally {
      const left = await vscode.close();
      assert.deepEqual(left, [], "no OpenCode process outlives VS Code");
    }
    for (const title of outcome.passed) await t.test(title, () => undefined);
    for (const failure of outcome.failed) {
      await t.test(failure.title, () => {
        throw new Error(failure.error);
      });
    }
    assert.ok(outcome.passed.length >= 6, `all suite tests ran (${outcome.passed.length} passed)`);
  } finally {
    await model.close();
    sandbox.remove();
  }
});
