// Test-only extension installed next to the real one in code-server: once the window is up it runs
// the extension-host suite (test/vscode/suite) with the real `vscode` API and writes the outcome to
// the file named in suite-config.json. Desktop VS Code runs the same suite via @vscode/test-electron.
const { readFileSync, writeFileSync } = require("node:fs");
const { join } = require("node:path");

exports.activate = function activate() {
  const config = JSON.parse(readFileSync(join(__dirname, "suite-config.json"), "utf8"));
  setTimeout(() => {
    require(config.suiteEntry)
      .run(config.resultFile)
      .catch((error) => {
        // run() has written the outcome unless it failed before mocha started; say so then.
        try {
          readFileSync(config.resultFile);
        } catch {
          writeFileSync(config.resultFile, JSON.stringify({ passed: [], failed: [{ title: "suite did not start", error: String(error && error.stack || error) }] }));
        }
      });
  }, 0);
};

exports.deactivate = function deactivate() {};
