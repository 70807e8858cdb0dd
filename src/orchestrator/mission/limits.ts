/** The limits a mission runs under: the user's settings over these defaults. */
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
  livenessMs?: number;
  /** A session older than this is aborted and its turn recovered (sessionTtlMinutes). */
  sessionTtlMs: number;
  /** Attempts per turn before its TODO fails (recoveryAttempts). */
  recoveryAttempts: number;
  /** First backoff delay of the recovery policy; doubles per attempt, with jitter. */
  recoveryBaseDelayMs: number;
  /** Finished TODO records kept whole in memory; older ones are archived to disk as stubs stay. */
  maxTasksInMemory: number;
}

export const DEFAULT_LIMITS: CommanderLimits = {
  maxParallelSessions: 10,
  maxIterations: 20,
  maxAttemptsPerTodo: 3,
  maxPlanAttempts: 3,
  maxReplans: 3,
  integrationThreshold: 0.8,
  recoveryAttempts: 3,
  recoveryBaseDelayMs: 1_000,
  maxTasksInMemory: 1_000,
  sessionTtlMs: 60 * 60_000,
};
