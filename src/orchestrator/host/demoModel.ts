/** The scripted demo model, served in the extension host when no model provider is configured. */
import type { ProviderDefinition } from "../engine/serverConfig";
import type { ModelRef } from "../domain/modelRef";
import { demoScenario } from "../scriptedModel/demoScenario";
import { startScriptedModel, type ScriptedModel } from "../scriptedModel/server";

export const DEMO_MODEL: ModelRef = { providerID: "orchestrator-demo", modelID: "scripted" };

export function demoProvider(baseURL: string): ProviderDefinition {
  return { id: DEMO_MODEL.providerID, name: "Orchestrator demo (scripted)", baseURL, models: { [DEMO_MODEL.modelID]: { name: "Scripted demo model", limit: { context: 64_000, output: 8_000 } } } };
}

export function startDemoModel(workspace: string): Promise<ScriptedModel> {
  return startScriptedModel(demoScenario(workspace));
}
