// `npm test`: type check and lint, then the test groups, each run by Node's test runner:
//   unit          once
//   e2e           once per OpenCode engine (real `opencode serve` + the scripted model); the
//                 engines' runs go at the same time where there are 4 cores or more, one after
//                 the other below that; one file at a time each
//   vscode, ui    once, on OpenCode 1 (real VS Code in code-server, the packaged VSIX); the UI files
//                 of UI_ON_EVERY_ENGINE also on each other engine
// `npm test -- unit e2e` runs only the named groups. OPENCODE_ENGINES=v1,v2 picks the engines
// (default: DEFAULT_ENGINES). Each run's output is printed behind its name and kept whole in
// test-results/runs/; the closing lines add every run up in the runner's own words (# tests,
// # pass, # fail …) and the exit status fails when any run failed, naming it.
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { ensureNodeModules, ensureSystemPackages, repo } from "./bootstrap.mjs";
import { checkEngineBinary, engineName, ENGINES, pinnedVersion } from "./opencodeEngines.mjs";
import { COUNTS, runPrefixed, runTests } from "./testRun.mjs";

const GROUPS = ["unit", "e2e", "vscode", "ui"];
/** The engines `npm test` runs the E2E suite on unless OPENCODE_ENGINES says otherwise. */
const DEFAULT_ENGINES = ["v1", "v2"];
/**
 * The engines' E2E runs go at the same time only where the cores allow: every E2E file keeps a real
 * server busy (about a core each), and on two cores two suites at once starve each other's watchdogs.
 */
const PARALLEL_E2E = availableParallelism() >= 4;
/** UI files that run on every engine, not only on v1: a whole mission from Run Task to sealed. */
const UI_ON_EVERY_ENGINE = ["runTask.test.ts"];

const asked = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const groups = asked.length ? asked : GROUPS;
for (const g of groups) if (!GROUPS.includes(g)) throw new Error(`unknown test group "${g}"; use ${GROUPS.join(", ")}`);
const engines = [...new Set((process.env.OPENCODE_ENGINES || process.env.OPENCODE_ENGINE || DEFAULT_ENGINES.join(",")).split(",").map((e) => e.trim()).filter(Boolean).map((e) => engineName(e, "OPENCODE_ENGINES")))];

process.chdir(repo);
ensureNodeModules();
if (groups.some((g) => g !== "unit")) ensureSystemPackages();

const began = Date.now();
const RUNS = join(repo, "test-results", "runs");
mkdirSync(RUNS, { recursive: true });
for (const f of readdirSync(RUNS)) if (/\.(log|tap)$/.test(f)) rmSync(join(RUNS, f));

const files = (group) => readdirSync(join("test", group)).filter((f) => f.endsWith(".test.ts")).sort().map((f) => join("test", group, f));
const label = (engine) => `${ENGINES[engine].label} (${pinnedVersion(engine)})`;

/** Runs commands at the same time; stops `npm test` when one fails (nothing is worth testing then). */
async function checks(commands) {
  const results = await Promise.all(commands.map(([name, command, args]) => runPrefixed(`[${name}]`, command, args, { log: join(RUNS, `${name}.log`) }).then((r) => ({ name, ...r }))));
  for (const r of results) console.log(`${r.name}: ${r.status === 0 ? "ok" : `failed (exit ${r.status})`} in ${Math.round(r.ms / 1000)} s`);
  const failed = results.filter((r) => r.status !== 0);
  if (failed.length) {
    console.error(`\nnpm test stopped: ${failed.map((r) => r.name).join(", ")} failed (output above and in test-results/runs/).`);
    process.exit(1);
  }
}

if (!asked.length) await checks([["typecheck", "npx", ["tsc", "--noEmit", "-p", "."]], ["lint", "npx", ["eslint", "."]]]);
if (groups.includes("ui") || groups.includes("vscode")) await checks([["package", "npm", ["run", "--silent", "package"]]]);

// Which runs, in stages: the runs of a stage go at the same time, the stages one after another.
const stages = [];
if (groups.includes("unit")) stages.push([{ name: "unit", slug: "unit", files: files("unit"), engine: "v1" }]);
if (groups.includes("e2e")) {
  const runs = engines.map((engine) => ({ name: `e2e ${engine}`, slug: `e2e-${engine}`, title: `e2e on ${label(engine)}`, files: files("e2e"), engine }));
  if (PARALLEL_E2E) stages.push(runs);
  else stages.push(...runs.map((run) => [run]));
}
const onV1 = [...(groups.includes("vscode") ? files("vscode") : []), ...(groups.includes("ui") ? files("ui") : [])];
if (onV1.length) stages.push([{ name: "ui v1", slug: "ui-v1", title: `${groups.filter((g) => g === "vscode" || g === "ui").join(" and ")} on ${label("v1")}`, files: onV1, engine: "v1" }]);
if (groups.includes("ui")) {
  for (const engine of engines.filter((e) => e !== "v1")) stages.push([{ name: `ui ${engine}`, slug: `ui-${engine}`, title: `ui (${UI_ON_EVERY_ENGINE.join(", ")}) on ${label(engine)}`, files: UI_ON_EVERY_ENGINE.map((f) => join("test", "ui", f)), engine }]);
}

// Every binary a run starts is the version package.json pins, or nothing runs.
for (const engine of new Set(stages.flat().filter((r) => r.name !== "unit").map((r) => r.engine))) {
  try {
    console.log(`${label(engine)}: ${ENGINES[engine].package} ${checkEngineBinary(engine)}`);
  } catch (error) {
    console.error(`\nnpm test stopped: ${error.message}`);
    process.exit(1);
  }
}

const results = [];
for (const stage of stages) {
  console.log(`\n== ${stage.map((r) => r.title ?? r.name).join("  |  ")}${stage.length > 1 ? "  (at the same time)" : ""}`);
  results.push(...(await Promise.all(stage.map(async (run) => ({ run, ...(await runTests({ ...run, dir: RUNS, env: { OPENCODE_ENGINE: run.engine } })) })))));
}

// The summary: each run, then the closing counts of all of them together (what CI reads).
const secs = (ms) => (ms >= 60_000 ? `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s` : `${Math.round(ms / 1000)} s`);
console.log("\nSummary (whole output of each run in test-results/runs/):");
const width = Math.max(...results.map((r) => (r.run.title ?? r.run.name).length));
for (const { run, status, counts, ms } of results) {
  const figures = counts ? `${counts.pass} passed, ${counts.fail} failed, ${counts.skipped} skipped, ${counts.cancelled} cancelled` : "ended without a summary";
  console.log(`  ${(run.title ?? run.name).padEnd(width)}  ${figures}  (${secs(ms)}${status === 0 ? "" : `, exit ${status}`})`);
}
console.log(`  npm test took ${secs(Date.now() - began)}`);
const failed = results.filter((r) => r.status !== 0 || !r.counts || r.counts.fail > 0 || r.counts.cancelled > 0);
if (failed.length) console.error(`\nnpm test failed: ${failed.map((r) => r.run.title ?? r.run.name).join("; ")}`);
const total = Object.fromEntries(COUNTS.map((key) => [key, results.reduce((sum, r) => sum + (r.counts?.[key] ?? 0), 0)]));
// A run that ended without its summary counts as one failure, so the total never reads green.
total.fail += results.filter((r) => !r.counts).length;
for (const key of COUNTS) console.log(`# ${key} ${total[key]}`);
console.log(`# duration_ms ${Date.now() - began}`);
process.exit(failed.length ? 1 : 0);
