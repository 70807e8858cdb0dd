/**
 * The layers are enforced, not described: ESLint (eslint.config.mjs, eslint-plugin-boundaries)
 * fails on an import that runs back up a layer, on the editor reaching past the front door, and on
 * a source file that stands in no layer. Each case lints a line as if it were in that file.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { ESLint } from "eslint";
import { REPO_ROOT } from "../support/isolation";

const eslint = new ESLint({ cwd: REPO_ROOT });

async function problems(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(REPO_ROOT, file) });
  return (result?.messages ?? []).map((m) => m.ruleId ?? m.message);
}

test("an import that runs back up a layer fails lint", async () => {
  for (const [file, code] of [
    ["src/orchestrator/settings/settingsTable.ts", 'import { PlanApproval } from "../mission/planApproval";\nexport type X = PlanApproval;\n'],
    ["src/orchestrator/engine/engine.ts", 'import { Commander } from "../mission/commander";\nexport type X = Commander;\n'],
    ["src/orchestrator/process/launcher.ts", 'import { Engine } from "../engine/engine";\nexport type X = Engine;\n'],
    ["src/orchestrator/domain/state.ts", 'import { Logger } from "../common/logger";\nexport type X = Logger;\n'],
    ["src/shared/mission.ts", 'import { MissionState } from "../orchestrator/domain/state";\nexport type X = MissionState;\n'],
  ] as const) {
    assert.ok((await problems(file, code)).some((rule) => rule === "boundaries/dependencies" || rule === "no-restricted-imports"), `${file}: ${code.split("\n")[0]}`);
  }
});

test("the editor reaches the core only through the front door and the contract; the webviews only through the contract", async () => {
  assert.ok((await problems("src/extension/statusBar.ts", 'import { todoModel } from "../orchestrator/host/readModel";\nexport const x = todoModel;\n')).includes("boundaries/dependencies"));
  assert.ok((await problems("webview/main.ts", 'import { MissionState } from "../src/orchestrator/domain/state";\nexport type X = MissionState;\n')).includes("boundaries/dependencies"));
  assert.ok((await problems("webview/main.ts", 'import { MissionHost } from "../src/orchestrator/host/missionHost";\nexport type X = MissionHost;\n')).includes("boundaries/dependencies"));
  assert.ok((await problems("src/extension/statusBar.ts", 'import { MissionView } from "../orchestrator/host/missionView";\nexport type X = MissionView;\n')).includes("boundaries/dependencies"), "another file of host/ is not the front door");
});

test("a source file outside every layer fails lint", async () => {
  assert.ok((await problems("src/orchestrator/somewhereNew.ts", "export const x = 1;\n")).includes("boundaries/no-unknown-files"));
});

test("imports down the layers pass", async () => {
  for (const [file, code] of [
    ["src/orchestrator/mission/commander.ts", 'import { Engine } from "../engine/engine";\nexport type X = Engine;\n'],
    ["src/extension/statusBar.ts", 'import { MissionHost } from "../orchestrator/host/missionHost";\nimport { CheckView } from "../shared/check";\nexport type X = MissionHost | CheckView;\n'],
    ["src/orchestrator/domain/state.ts", 'import { CheckView } from "../../shared/check";\nexport type X = CheckView;\n'],
  ] as const) {
    assert.deepEqual((await problems(file, code)).filter((rule) => rule.startsWith("boundaries/") || rule === "no-restricted-imports"), [], `${file}: ${code.split("\n")[0]}`);
  }
});
