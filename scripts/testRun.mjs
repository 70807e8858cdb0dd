// One run of Node's test runner (or any command) as a child of `npm test`: its output goes to our
// stdout line by line behind its name, so runs at the same time stay apart, and whole into
// test-results/runs/<name>.log; a test run also writes TAP to <name>.tap, whose closing counts
// (# tests, # pass, # fail …) the summary adds up. Uses only Node's built-ins.
import { spawn } from "node:child_process";
import { createWriteStream, readFileSync } from "node:fs";
import { join } from "node:path";

export const COUNTS = ["tests", "suites", "pass", "fail", "cancelled", "skipped", "todo"];

const running = new Set();
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    // Pass it on to what we started (each ends its own servers), then go.
    for (const child of running) child.kill(signal);
    process.exit(130);
  });
}

/** Runs `command args` with `prefix` before every line it prints; resolves with its exit status and wall time. */
export function runPrefixed(prefix, command, args, { env = process.env, log } = {}) {
  const started = Date.now();
  const file = log ? createWriteStream(log) : undefined;
  const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  running.add(child);
  const forward = (stream, out) => {
    let partial = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk) => {
      file?.write(chunk);
      const lines = (partial + chunk).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) out.write(`${prefix} ${line}\n`);
    });
    stream.on("end", () => partial && out.write(`${prefix} ${partial}\n`));
  };
  forward(child.stdout, process.stdout);
  forward(child.stderr, process.stderr);
  return new Promise((resolve) => {
    child.once("error", (error) => {
      running.delete(child);
      process.stderr.write(`${prefix} could not start ${command}: ${error.message}\n`);
      file?.end();
      resolve({ status: 127, ms: Date.now() - started });
    });
    child.once("close", (code, signal) => {
      running.delete(child);
      file?.end();
      resolve({ status: code ?? (signal ? 128 : 1), signal, ms: Date.now() - started });
    });
  });
}

/**
 * One `node --test` run: `files` one at a time (every E2E and UI file starts real servers; these
 * machines have two cores) with `env` over ours. Human-readable output (spec) behind `name`; TAP in
 * `<dir>/<slug>.tap` for the counts. Resolves with the status, the counts (undefined when the run
 * ended without its summary) and the wall time.
 */
export async function runTests({ name, slug, files, env = {}, dir }) {
  const tap = join(dir, `${slug}.tap`);
  const args = ["--import", "tsx", "--test", "--test-concurrency=1", "--test-reporter=spec", "--test-reporter-destination=stdout", "--test-reporter=tap", `--test-reporter-destination=${tap}`, ...files];
  const result = await runPrefixed(`[${name}]`, process.execPath, args, { env: { ...process.env, ...env }, log: join(dir, `${slug}.log`) });
  return { ...result, counts: tapCounts(tap) };
}

/** The closing counts of a TAP file from Node's runner (its last top-level `# pass N` …), or undefined. */
export function tapCounts(file) {
  let text;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  const counts = {};
  for (const [, key, value] of text.matchAll(/^# (\w+) (\d+(?:\.\d+)?)$/gm)) if (COUNTS.includes(key)) counts[key] = Number(value);
  return COUNTS.every((key) => key in counts) ? counts : undefined;
}
