/**
 * What a turn of each role takes in this product (issue 27): requests, input and output tokens per
 * Planner, Worker and Reviewer turn, on the demo mission and on a small real-ish scripted mission
 * (a project of a few files; the Planner looks around before it plans, each Worker reads, writes and
 * runs a check, the Reviewer runs git and reads). The input a provider bills includes the tool
 * definitions, which the scripted model does not count: a proxy in front of it measures them, and
 * "billed" figures add them (characters / 4, as the scripted model counts messages). The figures
 * calibrate the estimate of a workspace's first plan (mission/planEstimate.ts). Prints JSON;
 * `node --import tsx bench/turnTokens.ts`.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer, request as httpRequest, type IncomingMessage, type Server } from "node:http";
import { join } from "node:path";
import type { MissionState } from "../src/orchestrator/domain/state";
import type { HostSettings } from "../src/orchestrator/host/hostSettings";
import { MissionHost } from "../src/orchestrator/host/missionHost";
import { memoryLogger, RedactingLogger } from "../src/orchestrator/common/logger";
import { missionScenario } from "../src/orchestrator/scriptedModel/missionScenario";
import { call, structured, tools, type Scenario } from "../src/orchestrator/scriptedModel/scenario";
import { startScriptedModel } from "../src/orchestrator/scriptedModel/server";
import { writeScriptedOpencodeJson } from "../test/support/engineHarness";
import { BUNDLED_OPENCODE, createSandbox } from "../test/support/isolation";

const ROLES = ["planner", "worker", "reviewer"] as const;
type Role = (typeof ROLES)[number];

/** Per request: the role, the characters of its messages and of its tool definitions. */
interface Seen {
  role: Role | "other";
  messageChars: number;
  toolChars: number;
}

/** A proxy that measures what each request carries before the scripted model answers it. */
function measuringProxy(target: string): Promise<{ url: string; seen: Seen[]; server: Server }> {
  const seen: Seen[] = [];
  const upstream = new URL(target);
  const server = createServer((req: IncomingMessage, res) => {
    const parts: Buffer[] = [];
    req.on("data", (d: Buffer) => parts.push(d));
    req.on("end", () => {
      const raw = Buffer.concat(parts);
      try {
        const body = JSON.parse(raw.toString("utf8")) as { messages?: Array<{ role: string; content?: unknown }>; tools?: unknown[] };
        const system = (body.messages ?? []).filter((m) => m.role === "system").map((m) => JSON.stringify(m.content)).join("");
        const role = (/You are the (Planner|Worker|Reviewer)/i.exec(system)?.[1]?.toLowerCase() ?? "other") as Seen["role"];
        seen.push({ role, messageChars: (body.messages ?? []).reduce((n, m) => n + JSON.stringify(m.content ?? "").length, 0), toolChars: JSON.stringify(body.tools ?? []).length });
      } catch {
        // not JSON: forwarded as it is
      }
      const forward = httpRequest({ host: upstream.hostname, port: upstream.port, path: `${upstream.pathname.replace(/\/$/, "")}${req.url?.replace(/^\/v1/, "") ?? ""}`, method: req.method, headers: { ...req.headers, host: upstream.host } }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      forward.on("error", () => res.destroy());
      forward.end(raw);
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}/v1`, seen, server })));
}

/** A small project and a mission over it: a module, its test, its README. */
function prepareProject(workspace: string): void {
  mkdirSync(join(workspace, "src"), { recursive: true });
  writeFileSync(join(workspace, "package.json"), JSON.stringify({ name: "calc", version: "1.0.0", type: "module", scripts: { test: "node --test" } }, null, 2));
  writeFileSync(join(workspace, "README.md"), "# calc\n\nA tiny calculator library.\n\n## API\n\n- `add(a, b)`\n");
  writeFileSync(join(workspace, "src", "calc.js"), "export function add(a, b) {\n  return a + b;\n}\n");
}

const PLAN = {
  todos: [
    { id: "T1", title: "Add subtract and multiply to src/calc.js", description: "Export subtract(a, b) and multiply(a, b) beside add.", files: ["src/calc.js"], dependsOn: [], acceptance: "subtract and multiply are exported and correct", kind: "code" as const, check: "node --check src/calc.js" },
    { id: "T2", title: "Test the calculator", description: "test/calc.test.js covers add, subtract and multiply with node:test.", files: ["test/calc.test.js"], dependsOn: ["T1"], acceptance: "node --test passes", kind: "code" as const, check: "node --check test/calc.test.js" },
    { id: "T3", title: "Document the API", description: "README.md lists every function with an example.", files: ["README.md"], dependsOn: ["T1"], acceptance: "README.md names subtract and multiply", kind: "docs" as const },
  ],
};

const CONTENT: Record<string, string> = {
  "src/calc.js": "export function add(a, b) {\n  return a + b;\n}\n\nexport function subtract(a, b) {\n  return a - b;\n}\n\nexport function multiply(a, b) {\n  return a * b;\n}\n",
  "test/calc.test.js": 'import { test } from "node:test";\nimport assert from "node:assert/strict";\nimport { add, subtract, multiply } from "../src/calc.js";\n\ntest("add", () => assert.equal(add(2, 3), 5));\ntest("subtract", () => assert.equal(subtract(5, 3), 2));\ntest("multiply", () => assert.equal(multiply(4, 3), 12));\n',
  "README.md": "# calc\n\nA tiny calculator library.\n\n## API\n\n- `add(a, b)`: `add(2, 3)` is 5\n- `subtract(a, b)`: `subtract(5, 3)` is 2\n- `multiply(a, b)`: `multiply(4, 3)` is 12\n",
};

/** The real-ish mission: each role looks before it acts, as a real model's turn does. */
function realishScenario(workspace: string): Scenario {
  const todoOf = (prompt: string) => /<todo id="([^"]+)"/.exec(prompt)?.[1] ?? "T1";
  const base = missionScenario({ workspace, plans: [PLAN] });
  return {
    roles: {
      planner: (ctx) => [tools(call("glob", { pattern: "**/*" })), tools(call("read", { filePath: join(workspace, "README.md") })), tools(call("read", { filePath: join(workspace, "src", "calc.js") }))][ctx.step] ?? structured(PLAN),
      worker: (ctx) => {
        const todo = PLAN.todos.find((t) => t.id === todoOf(ctx.prompt)) ?? (PLAN.todos[0] as (typeof PLAN.todos)[number]);
        const file = todo.files[0] as string;
        const steps = [
          tools(call("glob", { pattern: "**/*.js" })),
          tools(call("read", { filePath: join(workspace, "src", "calc.js") })),
          tools(call("write", { filePath: join(workspace, file), content: CONTENT[file] ?? "" })),
          tools(call("bash", { command: todo.check ?? `cat ${file}`, description: "Check the change" })),
        ];
        return steps[ctx.step] ?? structured({ status: "done", summary: `Did ${todo.id}.`, filesChanged: todo.files, checksRun: [todo.check ?? "cat"], notes: "" });
      },
      reviewer: (ctx) => (ctx.step === 0 ? tools(call("bash", { command: "git status --short", description: "What changed" })) : ctx.step === 1 ? tools(call("read", { filePath: join(workspace, "src", "calc.js") })) : (base.roles.reviewer as (c: typeof ctx) => ReturnType<typeof structured>)(ctx)),
    },
  };
}

interface RoleFigures {
  turns: number;
  requests: number;
  /** Input and output tokens per turn, as the mission counted them. */
  inputPerTurn: number;
  outputPerTurn: number;
  /** Input per request, as counted and as a provider would bill it (tool definitions added). */
  inputPerRequest: number;
  billedInputPerRequest: number;
  turnsPerTodo: number;
}

function figures(state: MissionState, seen: Seen[]): Record<Role, RoleFigures> & { todos: number } {
  const todos = state.todos.filter((t) => t.status !== "replaced").length;
  const out = { todos } as Record<Role, RoleFigures> & { todos: number };
  for (const role of ROLES) {
    const u = state.usageByRole[role];
    const turns = u?.turns ?? 0;
    const requests = u?.requests ?? 0;
    const input = (u?.inputTokens ?? 0) + (u?.cacheReadTokens ?? 0) + (u?.cacheWriteTokens ?? 0);
    const mine = seen.filter((s) => s.role === role);
    const toolTokens = mine.reduce((n, s) => n + s.toolChars / 4, 0);
    out[role] = {
      turns,
      requests,
      inputPerTurn: Math.round(input / Math.max(1, turns)),
      outputPerTurn: Math.round((u?.outputTokens ?? 0) / Math.max(1, turns)),
      inputPerRequest: Math.round(input / Math.max(1, requests)),
      billedInputPerRequest: mine.length ? Math.round((input + toolTokens) / Math.max(1, requests)) : NaN,
      turnsPerTodo: Math.round((turns / Math.max(1, todos)) * 100) / 100,
    };
  }
  return out;
}

async function runMission(kind: "demo" | "realish"): Promise<ReturnType<typeof figures>> {
  const sandbox = createSandbox("orch-bench-tokens-");
  const model = kind === "realish" ? await startScriptedModel(realishScenario(sandbox.workspace)) : undefined;
  const proxy = model ? await measuringProxy(model.baseURL) : undefined;
  if (kind === "realish") prepareProject(sandbox.workspace);
  if (proxy) writeScriptedOpencodeJson(sandbox.workspace, proxy.url);
  const host = new MissionHost({ workspace: sandbox.workspace, logger: new RedactingLogger(memoryLogger()), engineEnv: sandbox.env });
  const settings: HostSettings = { opencodePath: BUNDLED_OPENCODE, serverUrl: "", model: undefined, demoMode: "auto", models: {}, limits: {} };
  try {
    const final = await host.run(kind === "demo" ? "Write a haiku about the sea" : "Add subtract and multiply to the calculator, with tests and docs", settings);
    if (final.status !== "sealed") throw new Error(`the ${kind} mission ended ${final.status}: ${final.stopReason ?? final.error ?? ""}`);
    const missions = join(sandbox.workspace, ".opencode", "orchestrator", "missions");
    const { readdirSync, readFileSync } = await import("node:fs");
    const [id] = readdirSync(missions);
    const state = JSON.parse(readFileSync(join(missions, id as string, "mission.json"), "utf8")) as MissionState;
    return figures(state, proxy?.seen ?? []);
  } finally {
    await host.dispose();
    await new Promise((resolve) => proxy?.server.close(resolve) ?? resolve(undefined));
    await model?.close();
    sandbox.remove();
  }
}

async function main(): Promise<void> {
  const demo = await runMission("demo");
  process.stderr.write(`demo: ${JSON.stringify(demo)}\n`);
  const realish = await runMission("realish");
  process.stderr.write(`realish: ${JSON.stringify(realish)}\n`);
  process.stdout.write(`${JSON.stringify({ demo, realish }, null, 1)}\n`);
}

void main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
