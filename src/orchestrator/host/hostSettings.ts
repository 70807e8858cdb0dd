/** What a mission needs of the user's settings; the extension reads and validates them (settings.ts). */
import type { Role } from "../domain/roles";
import type { ModelRef } from "../domain/modelRef";
import type { CommanderLimits } from "../mission/limits";
import type { DemoMode } from "../settingsTable";

export type { DemoMode };

/** How to get an engine: which binary, or which running server, and when to use the demo model. */
export interface EngineSettings {
  opencodePath: string;
  serverUrl: string;
  model: ModelRef | undefined;
  demoMode: DemoMode;
}

export interface HostSettings extends EngineSettings {
  /** Per-role models (orchestrator.models.<role>), over `model`. */
  models: Partial<Record<Role, ModelRef>>;
  limits: Partial<CommanderLimits>;
}
