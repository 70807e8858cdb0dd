import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { REPO_ROOT } from "../support/isolation";

test("package-lock.json has an entry for every platform package of opencode-ai (npm ci needs it)", () => {
  const lock = JSON.parse(readFileSync(join(REPO_ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, { optionalDependencies?: Record<string, string> }> };
  const missing = Object.keys(lock.packages["node_modules/opencode-ai"]?.optionalDependencies ?? {}).filter((name) => !lock.packages[`node_modules/${name}`]);
  assert.deepEqual(missing, [], "run `node scripts/lock-platform-stubs.mjs`");
});
