/**
 * Typed access to the `orchestrator.*` settings. An invalid value never stops the user: it is
 * replaced by the default and a warning names the setting and the value used instead.
 */
import * as vscode from "vscode";
import { parseModelRef, type ModelRef } from "../orchestrator/engine/turn";
import type { Logger } from "../orchestrator/logger";
import type { CommanderLimits } from "../orchestrator/mission/limits";
import { ROLES, type Role } from "../orchestrator/domain/roles";

export type DemoMode = "auto" | "always" | "never";

export interface OrchestratorSettings {
  opencodePath: string;
  serverUrl: string;
  model: ModelRef | undefined;
  demoMode: DemoMode;
  /** Per-role models (orchestrator.models.<role>), over `model`. */
  models: Partial<Record<Role, ModelRef>>;
  limits: Partial<CommanderLimits>;
}

interface NumberSetting {
  key: string;
  default: number;
  min: number;
  max: number;
  integer: boolean;
}

const NUMBERS = {
  maxParallelSessions: { key: "maxParallelSessions", default: 10, min: 1, max: 50, integer: true },
  maxIterations: { key: "maxIterations", default: 20, min: 1, max: 200, integer: true },
  recoveryAttempts: { key: "recoveryAttempts", default: 3, min: 1, max: 10, integer: true },
  maxTasksInMemory: { key: "maxTasksInMemory", default: 1000, min: 10, max: 1_000_000, integer: true },
  turnLivenessSeconds: { key: "turnLivenessSeconds", default: 300, min: 10, max: 3600, integer: false },
  sessionTtlMinutes: { key: "sessionTtlMinutes", default: 60, min: 1, max: 24 * 60, integer: false },
  maxTokens: { key: "budget.maxTokens", default: 0, min: 0, max: Number.MAX_SAFE_INTEGER, integer: true },
  maxCostUsd: { key: "budget.maxCostUsd", default: 0, min: 0, max: 1_000_000, integer: false },
} satisfies Record<string, NumberSetting>;

export function readSettings(logger: Logger, warn: (message: string) => void): OrchestratorSettings {
  const config = vscode.workspace.getConfiguration("orchestrator");
  const problems: string[] = [];

  const numberOf = (s: NumberSetting): number => {
    const value = config.get<unknown>(s.key, s.default);
    const ok = typeof value === "number" && Number.isFinite(value) && value >= s.min && value <= s.max && (!s.integer || Number.isInteger(value));
    if (ok) return value;
    problems.push(`orchestrator.${s.key} ${JSON.stringify(value)} is not ${s.integer ? "a whole number" : "a number"} in ${s.min}–${s.max}; using ${s.default}.`);
    return s.default;
  };

  const modelOf = (key: string): ModelRef | undefined => {
    const raw = config.get<string>(key, "");
    try {
      return parseModelRef(raw);
    } catch {
      problems.push(`orchestrator.${key} "${raw}" is not of the form provider/model; using ${key === "model" ? "OpenCode's default model" : "orchestrator.model"} instead.`);
      return undefined;
    }
  };
  const model = modelOf("model");
  const models: Partial<Record<Role, ModelRef>> = {};
  for (const role of ROLES) {
    const m = modelOf(`models.${role}`);
    if (m) models[role] = m;
  }

  let demoMode = config.get<string>("demoMode", "auto") as DemoMode;
  if (!["auto", "always", "never"].includes(demoMode)) {
    problems.push(`orchestrator.demoMode "${demoMode}" is not auto, always or never; using auto.`);
    demoMode = "auto";
  }

  const maxTokens = numberOf(NUMBERS.maxTokens);
  const maxCostUsd = numberOf(NUMBERS.maxCostUsd);
  const limits: Partial<CommanderLimits> = {
    maxParallelSessions: numberOf(NUMBERS.maxParallelSessions),
    maxIterations: numberOf(NUMBERS.maxIterations),
    recoveryAttempts: numberOf(NUMBERS.recoveryAttempts),
    maxTasksInMemory: numberOf(NUMBERS.maxTasksInMemory),
    livenessMs: numberOf(NUMBERS.turnLivenessSeconds) * 1000,
    sessionTtlMs: numberOf(NUMBERS.sessionTtlMinutes) * 60_000,
    // 0 means no budget.
    budget: maxTokens || maxCostUsd ? { maxTokens: maxTokens || undefined, maxCostUsd: maxCostUsd || undefined } : undefined,
  };

  for (const problem of problems) {
    logger.warn(problem);
    warn(problem);
  }
  return {
    opencodePath: config.get<string>("opencode.path", "").trim(),
    serverUrl: config.get<string>("opencode.serverUrl", "").trim(),
    model,
    models,
    demoMode,
    limits,
  };
}
