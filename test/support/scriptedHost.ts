/**
 * One mission host on a real OpenCode server with the scripted model, in a sandbox of its own: what
 * most end-to-end tests of the front door need. Everything is torn down after the body, pass or fail.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { MissionState } from "../../src/orchestrator/domain/state";
import type { HostSettings } from "../../src/orchestrator/host/hostSettings";
import { MissionHost } from "../../src/orchestrator/host/missionHost";
import { memoryLogger, RedactingLogger } from "../../src/orchestrator/common/logger";
import { missionScenario, type MissionScript } from "../../src/orchestrator/scriptedModel/missionScenario";
import { startScriptedModel, type ScriptedModel } from "../../src/orchestrator/scriptedModel/server";
import { SCRIPTED_MODEL, writeScriptedOpencodeJson } from "./engineHarness";
import { BUNDLED_OPENCODE, createSandbox, type Sandbox } from "./isolation";

/** The settings of a mission on the bundled OpenCode and the scripted model. */
export const SCRIPTED_SETTINGS: HostSettings = { opencodePath: BUNDLED_OPENCODE, serverUrl: "", model: SCRIPTED_MODEL, demoMode: "never", models: {}, limits: {} };

export interface ScriptedHost {
  sandbox: Sandbox;
  model: ScriptedModel;
  host: MissionHost;
  /** The mission's persisted state (mission.json). */
  state(missionId: string): MissionState;
  /** A role's first requests of each turn (the prompts it was given) for one TODO. */
  firstRequests(role: string, todoId: string): Array<{ prompt: string; tools: string[] }>;
  /** What a TODO's Worker read back from its tool calls, as its request of step `step` carried it. */
  told(todoId: string, step: number): string;
}

export async function withScriptedHost(
  script: (workspace: string) => Omit<MissionScript, "workspace">,
  body: (run: ScriptedHost) => Promise<void>,
  options: { prefix?: string; userConfig?: Record<string, unknown>; modelCost?: { input: number; output: number } } = {},
): Promise<void> {
  const sandbox = createSandbox(options.prefix ?? "orch-host-");
  let model: ScriptedModel | undefined;
  let host: MissionHost | undefined;
  try {
    model = await startScriptedModel(missionScenario({ workspace: sandbox.workspace, ...script(sandbox.workspace) }));
    writeScriptedOpencodeJson(sandbox.workspace, model.baseURL, options.userConfig, options.modelCost);
    host = new MissionHost({ workspace: sandbox.workspace, logger: new RedactingLogger(memoryLogger()), engineEnv: sandbox.env });
    const requests = model.requests;
    await body({
      sandbox,
      model,
      host,
      state: (id) => JSON.parse(readFileSync(join(sandbox.workspace, ".opencode", "orchestrator", "missions", id, "mission.json"), "utf8")) as MissionState,
      firstRequests: (role, id) => requests.filter((r) => r.role === role && r.step === 0 && r.attempt === 0 && r.prompt.includes(`<todo id="${id}"`)),
      told: (id, step) => requests.find((r) => r.role === "worker" && r.step === step && r.prompt.includes(`<todo id="${id}"`))?.lastToolResult ?? "",
    });
  } finally {
    await host?.dispose();
    await model?.close();
    sandbox.remove();
  }
}
