// The npm registry these machines reach holds only OpenCode's Linux x64 binary packages, so npm
// leaves the other platforms' optional dependencies of opencode-ai out of package-lock.json, and
// `npm ci` then refuses the lock as out of sync. This adds an entry per missing platform package
// (optional, with its os/cpu, so no machine ever downloads one it cannot use). Run it after any
// `npm install` that rewrites the lock; test/unit/lockfile.test.ts fails when it is needed.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { repo } from "./bootstrap.mjs";

const PLATFORM = /^opencode-(darwin|linux|windows)-(arm64|x64)/;
const file = join(repo, "package-lock.json");
const lock = JSON.parse(readFileSync(file, "utf8"));
const cli = lock.packages["node_modules/opencode-ai"];
let added = 0;
for (const name of Object.keys(cli.optionalDependencies ?? {})) {
  const key = `node_modules/${name}`;
  if (lock.packages[key]) continue;
  const [, os, cpu] = PLATFORM.exec(name) ?? [];
  if (!os) throw new Error(`unexpected optional dependency ${name}`);
  lock.packages[key] = { version: cli.version, dev: true, optional: true, os: [os === "windows" ? "win32" : os], cpu: [cpu] };
  added++;
}
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(added ? `added ${added} platform entries to package-lock.json` : "package-lock.json already complete");
