// The npm registry these machines reach holds only OpenCode's Linux x64 binary packages, so npm
// leaves the other platforms' optional dependencies of opencode-ai (OpenCode 1) and @opencode/cli
// (OpenCode 2) out of package-lock.json, and `npm ci` then refuses the lock as out of sync. This adds
// an entry per missing platform package (optional, with its os/cpu, so no machine ever downloads one
// it cannot use). Run it after any `npm install` that rewrites the lock; test/unit/lockfile.test.ts
// fails when it is needed.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { repo } from "./bootstrap.mjs";

/** Each OpenCode package and how its platform packages are named (`<prefix><os>-<cpu>[-baseline][-musl]`). */
const CLIS = [
  { name: "opencode-ai", platform: /^opencode-(darwin|linux|windows)-(arm64|x64)/ },
  { name: "@opencode/cli", platform: /^@opencode\/cli-(darwin|linux|windows)-(arm64|x64)/ },
];

const file = join(repo, "package-lock.json");
const lock = JSON.parse(readFileSync(file, "utf8"));
let added = 0;
for (const { name, platform } of CLIS) {
  const cli = lock.packages[`node_modules/${name}`];
  if (!cli) throw new Error(`${name} is not in package-lock.json: install it first`);
  for (const dependency of Object.keys(cli.optionalDependencies ?? {})) {
    const key = `node_modules/${dependency}`;
    if (lock.packages[key]) continue;
    const [, os, cpu] = platform.exec(dependency) ?? [];
    if (!os) throw new Error(`unexpected optional dependency ${dependency} of ${name}`);
    lock.packages[key] = { version: cli.version, dev: true, optional: true, os: [os === "windows" ? "win32" : os], cpu: [cpu] };
    added++;
  }
}
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(added ? `added ${added} platform entries to package-lock.json` : "package-lock.json already complete");
