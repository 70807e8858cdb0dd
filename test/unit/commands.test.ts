/** The command ids are named once (src/shared/commands.ts): package.json, its menus and the trust table are held to that list. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ALLOWED_UNTRUSTED, TRUST, TRUSTED_ONLY } from "../../src/extension/trust";
import { COMMAND_IDS, COMMANDS, CONTEXT_KEYS, PLAN_APPROVAL_COMMANDS, VIEWS } from "../../src/shared/commands";
import { REPO_ROOT } from "../support/isolation";

interface Manifest {
  contributes: {
    commands: Array<{ command: string }>;
    menus: Record<string, Array<{ command: string; when?: string }>>;
    views: Record<string, Array<{ id: string }>>;
    viewsWelcome: Array<{ view: string; contents: string }>;
  };
}
const manifest = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as Manifest;

test("package.json contributes exactly the commands of src/shared/commands.ts, each once", () => {
  const contributed = manifest.contributes.commands.map((c) => c.command);
  assert.ok(COMMAND_IDS.length >= 25, "the list is the product's");
  assert.equal(new Set(contributed).size, contributed.length, "no command contributed twice");
  assert.deepEqual([...contributed].sort(), [...COMMAND_IDS].sort());
  for (const [name, id] of Object.entries(COMMANDS)) assert.equal(id, `orchestrator.${name}`, "a command's id is its name");
});

test("every menu entry and every link of the views' welcome names a command of the list; the views and context keys are the contributed ones", () => {
  const entries = Object.values(manifest.contributes.menus).flat();
  assert.ok(entries.length >= 40, "the menus are read");
  for (const entry of entries) assert.ok((COMMAND_IDS as readonly string[]).includes(entry.command), `${entry.command} in the menus is a command of src/shared/commands.ts`);
  // The welcome texts are package.nls.json's (package.json names them by key).
  const nls = JSON.parse(readFileSync(join(REPO_ROOT, "package.nls.json"), "utf8")) as Record<string, string>;
  const text = (value: string) => nls[/^%([\w.-]+)%$/.exec(value)?.[1] ?? ""] ?? value;
  const links = manifest.contributes.viewsWelcome.flatMap((w) => [...text(w.contents).matchAll(/\(command:([^)\s]+)\)/g)].map((m) => m[1] as string));
  assert.ok(links.length >= 2);
  for (const link of links) assert.ok((COMMAND_IDS as readonly string[]).includes(link), link);
  assert.deepEqual(manifest.contributes.views.orchestrator?.map((v) => v.id), Object.values(VIEWS));
  const whens = entries.map((e) => e.when ?? "").join(" ");
  for (const key of Object.values(CONTEXT_KEYS)) assert.ok(whens.includes(key), `${key} is read by a when clause`);
  assert.deepEqual(Object.values(PLAN_APPROVAL_COMMANDS), [COMMANDS.approvePlan, COMMANDS.replanPlan, COMMANDS.cancelPlan]);
});

test("the trust table classifies every command of the list exactly once", () => {
  assert.deepEqual(Object.keys(TRUST).sort(), Object.keys(COMMANDS).sort());
  assert.deepEqual([...TRUSTED_ONLY, ...ALLOWED_UNTRUSTED].sort(), [...COMMAND_IDS].sort());
  assert.equal(TRUSTED_ONLY.filter((id) => ALLOWED_UNTRUSTED.includes(id)).length, 0);
});
