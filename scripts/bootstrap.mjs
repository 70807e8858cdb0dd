// Makes `npm start` and `npm test` work on a fresh clone: installs the npm dependencies when they
// are missing or older than the lock file. Uses only Node's built-ins (it runs before they exist).
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

export const repo = resolve(import.meta.dirname, "..");

export function ensureNodeModules() {
  const marker = join(repo, "node_modules", ".package-lock.json");
  const lock = join(repo, "package-lock.json");
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  console.log("Installing npm dependencies (npm ci)…");
  const result = spawnSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: repo, stdio: "inherit" });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

export function ensureSystemPackages() {
  const result = spawnSync("bash", [join(repo, "scripts", "install-system-deps.sh")], { stdio: "inherit" });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
