/**
 * The one contract between the core and the editor: the webviews' bundles hold no file of the core
 * (only src/shared and their own), and the extension imports of the core only its front door
 * (src/orchestrator/host/missionHost.ts, which re-exports what the editor builds the host from) and the contract. Read from what esbuild really bundles.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { test } from "node:test";
import * as esbuild from "esbuild";
import ts from "typescript";
import { REPO_ROOT } from "../support/isolation";

async function inputsOf(entry: string, platform: "browser" | "node"): Promise<esbuild.Metafile["inputs"]> {
  const result = await esbuild.build({ entryPoints: [join(REPO_ROOT, entry)], bundle: true, write: false, metafile: true, platform, format: platform === "node" ? "cjs" : "iife", external: ["vscode"], absWorkingDir: REPO_ROOT, logLevel: "silent" });
  return result.metafile.inputs;
}

const ours = (path: string) => !path.startsWith("node_modules/");

test("the dashboard and the Ask panel bundle no file of the core: only the contract and their own", async () => {
  for (const entry of ["webview/main.ts", "webview/ask.ts"]) {
    const files = Object.keys(await inputsOf(entry, "browser")).filter(ours);
    assert.ok(files.includes("src/shared/mission.ts") || entry.endsWith("ask.ts"), `${entry} renders the read model of the contract`);
    assert.deepEqual(files.filter((f) => !f.startsWith("webview/") && !f.startsWith("src/shared/")), [], `${entry} bundles only webview/ and src/shared/`);
  }
});

test("src/shared imports nothing but itself and zod", async () => {
  const inputs = await inputsOf("src/extension/extension.ts", "node");
  const shared = Object.entries(inputs).filter(([file]) => file.startsWith("src/shared/"));
  assert.ok(shared.length >= 10, "the contract is split by concern");
  for (const [file, { imports }] of shared) {
    for (const { path } of imports) assert.ok(path.startsWith("src/shared/") || path.startsWith("node_modules/zod/"), `${file} imports ${path}`);
  }
});

/** Every import of every file under `folder`, types included (esbuild's metafile leaves type-only imports out), resolved to repository paths. */
function importsUnder(folder: string): Array<{ file: string; path: string }> {
  const found: Array<{ file: string; path: string }> = [];
  for (const name of readdirSync(join(REPO_ROOT, folder), { recursive: true, encoding: "utf8" })) {
    if (!name.endsWith(".ts")) continue;
    const file = join(folder, name);
    for (const { fileName } of ts.preProcessFile(readFileSync(join(REPO_ROOT, file), "utf8"), true, true).importedFiles) {
      if (!fileName.startsWith(".")) continue;
      const path = relative(REPO_ROOT, resolve(REPO_ROOT, dirname(file), fileName));
      found.push({ file, path: path.endsWith(".ts") ? path : `${path}.ts` });
    }
  }
  return found;
}

test("the extension and the webviews import of the core only its front door, types included", () => {
  const imports = [...importsUnder("src/extension"), ...importsUnder("webview")];
  assert.ok(imports.length >= 80, "every file is read");
  const outside = imports.filter(({ path }) => !path.startsWith("src/extension/") && !path.startsWith("webview/") && !path.startsWith("src/shared/") && path !== "src/orchestrator/host/missionHost.ts");
  assert.deepEqual(outside.map(({ file, path }) => `${file} → ${path}`), []);
  assert.ok(imports.some(({ file, path }) => file === "src/extension/extension.ts" && path === "src/orchestrator/host/missionHost.ts"));
  assert.ok(!imports.some(({ file, path }) => file.startsWith("webview/") && path.startsWith("src/orchestrator/")), "no webview reaches even the front door");
});
