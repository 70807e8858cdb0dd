// Bundles the extension (Node, CommonJS, `vscode` external; the ESM-only OpenCode clients of both
// majors are bundled in),
// the workspace guard (an OpenCode plugin the servers we start load), the process launcher's program
// (a Node process of its own, started from the bundle's folder) and the webviews (browser): the
// dashboard and the Ask panel. `--production` minifies and drops source maps; `--watch` rebuilds.
// What the extension reads as it is goes beside the bundle: the process guards (a Perl program, and a
// shell one where Perl cannot run), the agents' sandboxed shell and the command gate's shell parser (WebAssembly; agents/shellSyntax.ts reads it from there).
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
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
  // The workspace guard, an OpenCode plugin loaded by the servers we start (Bun, ES module): a package
  // (a folder with its package.json), the only plugin form OpenCode 2 loads; OpenCode 1 loads it too.
  { ...common, entryPoints: ["src/orchestrator/engine/plugin/workspaceGuard.ts"], outfile: "dist/workspace-guard/index.mjs", platform: "node", format: "esm", target: "node20", external: ["bun:ffi"] },
  // The launcher's program (process/launcher.ts starts it with the host's Node, from beside the bundle).
  { ...common, entryPoints: ["src/orchestrator/process/launcherProgram.mjs"], outfile: "dist/launcherProgram.mjs", platform: "node", format: "esm", target: "node20", sourcemap: false },
  { ...common, entryPoints: ["webview/main.ts"], outfile: "dist/webview.js", platform: "browser", format: "iife", target: "es2022" },
  { ...common, entryPoints: ["webview/ask.ts"], outfile: "dist/ask.js", platform: "browser", format: "iife", target: "es2022" },
];

mkdirSync("dist/workspace-guard", { recursive: true });
writeFileSync("dist/workspace-guard/package.json", `${JSON.stringify({ name: "opencode-orchestrator-workspace-guard", private: true, type: "module", exports: { ".": "./index.mjs" } }, null, 2)}\n`);
for (const program of ["guard.pl", "guard.sh", "agentShell.sh"]) copyFileSync(`src/orchestrator/process/${program}`, `dist/${program}`);
for (const wasm of ["web-tree-sitter/web-tree-sitter.wasm", "tree-sitter-bash/tree-sitter-bash.wasm"]) copyFileSync(require.resolve(wasm), `dist/${wasm.split("/")[1]}`);

if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
