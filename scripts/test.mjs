// `npm test`: type check, lint, unit, E2E (real OpenCode + scripted model), the extension-host suite
// and the UI tests (real VS Code in code-server, headless Chromium, the packaged VSIX).
// `npm test -- unit e2e` runs only the named groups.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { ensureNodeModules, ensureSystemPackages, repo } from "./bootstrap.mjs";

const GROUPS = ["unit", "e2e", "vscode", "ui"];
const asked = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const groups = asked.length ? asked : GROUPS;
for (const g of groups) if (!GROUPS.includes(g)) throw new Error(`unknown test group "${g}"; use ${GROUPS.join(", ")}`);

process.chdir(repo);
ensureNodeModules();
if (groups.includes("ui") || groups.includes("vscode") || groups.includes("e2e")) ensureSystemPackages();

function run(command, args, env = {}) {
  console.log(`\n$ ${command} ${args.join(" ")}`);
  const result = spawnSync(command, args, { stdio: "inherit", env: { ...process.env, ...env } });
  if (result.status !== 0) {
    console.error(`\n${command} ${args[0] ?? ""} failed (exit ${result.status ?? result.signal})`);
    process.exit(result.status ?? 1);
  }
}

const files = (dir) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".test.ts")).sort().map((f) => join(dir, f)) : []);

if (!asked.length) {
  run("npx", ["tsc", "--noEmit", "-p", "."]);
  run("npx", ["eslint", "."]);
}
if (groups.includes("ui") || groups.includes("vscode")) run("npm", ["run", "package"]);

const testFiles = groups.flatMap((g) => files(join("test", g)));
// One runner, one summary: CI reads its closing lines. One file at a time: every E2E and UI file
// starts real servers, and these machines have two cores.
run(process.execPath, ["--import", "tsx", "--test", "--test-concurrency=1", ...testFiles]);
