/**
 * What a plan's estimate is made of, as the host finds it: the model's price as OpenCode knows it
 * (models.dev data, or the user's provider config), and this workspace's past missions.
 */
import type { ModelRef } from "../domain/modelRef";
import type { MissionState } from "../domain/state";
import type { Engine } from "../engine/engine";
import { listModels } from "../engine/modelSetup";
import type { MissionStore } from "../mission/missionStore";
import type { ModelPrice } from "../mission/planEstimate";

/** The mission's model's price per million tokens; undefined when OpenCode has none (or cannot say). */
export async function modelPrice(engine: Engine | undefined, model: ModelRef | undefined): Promise<ModelPrice | undefined> {
  if (!engine) return undefined;
  try {
    const models = await listModels(engine.client);
    const chosen = model ? models.find((m) => m.providerID === model.providerID && m.modelID === model.modelID) : models.find((m) => m.isDefault);
    return chosen?.cost;
  } catch {
    return undefined;
  }
}

/** The workspace's missions, newest first, but `exceptId` (the one being estimated). A mission that cannot be read is left out. */
export function pastMissions(store: MissionStore, exceptId: string): MissionState[] {
  try {
    return store
      .list()
      .filter((s) => s.id !== exceptId)
      .sort((a, b) => b.createdAt - a.createdAt);
  } catch {
    return [];
  }
}
