/** Starts the real OpenCode server, through our Engine, against a scripted model in a sandbox. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ServerConfigOptions } from "../../src/orchestrator/engine/serverConfig";
import { Engine } from "../../src/orchestrator/engine/engine";
import { startMcpServer, type RunningMcpServer } from "../../src/orchestrator/background/mcpServer";
import { memoryLogger } from "../../src/orchestrator/common/logger";
import { startScriptedModel, type ScriptedModel } from "../../src/orchestrator/scriptedModel/server";
import type { Scenario } from "../../src/orchestrator/scriptedModel/scenario";
import { bundledOpencode, TEST_ENGINE, type EngineName } from "./engines";
import { createSandbox, type Sandbox } from "./isolation";

/** The sessions the server says are busy (or retrying): what a test asserts a stop left behind. */
export async function busySessions(engine: Pick<Engine, "busySessions">): Promise<string[]> {
  return engine.busySessions();
}

export const SCRIPTED_MODEL = { providerID: "scripted", modelID: "scripted-model" };

export function scriptedProvider(baseURL: string) {
  return {
    id: "scripted",
    name: "Scripted",
    baseURL,
    models: { "scripted-model": { name: "Scripted", limit: { context: 64_000, output: 8_000 } } },
  };
}

/** A workspace's own opencode.json that points OpenCode at the scripted model, as a user's would at a provider. */
/**
 * `extra`: more of the user's OpenCode configuration (e.g. their own permission rules); `cost`: the
 * model's price per million tokens, as a user's provider config gives it (OpenCode prices turns by it).
 */
export function writeScriptedOpencodeJson(workspace: string, baseURL: string, extra: Record<string, unknown> = {}, cost?: { input: number; output: number }): void {
  const p = scriptedProvider(baseURL);
  const models = cost ? { "scripted-model": { ...p.models["scripted-model"], cost } } : p.models;
  const provider = { [p.id]: { npm: "@ai-sdk/openai-compatible", name: p.name, options: { baseURL, apiKey: "unused" }, models } };
  writeFileSync(join(workspace, "opencode.json"), JSON.stringify({ provider, model: `${SCRIPTED_MODEL.providerID}/${SCRIPTED_MODEL.modelID}`, ...extra }));
}

export interface EngineHarness {
  engine: Engine;
  /** Another engine on the same sandbox and model (a restart after a crash). Stopped by close(). */
  startAnother(): Promise<Engine>;
  model: ScriptedModel;
  sandbox: Sandbox;
  log: string[];
  close(): Promise<void>;
}

/**
 * `reuse`: run on an existing sandbox and model (a second Orchestrator on the same workspace).
 * `extraConfig`: more of what the server runs with (the test's own MCP server, snapshots on). Without
 * an MCP server of the test's, the harness serves the roles' report tools itself, as the host does
 * (OpenCode 2's structured results come through them).
 * `engine`: which OpenCode (the one under test, OPENCODE_ENGINE, unless said: the benchmarks run both).
 */
export async function startEngineHarness(scenario: Scenario, reuse?: { sandbox: Sandbox; model: ScriptedModel }, extraConfig?: (sandbox: Sandbox) => Promise<Partial<ServerConfigOptions> & { mcp?: RunningMcpServer }>, engine: EngineName = TEST_ENGINE): Promise<EngineHarness> {
  const sandbox = reuse?.sandbox ?? createSandbox(undefined, engine);
  const model = reuse?.model ?? (await startScriptedModel(scenario));
  const logger = memoryLogger();
  const others: Engine[] = [];
  const { mcp: theirs, ...extra } = extraConfig ? await extraConfig(sandbox) : {};
  const ours = theirs ? undefined : await startMcpServer(undefined, logger);
  const mcp = (theirs ?? ours) as RunningMcpServer;
  const start = () =>
    Engine.start({
      directory: sandbox.workspace,
      binary: { pathEnv: "", fallbacks: [bundledOpencode(engine)] },
      config: { provider: scriptedProvider(model.baseURL), model: "scripted/scripted-model", tools: mcp.endpoint, ...extra },
      env: sandbox.env,
      logger,
      reports: mcp.reports,
    });
  try {
    const engine = await start();
    return {
      engine,
      async startAnother() {
        const another = await start();
        others.push(another);
        return another;
      },
      model,
      sandbox,
      log: logger.lines,
      async close() {
        await engine.stop();
        for (const other of others) await other.stop();
        await ours?.close();
        await model.close();
        sandbox.remove();
      },
    };
  } catch (error) {
    await ours?.close();
    await model.close();
    sandbox.remove();
    throw error;
  }
}
