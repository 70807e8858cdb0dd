/**
 * Strings for people go through vscode.l10n (and @vscode/l10n in the view models that do not import
 * vscode); the English bundle is their source and must be what the code says, and package.json's
 * own strings (titles, descriptions, welcome texts) come from package.nls.json.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { getL10nJson } from "@vscode/l10n-dev";
import { REPO_ROOT } from "../support/isolation";

const read = (path: string) => readFileSync(join(REPO_ROOT, path), "utf8");
const manifest = JSON.parse(read("package.json")) as Record<string, unknown> & { l10n?: string; contributes: Record<string, unknown> };

test("l10n/bundle.l10n.json holds exactly the strings of the l10n.t calls of the extension and its webviews (npm run l10n writes it)", async () => {
  const files = ["src/extension", "webview"].flatMap((folder) => readdirSync(join(REPO_ROOT, folder), { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts")).map((f) => join(folder, f)));
  const extracted = await getL10nJson(files.map((f) => ({ contents: read(f), extension: ".ts" })));
  const bundle = JSON.parse(read("l10n/bundle.l10n.json")) as Record<string, string>;
  assert.ok(Object.keys(extracted).length >= 200, "the messages, buttons, titles, tree texts and the pages' words are all there");
  assert.ok("Sessions over time" in extracted && "Run Task…" in extracted, "the webviews' words too");
  assert.deepEqual(Object.keys(bundle).sort(), Object.keys(extracted).sort(), "run `npm run l10n` after changing a string");
  for (const [key, value] of Object.entries(bundle)) assert.equal(value, extracted[key], key);
  assert.equal(manifest.l10n, "./l10n", "VS Code finds the bundle");
});

/** Every string value under `value`, with its path ("contributes.commands.0.title"). */
function strings(value: unknown, path: string, out: Array<[string, string]> = []): Array<[string, string]> {
  if (typeof value === "string") out.push([path, value]);
  else if (Array.isArray(value)) value.forEach((v, i) => strings(v, `${path}.${i}`, out));
  else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) strings(v, `${path}.${k}`, out);
  return out;
}

const PEOPLE_READ = /\.(title|category|description|markdownDescription|enumDescriptions\.\d+|patternErrorMessage|name|contextualTitle|contents|fullName)$/;

test("package.json's strings for people come from package.nls.json, every key there is used, none is missing", () => {
  const nls = JSON.parse(read("package.nls.json")) as Record<string, string>;
  const all = strings({ displayName: manifest.displayName, description: manifest.description, capabilities: manifest.capabilities, contributes: manifest.contributes }, "");
  const forPeople = all.filter(([path]) => PEOPLE_READ.test(path) && !/\.chatParticipants\.\d+\.(commands\.\d+\.)?name$/.test(path));
  assert.ok(forPeople.length >= 80, `titles, settings, views and welcome texts are read: ${forPeople.length}`);
  for (const [path, value] of forPeople) assert.match(value, /^%[\w.-]+%$/, `${path} comes from package.nls.json`);
  const used = new Set(all.flatMap(([, value]) => [...value.matchAll(/^%([\w.-]+)%$/g)].map((m) => m[1] as string)));
  assert.deepEqual([...used].filter((key) => !(key in nls)), [], "every placeholder has its English text");
  assert.deepEqual(Object.keys(nls).filter((key) => !used.has(key)), [], "no text is left over");
});
