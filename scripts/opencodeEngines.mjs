// The two OpenCode lines this project builds and tests against, each a pinned dev dependency with a
// binary of its own: OpenCode 1 (`opencode-ai`) and OpenCode 2 (`@opencode/cli`). Both packages name
// their binary `opencode`, so node_modules/.bin/opencode is whichever npm linked last: everything
// here names the package's own binary instead. Uses only Node's built-ins (.ci/run checks the
// binaries with it before the tests).
//
//   node scripts/opencodeEngines.mjs          checks both binaries' --version against package.json
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repo = resolve(import.meta.dirname, "..");

/** Engine name → its npm package and how we speak of it. */
export const ENGINES = {
  v1: { package: "opencode-ai", label: "OpenCode 1" },
  v2: { package: "@opencode/cli", label: "OpenCode 2" },
};

export const ENGINE_NAMES = Object.keys(ENGINES);

/** `value` as an engine name, or a clear error naming the ones there are. */
export function engineName(value, from = "OPENCODE_ENGINE") {
  if (Object.hasOwn(ENGINES, value)) return value;
  throw new Error(`${from}=${JSON.stringify(value)} is not an OpenCode engine; use ${ENGINE_NAMES.join(" or ")}`);
}

const packageDir = (engine) => join(repo, "node_modules", ...ENGINES[engine].package.split("/"));

/** The engine's binary, as its own package declares it (installed or not). */
export function engineBinary(engine) {
  const manifest = join(packageDir(engine), "package.json");
  const bin = existsSync(manifest) ? JSON.parse(readFileSync(manifest, "utf8")).bin?.opencode : undefined;
  return join(packageDir(engine), bin ?? "bin/opencode.exe");
}

/** The version package.json pins for the engine (exact: CI checks the binary against it). */
export function pinnedVersion(engine) {
  const manifest = JSON.parse(readFileSync(join(repo, "package.json"), "utf8"));
  const pinned = manifest.devDependencies?.[ENGINES[engine].package];
  if (!pinned) throw new Error(`package.json has no devDependency ${ENGINES[engine].package}`);
  return pinned;
}

/**
 * Runs the engine's binary with --version and compares it with the pin; returns the version or
 * throws with what was found and what to do. (v1 prints "1.18.33", v2 "opencode v2.1.2".)
 */
export function checkEngineBinary(engine) {
  const binary = engineBinary(engine);
  const pinned = pinnedVersion(engine);
  const fix = "run `npm ci` (its postinstall links the platform binary into place)";
  if (!existsSync(binary)) throw new Error(`${ENGINES[engine].label}: ${binary} is missing; ${fix}.`);
  const run = spawnSync(binary, ["--version"], { encoding: "utf8", timeout: 60_000, env: { ...process.env, BUN_BE_BUN: "" } });
  const output = `${run.stdout ?? ""}${run.stderr ?? ""}`.trim();
  const found = /(\d+\.\d+\.\d+)/.exec(run.status === 0 ? output : "")?.[1];
  if (!found) throw new Error(`${ENGINES[engine].label}: \`${binary} --version\` did not print a version (exit ${run.status ?? run.signal}): ${output.slice(0, 300) || run.error?.message}; ${fix}.`);
  if (found !== pinned) throw new Error(`${ENGINES[engine].label}: ${binary} is ${found}, but package.json pins ${ENGINES[engine].package} ${pinned}; ${fix}.`);
  return found;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  let failed = false;
  for (const engine of ENGINE_NAMES) {
    try {
      console.log(`${ENGINES[engine].label} (${engine}): ${ENGINES[engine].package} ${checkEngineBinary(engine)} at ${engineBinary(engine)}`);
    } catch (error) {
      console.error(error.message);
      failed = true;
    }
  }
  process.exit(failed ? 1 : 0);
}
