/**
 * Typed access to the `orchestrator.*` settings. An invalid value never stops the user: it is
 * replaced by the default and a warning names the setting and the value used instead.
 */
import * as vscode from "vscode";
import { parseModelRef, type ModelRef } from "../orchestrator/engine/turn";
import type { Logger } from "../orchestrator/logger";

export type DemoMode = "auto" | "always" | "never";

export interface OrchestratorSettings {
  opencodePath: string;
  serverUrl: string;
  model: ModelRef | undefined;
  demoMode: DemoMode;
  turnLivenessMs: number;
}

const LIVENESS = { key: "turnLivenessSeconds", default: 300, min: 10, max: 3600 };

export function readSettings(logger: Logger, warn: (message: string) => void): OrchestratorSettings {
  const config = vscode.workspace.getConfiguration("orchestrator");
  const problems: string[] = [];

  let model: ModelRef | undefined;
  const rawModel = config.get<string>("model", "");
  try {
    model = parseModelRef(rawModel);
  } catch {
    problems.push(`orchestrator.model "${rawModel}" is not of the form provider/model; using OpenCode's default model instead.`);
  }

  let liveness = config.get<number>(LIVENESS.key, LIVENESS.default);
  if (typeof liveness !== "number" || !Number.isFinite(liveness) || liveness < LIVENESS.min || liveness > LIVENESS.max) {
    problems.push(`orchestrator.${LIVENESS.key} ${JSON.stringify(liveness)} is outside ${LIVENESS.min}–${LIVENESS.max}; using ${LIVENESS.default}.`);
    liveness = LIVENESS.default;
  }

  let demoMode = config.get<string>("demoMode", "auto") as DemoMode;
  if (!["auto", "always", "never"].includes(demoMode)) {
    problems.push(`orchestrator.demoMode "${demoMode}" is not auto, always or never; using auto.`);
    demoMode = "auto";
  }

  for (const problem of problems) {
    logger.warn(problem);
    warn(problem);
  }
  return {
    opencodePath: config.get<string>("opencode.path", "").trim(),
    serverUrl: config.get<string>("opencode.serverUrl", "").trim(),
    model,
    demoMode,
    turnLivenessMs: liveness * 1000,
  };
}
