/**
 * Entry of the extension-host suite, in the shape @vscode/test-electron expects (`run()`), and
 * also called by the harness extension inside code-server. Mocha comes from the repo's node_modules.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import Mocha from "mocha";

export interface SuiteOutcome {
  passed: string[];
  failed: Array<{ title: string; error: string }>;
}

export function run(resultFile?: string): Promise<void> {
  const mocha = new Mocha({ ui: "tdd", color: false, timeout: 120_000 });
  mocha.addFile(join(__dirname, "extension.test.js"));
  mocha.addFile(join(__dirname, "chat.test.js"));
  const outcome: SuiteOutcome = { passed: [], failed: [] };
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      if (resultFile) writeFileSync(resultFile, JSON.stringify(outcome, null, 2));
      if (failures > 0) reject(new Error(`${failures} extension-host test(s) failed`));
      else resolve();
    });
    runner.on("pass", (test) => outcome.passed.push(test.fullTitle()));
    runner.on("fail", (test, error: Error) => outcome.failed.push({ title: test.fullTitle(), error: error.stack ?? error.message }));
  });
}
