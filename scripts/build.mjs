// Bundles the extension (Node, CommonJS, `vscode` external; the ESM-only OpenCode SDK is bundled in)
// and the webviews (browser): the dashboard and the Ask panel. `--production` minifies and drops
// source maps; `--watch` rebuilds. The command gate's shell parser is WebAssembly: its two .wasm
// files go beside the bundle (agents/shellSyntax.ts reads them from there).
import { copyFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import * as esbuild from "esbuild";

const require = createRequire(import.meta.url);

const production = process.argv.includes("--production");
const watch = process.argv.includes("--watch");

const common = { bundle: true, minify: production, sourcemap: production ? false : "linked", logLevel: "info", legalComments: "none" };

const builds = [
  {
    ...common,
    entryPoints: ["src/extension/extension.ts"],
    outfile: "dist/extension.js",
    platform: "node",
    format: "cjs",
    target: "node20",
    external: ["vscode"],
    mainFields: ["module", "main"],
    conditions: ["import"],
    // Its CommonJS build: the ES module one finds itself through import.meta, which a CommonJS bundle has not.
    alias: { "web-tree-sitter": require.resolve("web-tree-sitter") },
  },
  { ...common, entryPoints: ["webview/main.ts"], outfile: "dist/webview.js", platform: "browser", format: "iife", target: "es2022" },
  { ...common, entryPoints: ["webview/ask.ts"], outfile: "dist/ask.js", platform: "browser", format: "iife", target: "es2022" },
];

mkdirSync("dist", { recursive: true });
for (const wasm of ["web-tree-sitter/web-tree-sitter.wasm", "tree-sitter-bash/tree-sitter-bash.wasm"]) copyFileSync(require.resolve(wasm), `dist/${wasm.split("/")[1]}`);

if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
