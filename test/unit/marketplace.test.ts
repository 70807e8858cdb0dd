/** The packaged extension's face: its README's pictures, its icon and its changelog travel in the VSIX. */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { REPO_ROOT } from "../support/isolation";

test("every picture and link of the marketplace README resolves inside the packaged extension; the icon and the changelog are packaged", () => {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { icon?: string; scripts: Record<string, string> };
  const readmePath = /--readme-path (\S+)/.exec(pkg.scripts.package ?? "")?.[1];
  assert.equal(readmePath, "marketplace/README.md", "the marketplace gets its own README, not the developers'");
  const packaged = new Set(execFileSync(join(REPO_ROOT, "node_modules", ".bin", "vsce"), ["ls", "--no-dependencies", "--readme-path", readmePath], { cwd: REPO_ROOT, encoding: "utf8" }).split("\n").filter(Boolean));
  const readme = readFileSync(join(REPO_ROOT, readmePath), "utf8");
  const relative = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1] as string).filter((href) => !/^[a-z]+:/i.test(href) && !href.startsWith("#"));
  assert.ok(relative.length >= 3, "it shows the product");
  for (const href of relative) assert.ok(packaged.has(href), `${href} is packaged (relative links resolve against the installed extension)`);
  assert.ok(pkg.icon && packaged.has(pkg.icon), "the icon is packaged");
  const icon = readFileSync(join(REPO_ROOT, pkg.icon));
  assert.equal(icon.subarray(1, 4).toString(), "PNG");
  assert.deepEqual([icon.readUInt32BE(16), icon.readUInt32BE(20)], [128, 128], "a 128×128 PNG, as the marketplace wants");
  assert.ok(packaged.has("CHANGELOG.md"));
});
