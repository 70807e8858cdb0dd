// Bundles the extension (Node, CommonJS, `vscode` external; the ESM-only OpenCode SDK is bundled in)
// and the webviews (browser): the dashboard and the Ask panel. `--production` minifies and drops
// source maps; `--watch` rebuilds. Programs the extension runs as they are (the process guard) are
// copied beside the bundle, which reads them from its own folder.
import { copyFileSync, mkdirSync } from "node:fs";
import * as esbuild from "esbuild";

const production = process.argv.includes("--production");
const watch = process.argv.includes("--watch");

const common = { bundle: true, minify: production, sourcemap: production ? false : "linked", logLevel: "info", legalComments: "none" };

const builds = [
  { ...common, entryPoints: ["src/extension/extension.ts"], outfile: "dist/extension.js", platform: "node", format: "cjs", target: "node20", external: ["vscode"], mainFields: ["module", "main"], conditions: ["import"] },
  // The workspace guard, an OpenCode plugin: loaded by the servers we start (Bun, ES module).
  { ...common, entryPoints: ["src/orchestrator/engine/plugin/workspaceGuard.ts"], outfile: "dist/workspace-guard.mjs", platform: "node", format: "esm", target: "node20", external: ["bun:ffi"] },
  { ...common, entryPoints: ["webview/main.ts"], outfile: "dist/webview.js", platform: "browser", format: "iife", target: "es2022" },
  { ...common, entryPoints: ["webview/ask.ts"], outfile: "dist/ask.js", platform: "browser", format: "iife", target: "es2022" },
];

mkdirSync("dist", { recursive: true });
copyFileSync("src/orchestrator/engine/guard.pl", "dist/guard.pl");

if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
