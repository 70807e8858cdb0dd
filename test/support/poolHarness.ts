/**
 * A pool of real OpenCode servers on one sandbox workspace against one scripted model: member 1 in
 * the sandbox's own directories, the others with data directories of their own, as the
 * EngineProvider starts them. Every server started (restarts included) is stopped by close().
 */
import { join } from "node:path";
import { Engine } from "../../src/orchestrator/engine/engine";
import { EnginePool } from "../../src/orchestrator/engine/enginePool";
import { memberEnvironment } from "../../src/orchestrator/engine/memberEnvironment";
import { startMcpServer } from "../../src/orchestrator/background/mcpServer";
import { memoryLogger } from "../../src/orchestrator/common/logger";
import type { Scenario } from "../../src/orchestrator/scriptedModel/scenario";
import { startScriptedModel, type ScriptedModel } from "../../src/orchestrator/scriptedModel/server";
import { scriptedProvider } from "./engineHarness";
import { BUNDLED_OPENCODE, createSandbox, type Sandbox } from "./isolation";

export interface PoolHarness {
  pool: EnginePool<Engine>;
  /** Every server started, in order (restarts included). */
  started: Array<{ index: number; engine: Engine }>;
  model: ScriptedModel;
  sandbox: Sandbox;
  log: string[];
  close(): Promise<void>;
}

export async function startPoolHarness(size: number, scenario: Scenario = { roles: {} }): Promise<PoolHarness> {
  const sandbox = createSandbox("orch-pool-");
  const model = await startScriptedModel(scenario);
  const logger = memoryLogger();
  const started: PoolHarness["started"] = [];
  // The roles' report tools, as the host serves them (OpenCode 2's structured results come through them).
  const mcp = await startMcpServer(undefined, logger);
  const config = { provider: scriptedProvider(model.baseURL), model: "scripted/scripted-model", tools: mcp.endpoint };
  const start = async (index: number) => {
    const engine = await Engine.start({ directory: sandbox.workspace, binary: { pathEnv: "", fallbacks: [BUNDLED_OPENCODE] }, config, env: memberEnvironment(sandbox.env, join(sandbox.root, "pool"), index), logger, reports: mcp.reports });
    started.push({ index, engine });
    return engine;
  };
  try {
    const pool = new EnginePool({ size, first: await start(0), start, logger });
    return {
      pool,
      started,
      model,
      sandbox,
      log: logger.lines,
      async close() {
        await pool.stop();
        for (const s of started) await s.engine.stop();
        await mcp.close();
        await model.close();
        sandbox.remove();
      },
    };
  } catch (error) {
    for (const s of started) await s.engine.stop();
    await mcp.close();
    await model.close();
    sandbox.remove();
    throw error;
  }
}
