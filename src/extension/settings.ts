/**
 * Typed access to the `orchestrator.*` settings. An invalid value never stops the user: it is
 * replaced by the default and a warning names the setting and the value used instead. Every check
 * lives in the core (host/hostSettings.ts); this file only hands it VS Code's configuration.
 */
import * as vscode from "vscode";
import { readHostSettings, type HostSettings, type Logger } from "../orchestrator/host/missionHost";

/** The settings a mission runs with: what the core's front door asks for. */
export type OrchestratorSettings = HostSettings;

export function readSettings(logger: Logger, warn: (message: string) => void): OrchestratorSettings {
  const config = vscode.workspace.getConfiguration("orchestrator");
  const { settings, problems } = readHostSettings((key) => {
    const layers = config.inspect<unknown>(key);
    return { user: layers?.globalValue, workspace: layers?.workspaceFolderValue ?? layers?.workspaceValue };
  });
  for (const problem of problems) {
    logger.warn(problem);
    warn(problem);
  }
  return settings;
}
