/**
 * Typed access to the `orchestrator.*` settings. An invalid value never stops the user: it is
 * replaced by the default and a warning names the setting and the value used instead.
 */
import * as vscode from "vscode";
import { ROLES, type Role } from "../orchestrator/domain/roles";
import type { HostSettings } from "../orchestrator/host/hostSettings";
import { parseModelRef, type ModelRef } from "../orchestrator/domain/modelRef";
import type { Logger } from "../orchestrator/logger";
import { limitsFromSettings } from "../orchestrator/mission/limits";
import { checkDemoMode, checkNumber, NUMBER_SETTINGS, NUMBER_KEYS, STRING_SETTINGS, type NumberSettingValues, type StringSettingKey } from "../orchestrator/settingsTable";

/** The settings a mission runs with: what the core's front door asks for. */
export type OrchestratorSettings = HostSettings;

export function readSettings(logger: Logger, warn: (message: string) => void): OrchestratorSettings {
  const config = vscode.workspace.getConfiguration("orchestrator");
  const problems: string[] = [];
  const stringOf = (key: StringSettingKey): string => config.get<string>(key, STRING_SETTINGS[key].default);

  const modelOf = (key: "model" | `models.${Role}`): ModelRef | undefined => {
    const raw = stringOf(key);
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

  const demoMode = checkDemoMode(stringOf("demoMode"));
  if (demoMode.problem) problems.push(demoMode.problem);

  const numbers = {} as NumberSettingValues;
  for (const key of NUMBER_KEYS) {
    const checked = checkNumber(key, config.get<unknown>(key, NUMBER_SETTINGS[key].default));
    if (checked.problem) problems.push(checked.problem);
    numbers[key] = checked.value;
  }

  for (const problem of problems) {
    logger.warn(problem);
    warn(problem);
  }
  return {
    opencodePath: stringOf("opencode.path").trim(),
    serverUrl: stringOf("opencode.serverUrl").trim(),
    model,
    models,
    demoMode: demoMode.value,
    limits: limitsFromSettings(numbers),
  };
}
