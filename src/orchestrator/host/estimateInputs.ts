/**
 * What a plan's estimate is made of, as the host finds it: the model's price as OpenCode knows it
 * (models.dev data, or the user's provider config, from the engine's model list), and this
 * workspace's past missions.
 */
import type { ModelRef } from "../domain/modelRef";
import type { MissionState } from "../domain/state";
import type { ModelChoice } from "../../shared/actions";
import type { MissionStore } from "../mission/missionStore";
import { ESTIMATED_ROLES, type ModelPrice, type RolePrices } from "../mission/planEstimate";
import type { Role } from "../domain/roles";

/**
 * The price of each estimated role's model (its own orchestrator.models.<role>, else the mission's,
 * else OpenCode's default), per million tokens; a role is absent where OpenCode has no price for it.
 * `list`: the engine's model list (none in demo mode).
 */
export async function rolePrices(list: Promise<readonly ModelChoice[]> | undefined, model: ModelRef | undefined, roleModels: Partial<Record<Role, ModelRef>>): Promise<RolePrices> {
  if (!list) return {};
  try {
    const models = await list;
    const priceOf = (ref: ModelRef | undefined): ModelPrice | undefined => (ref ? models.find((m) => m.providerID === ref.providerID && m.modelID === ref.modelID) : models.find((m) => m.isDefault))?.cost;
    const prices: RolePrices = {};
    for (const role of ESTIMATED_ROLES) {
      const price = priceOf(roleModels[role] ?? model);
      if (price) prices[role] = price;
    }
    return prices;
  } catch {
    return {};
  }
}

/** The workspace's missions, newest first, but `exceptId` (the one being estimated). A mission that cannot be read is left out. */
export async function pastMissions(store: MissionStore, exceptId: string): Promise<MissionState[]> {
  try {
    return (await store.list())
      .filter((s) => s.id !== exceptId)
      .sort((a, b) => b.createdAt - a.createdAt);
  } catch {
    return [];
  }
}
