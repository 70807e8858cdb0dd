/** The core's Logger on a VS Code LogOutputChannel ("Orchestrator"), behind the redacting wrapper. */
import * as vscode from "vscode";
import { RedactingLogger, type Logger } from "../orchestrator/host/missionHost";

export function createLogChannel(): { channel: vscode.LogOutputChannel; logger: RedactingLogger } {
  const channel = vscode.window.createOutputChannel(vscode.l10n.t("Orchestrator"), { log: true });
  const sink: Logger = {
    trace: (m) => channel.trace(m),
    debug: (m) => channel.debug(m),
    info: (m) => channel.info(m),
    warn: (m) => channel.warn(m),
    error: (m) => channel.error(m),
  };
  return { channel, logger: new RedactingLogger(sink) };
}
