/** The limits a mission runs under: the user's settings over these defaults. */
import { NUMBER_DEFAULTS, NUMBER_SETTINGS, type NumberSettingKey, type NumberSettingValues } from "../settings/settingsTable";

export interface CommanderLimits {
  maxParallelSessions: number;
  maxIterations: number;
  /** Worker attempts per TODO before it counts as blocked and is replanned. */
  maxAttemptsPerTodo: number;
  maxPlanAttempts: number;
  maxReplans: number;
  /** Share of TODOs done (or in review) from which the Reviewer also runs the integration check. */
  integrationThreshold: number;
  budget?: { maxTokens?: number; maxCostUsd?: number };
  /** Abort a turn after this much silence from its busy session (turnLivenessSeconds). */
  livenessMs: number;
  /** A session older than this is aborted and its turn recovered (sessionTtlMinutes). */
  sessionTtlMs: number;
  /** A permission or question shown to the user and not answered within this is declined, the agent told (permissionTimeoutMinutes). */
  permissionTimeoutMs: number;
  /** An acceptance check running longer is stopped and counts as failed (checkTimeoutSeconds). */
  checkTimeoutMs: number;
  /** Attempts per turn before its TODO fails (recoveryAttempts). */
  recoveryAttempts: number;
  /** First backoff delay of the recovery policy; doubles per attempt, with jitter. */
  recoveryBaseDelayMs: number;
  /** Finished TODO records kept whole in memory; older ones are archived to disk as stubs stay. */
  maxTasksInMemory: number;
  /** A plan estimated above this many US dollars waits for the user (orchestrator.approvePlan "aboveCost"). */
  approveAboveUsd: number;
}

/** The limits a setting feeds (settingsTable's `feeds`). */
export type SettingLimits = Pick<CommanderLimits, "maxParallelSessions" | "maxIterations" | "recoveryAttempts" | "maxTasksInMemory" | "livenessMs" | "sessionTtlMs" | "checkTimeoutMs" | "permissionTimeoutMs" | "budget" | "approveAboveUsd">;

/** Setting values (already validated) converted to the limits they feed, in the Commander's units. */
export function limitsFromSettings(values: NumberSettingValues): SettingLimits {
  const fed = (key: NumberSettingKey): number => values[key] * (NUMBER_SETTINGS[key].scale ?? 1);
  const maxTokens = fed("budget.maxTokens");
  const maxCostUsd = fed("budget.maxCostUsd");
  return {
    maxParallelSessions: fed("maxParallelSessions"),
    maxIterations: fed("maxIterations"),
    recoveryAttempts: fed("recoveryAttempts"),
    maxTasksInMemory: fed("maxTasksInMemory"),
    livenessMs: fed("turnLivenessSeconds"),
    sessionTtlMs: fed("sessionTtlMinutes"),
    checkTimeoutMs: fed("checkTimeoutSeconds"),
    permissionTimeoutMs: fed("permissionTimeoutMinutes"),
    approveAboveUsd: fed("approveAboveUsd"),
    // 0 means no budget.
    budget: maxTokens || maxCostUsd ? { maxTokens: maxTokens || undefined, maxCostUsd: maxCostUsd || undefined } : undefined,
  };
}

export const DEFAULT_LIMITS: CommanderLimits = {
  ...limitsFromSettings(NUMBER_DEFAULTS),
  // No setting for these: they tune the plan/review loop, not the user's resources.
  maxAttemptsPerTodo: 3,
  maxPlanAttempts: 3,
  maxReplans: 3,
  integrationThreshold: 0.8,
  recoveryBaseDelayMs: 1_000,
};
