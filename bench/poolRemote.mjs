// A self-contained benchmark of a pool of OpenCode servers, for a machine that has nothing but the
// `opencode` binary: throughput of a wave of one-file Worker-like turns against the pool's size.
// It uses only `node:` modules and fetch, so it runs under Node or under the binary's own Bun:
//
//   BUN_BE_BUN=1 node_modules/.bin/opencode run bench/poolRemote.mjs          (or: node bench/poolRemote.mjs)
//
// OpenCode 1 or 2, whichever the binary says it is (`--version`): each through its own API.
//
// Settings (environment): OPENCODE_BIN (default: the dev dependency of OPENCODE_ENGINE, v1 or v2),
// SIZES ("1,2,4,8,16", limited to the cores), TURNS (60), RUNS (3), FILES (3000), OUT (a JSON file),
// SERVER_CPUS (e.g. "0,1": the servers pinned to those cores, the driver and the model elsewhere).
// What it does, per pool size and run: a fresh copy of a committed repository of FILES small modules;
// that many servers (`opencode serve`, snapshots off, each its own port, password, HOME and XDG dirs)
// against one scripted OpenAI-compatible model answering at once; a warm-up of two turns a server;
// then TURNS turns asked for at once, spread evenly (what least-loaded placement does with a wave
// asked for at once), each `session.create` + `prompt_async` (json_schema result) and done at its
// `session.idle` on OpenCode 1; on OpenCode 2 a session with its agent and workspace, one prompt, done
// at its `session.execution.succeeded` (v2 has no json_schema result: the turn ends with the model's
// text). Each turn: the model writes one file, then answers.
// bench/pool.ts measures the same through the product's EnginePool; this script needs no node_modules.
/* global process, Buffer, fetch, performance, setTimeout, clearTimeout, AbortController, TextDecoder, URL */
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
// Both dev dependencies are named `opencode` in node_modules/.bin: name the package's own binary.
const BUNDLED = { v1: ["opencode-ai", "bin", "opencode.exe"], v2: ["@opencode", "cli", "bin", "opencode.exe"] };
const BIN = process.env.OPENCODE_BIN || resolve(here, "..", "node_modules", ...(BUNDLED[process.env.OPENCODE_ENGINE || "v1"] ?? BUNDLED.v1));
/** The binary's major version, from `--version` (v1 prints "1.18.33", v2 "opencode v2.1.2"); set in main(). */
let major = 1;
const SERVER_CPUS = process.env.SERVER_CPUS || "";
const CORES = SERVER_CPUS ? SERVER_CPUS.split(",").length : typeof availableParallelism === "function" ? availableParallelism() : cpus().length;
const SIZES = (process.env.SIZES || "1,2,4,8,16").split(",").map(Number).filter((n) => n === 1 || n <= Math.max(2, CORES));
const TURNS = Number(process.env.TURNS || 60);
const RUNS = Number(process.env.RUNS || 3);
const FILES = Number(process.env.FILES || 3000);
const log = (line) => process.stderr.write(`${line}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};

// ---- the scripted model: a write, then the structured result ----
function chunk(delta, finish, usage) {
  return `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", created: Math.floor(Date.now() / 1000), model: "scripted-model", choices: [{ index: 0, delta, finish_reason: finish }], ...(usage ? { usage } : {}) })}\n\n`;
}
const USAGE = { prompt_tokens: 100, completion_tokens: 10, total_tokens: 110 };
let callSeq = 0;
function startModel() {
  const server = createServer((req, res) => {
    let raw = "";
    req.on("data", (d) => (raw += d));
    req.on("end", () => {
      let body;
      try {
        body = JSON.parse(raw);
      } catch {
        res.writeHead(400).end();
        return;
      }
      const messages = body.messages || [];
      let lastUser = -1;
      messages.forEach((m, i) => m.role === "user" && (lastUser = i));
      const step = messages.slice(lastUser + 1).filter((m) => m.role === "assistant").length;
      const text = (c) => (typeof c === "string" ? c : Array.isArray(c) ? c.map((p) => p.text || "").join("") : "");
      const prompt = lastUser >= 0 ? text(messages[lastUser].content) : "";
      const file = /Write the file (\S+)/.exec(prompt)?.[1];
      const tools = (body.tools || []).map((t) => t.function?.name);
      // The write tool's path argument: `filePath` on OpenCode 1, `path` on OpenCode 2.
      const write = (body.tools || []).find((t) => t.function?.name === "write")?.function?.parameters?.properties ?? {};
      const pathKey = "filePath" in write ? "filePath" : "path";
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      const call = (name, args) => {
        const id = `call_${++callSeq}`;
        res.write(chunk({ role: "assistant", tool_calls: [{ index: 0, id, type: "function", function: { name, arguments: "" } }] }, null));
        res.write(chunk({ tool_calls: [{ index: 0, function: { arguments: JSON.stringify(args) } }] }, null));
        res.write(chunk({}, "tool_calls", USAGE));
        res.end("data: [DONE]\n\n");
      };
      if (file && step === 0) return call("write", { [pathKey]: file, content: `// ${file}\nexport const done = true;\n` });
      if (tools.includes("StructuredOutput")) return call("StructuredOutput", { status: "done" });
      res.write(chunk({ role: "assistant", content: "done" }, null));
      res.write(chunk({}, "stop", USAGE));
      res.end("data: [DONE]\n\n");
    });
  });
  return new Promise((ok) => server.listen(0, "127.0.0.1", () => ok({ server, baseURL: `http://127.0.0.1:${server.address().port}/v1` })));
}

// ---- a committed repository of small modules ----
function git(cwd, ...args) {
  execFileSync("git", ["-c", "user.email=bench@example.invalid", "-c", "user.name=bench", "-c", "gc.auto=0", ...args], { cwd, stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 << 20 });
}
function generateRepo(dir, files) {
  mkdirSync(join(dir, "src"), { recursive: true });
  const width = String(files - 1).length;
  for (let i = 0; i < files; i++) writeFileSync(join(dir, "src", `mod${String(i).padStart(width, "0")}.ts`), `// Module ${i}.\nexport const id${i} = ${i};\n\nexport function value${i}(x: number): number {\n  return x + id${i};\n}\n`);
  try {
    git(dir, "init", "-q");
    git(dir, "add", "-A");
    git(dir, "commit", "-q", "-m", `${files} modules`);
    return true;
  } catch {
    return false; // no git on this machine: a plain folder
  }
}

// ---- one server ----
function groupCpuSeconds(pgid) {
  let ticks = 0;
  try {
    for (const e of readdirSync("/proc")) {
      if (!/^\d+$/.test(e)) continue;
      try {
        const s = readFileSync(`/proc/${e}/stat`, "utf8");
        const f = s.slice(s.lastIndexOf(")") + 2).split(" ");
        if (Number(f[2]) === pgid) ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
      } catch {
        // gone
      }
    }
  } catch {
    return undefined;
  }
  return ticks / 100;
}

async function startServer(root, workspace, baseURL, index) {
  const env = { ...process.env, OPENCODE_DISABLE_MODELS_FETCH: "1" };
  delete env.BUN_BE_BUN; // the binary must be OpenCode again, not Bun
  for (const [key, dir] of Object.entries({ HOME: "home", XDG_CONFIG_HOME: "config", XDG_DATA_HOME: "data", XDG_STATE_HOME: "state", XDG_CACHE_HOME: "cache" })) {
    env[key] = join(root, `member-${index + 1}`, dir);
    mkdirSync(env[key], { recursive: true });
  }
  const password = randomBytes(18).toString("base64url");
  env.OPENCODE_SERVER_PASSWORD = password;
  delete env.OPENCODE_PASSWORD; // OpenCode 2 reads it before OPENCODE_SERVER_PASSWORD
  env.OPENCODE_CONFIG_CONTENT = JSON.stringify({
    provider: { scripted: { npm: "@ai-sdk/openai-compatible", name: "Scripted", options: { baseURL, apiKey: "unused" }, models: { "scripted-model": { name: "Scripted", limit: { context: 64000, output: 8000 } } } } },
    model: "scripted/scripted-model",
    permission: { "*": "allow" },
    snapshot: false,
    autoupdate: false,
    share: "disabled",
  });
  // SERVER_CPUS ("0,1"): the servers (and their git children) on those cores alone, the model and
  // this driver elsewhere — a machine of that many cores for OpenCode, with the model remote as it is
  // in use (the scripted model's own CPU is no part of a real mission's machine).
  const [cmd, args] = SERVER_CPUS ? ["taskset", ["-c", SERVER_CPUS, BIN, "serve", "--hostname", "127.0.0.1", "--port", "0"]] : [BIN, ["serve", "--hostname", "127.0.0.1", "--port", "0"]];
  const child = spawn(cmd, args, { cwd: workspace, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const url = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`server ${index + 1} did not start:\n${out}`)), 60_000);
    const look = (d) => {
      out += d;
      const m = /listening on (http:\/\/[^\s]+)/.exec(out); // v1 "opencode server listening on …", v2 "server listening on …"
      if (m) {
        clearTimeout(timer);
        ok(new URL(m[1]).origin);
      }
    };
    child.stdout.on("data", look);
    child.stderr.on("data", look);
    child.once("exit", (code) => fail(new Error(`server ${index + 1} exited (${code}):\n${out}`)));
  });
  child.stdout.removeAllListeners("data");
  child.stderr.removeAllListeners("data");
  child.stdout.on("data", () => {});
  child.stderr.on("data", () => {});
  const headers = { authorization: `Basic ${Buffer.from(`opencode:${password}`).toString("base64")}`, "x-opencode-directory": encodeURIComponent(workspace) };
  const server = { index, url, headers, pid: child.pid, child, idle: new Map(), abort: new AbortController() };
  await subscribe(server);
  return server;
}

/** Follows the server's events; resolves once connected. A turn is done at `session.idle` (v1) or `session.execution.*` (v2). */
async function subscribe(server) {
  const response = await fetch(`${server.url}${major >= 2 ? "/api/event" : "/event"}`, { headers: server.headers, signal: server.abort.signal });
  if (!response.ok) throw new Error(`event stream: HTTP ${response.status}`);
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let connected;
  const ready = new Promise((ok) => (connected = ok));
  (async () => {
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        for (const line of block.split("\n")) {
          if (!line.startsWith("data:")) continue;
          let event;
          try {
            event = JSON.parse(line.slice(5).trim());
          } catch {
            continue;
          }
          const e = event.payload ?? event;
          if (e.type === "server.connected") connected();
          const id = e.properties?.sessionID ?? e.data?.sessionID;
          const idle = e.type === "session.idle" || (e.type === "session.status" && e.properties?.status?.type === "idle") || /^session\.execution\.(succeeded|failed|interrupted)$/.test(e.type);
          if (idle && id) server.idle.get(id)?.();
        }
      }
    }
  })().catch(() => {});
  await ready;
}

async function stopServer(server) {
  server.abort.abort();
  const alive = () => {
    try {
      process.kill(-server.pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  try {
    process.kill(-server.pid, "SIGTERM");
  } catch {
    return;
  }
  for (let i = 0; i < 40 && alive(); i++) await sleep(50);
  try {
    process.kill(-server.pid, "SIGKILL");
  } catch {
    // gone
  }
}

const SCHEMA = { type: "object", properties: { status: { type: "string" } }, required: ["status"] };

/** OpenCode 2: a session of the built-in agent in the workspace (v2 takes no directory per request), one prompt. */
async function turnV2(server, workspace, name) {
  const json = { ...server.headers, "content-type": "application/json" };
  const created = await fetch(`${server.url}/api/session`, { method: "POST", headers: json, body: JSON.stringify({ title: `Worker ${name}`, agent: "build", location: { directory: workspace } }) });
  if (!created.ok) throw new Error(`session create: HTTP ${created.status} ${await created.text()}`);
  const { data } = await created.json();
  const idle = new Promise((ok) => server.idle.set(data.id, ok));
  const file = join(workspace, "wave", `${name}.ts`);
  const sent = await fetch(`${server.url}/api/session/${data.id}/prompt`, { method: "POST", headers: json, body: JSON.stringify({ text: `Write the file ${file} with one export, then report.` }) });
  if (!sent.ok) throw new Error(`prompt: HTTP ${sent.status} ${await sent.text()}`);
  await idle;
  server.idle.delete(data.id);
  return file;
}

async function turn(server, workspace, name) {
  if (major >= 2) return turnV2(server, workspace, name);
  const created = await fetch(`${server.url}/session`, { method: "POST", headers: { ...server.headers, "content-type": "application/json" }, body: JSON.stringify({ title: `Worker ${name}` }) });
  if (!created.ok) throw new Error(`session.create: HTTP ${created.status} ${await created.text()}`);
  const { id } = await created.json();
  const idle = new Promise((ok) => server.idle.set(id, ok));
  const file = join(workspace, "wave", `${name}.ts`);
  const body = { parts: [{ type: "text", text: `Write the file ${file} with one export, then report.` }], format: { type: "json_schema", schema: SCHEMA } };
  const sent = await fetch(`${server.url}/session/${id}/prompt_async`, { method: "POST", headers: { ...server.headers, "content-type": "application/json" }, body: JSON.stringify(body) });
  if (!sent.ok && sent.status !== 204) throw new Error(`prompt_async: HTTP ${sent.status} ${await sent.text()}`);
  await idle;
  server.idle.delete(id);
  return file;
}

/** `n` turns at once over the servers, evenly (a wave placed least-loaded first). */
async function wave(servers, workspace, prefix, n) {
  const files = await Promise.all(Array.from({ length: n }, (_, i) => turn(servers[i % servers.length], workspace, `${prefix}${String(i).padStart(3, "0")}`)));
  const missing = files.filter((f) => !existsSync(f));
  if (missing.length) throw new Error(`${missing.length} of ${n} files not written (${missing[0]})`);
}

async function once(template, baseURL, size) {
  const root = mkdtempSync(join(tmpdir(), "pool-remote-"));
  const workspace = join(root, "workspace");
  execFileSync("cp", ["-a", template, workspace]);
  mkdirSync(join(workspace, "wave"));
  const servers = [];
  try {
    servers.push(...(await Promise.all(Array.from({ length: size }, (_, i) => startServer(root, workspace, baseURL, i)))));
    await wave(servers, workspace, "warm", 2 * size);
    const cpuBefore = servers.map((s) => groupCpuSeconds(s.pid));
    const load = loadavg()[0];
    const started = performance.now();
    await wave(servers, workspace, "w", TURNS);
    const ms = performance.now() - started;
    const cpu = servers.map((s, i) => (cpuBefore[i] === undefined ? undefined : groupCpuSeconds(s.pid) - cpuBefore[i]));
    return { ms, load, serverCpuS: cpu.every((c) => c !== undefined) ? cpu.reduce((a, b) => a + b, 0) : undefined };
  } finally {
    await Promise.all(servers.map(stopServer));
    rmSync(root, { recursive: true, force: true });
  }
}

async function main() {
  if (!existsSync(BIN)) throw new Error(`opencode not found at ${BIN}: set OPENCODE_BIN`);
  const version = execFileSync(BIN, ["--version"], { env: { ...process.env, BUN_BE_BUN: "" }, encoding: "utf8" }).trim();
  major = Number(/(\d+)\.\d+\.\d+/.exec(version)?.[1] ?? 1);
  const began = Date.now();
  const { server: model, baseURL } = await startModel();
  const repoRoot = mkdtempSync(join(tmpdir(), "pool-remote-repo-"));
  const template = join(repoRoot, "repo");
  const committed = generateRepo(template, FILES);
  log(`pool benchmark: ${CORES} cores, opencode ${version}, ${FILES} files${committed ? "" : " (no git)"}, ${TURNS} turns, sizes ${SIZES.join(", ")}, ${RUNS} runs`);
  const samples = new Map(SIZES.map((n) => [n, []]));
  try {
    for (let r = 0; r < RUNS; r++) {
      for (const size of SIZES.map((_, i) => SIZES[(i + r) % SIZES.length])) {
        const s = await once(template, baseURL, size);
        samples.get(size).push(s);
        log(`  run ${r + 1}, ${size} server(s): ${(s.ms / 1000).toFixed(2)} s, server CPU ${s.serverCpuS?.toFixed(1) ?? "?"} s, load ${s.load.toFixed(1)}`);
      }
    }
  } finally {
    model.close();
    rmSync(repoRoot, { recursive: true, force: true });
  }
  const base = median(samples.get(1)?.map((s) => s.ms) ?? []);
  const rows = SIZES.map((n) => {
    const ms = median(samples.get(n).map((s) => s.ms));
    return { servers: n, ms, speedup: base / ms, serverCpuS: median(samples.get(n).map((s) => s.serverCpuS ?? NaN)), samples: samples.get(n).map((s) => Math.round(s.ms)), load: median(samples.get(n).map((s) => s.load)) };
  });
  const result = { date: new Date().toISOString(), machine: { cpus: CORES, serverCpus: SERVER_CPUS || undefined, cpuModel: cpus()[0]?.model ?? "unknown", memoryGB: Math.round(totalmem() / 2 ** 30) }, runtime: process.versions.bun ? `bun ${process.versions.bun}` : `node ${process.version}`, opencode: version, files: FILES, committed, turns: TURNS, runs: RUNS, rows, durationS: Math.round((Date.now() - began) / 1000) };
  const json = `${JSON.stringify(result, null, 2)}\n`;
  if (process.env.OUT) writeFileSync(process.env.OUT, json);
  process.stdout.write(json);
  for (const r of rows) log(`${String(r.servers).padStart(2)} server(s): ${(r.ms / 1000).toFixed(2)} s → ${r.speedup.toFixed(2)}× a single server`);
}

main().then(
  () => process.exit(0),
  (error) => {
    log(`pool benchmark failed: ${error?.stack ?? error}`);
    process.exit(1);
  },
);
