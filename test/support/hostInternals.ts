/**
 * What only tests look at inside a MissionHost: the pool of OpenCode servers its mission runs on
 * (to kill one, or read its members' passwords). Product code reaches none of it: the views learn a
 * session's server from the read model.
 */
import type { Engine } from "../../src/orchestrator/engine/engine";
import type { EnginePool } from "../../src/orchestrator/engine/enginePool";
import type { MissionHost } from "../../src/orchestrator/host/missionHost";

export function poolOf(host: MissionHost): EnginePool<Engine> | undefined {
  return (host as unknown as { pool?: EnginePool<Engine> }).pool;
}
