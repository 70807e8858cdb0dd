import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { REPO_ROOT } from "../support/isolation";

for (const cli of ["opencode-ai", "@opencode/cli"]) {
  test(`package-lock.json has an entry for every platform package of ${cli} (npm ci needs it)`, () => {
    const lock = JSON.parse(readFileSync(join(REPO_ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, { optionalDependencies?: Record<string, string> }> };
    const optional = Object.keys(lock.packages[`node_modules/${cli}`]?.optionalDependencies ?? {});
    assert.ok(optional.length > 0, `${cli} is in the lock with its platform packages`);
    const missing = optional.filter((name) => !lock.packages[`node_modules/${name}`]);
    assert.deepEqual(missing, [], "run `node scripts/lock-platform-stubs.mjs`");
  });
}
