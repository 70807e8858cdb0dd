/**
 * A mission's report as a read-only document of its own scheme: Show Mission Report opens it like
 * a file (Markdown, titled with the mission), and closing it never asks to save an Untitled copy.
 */
import * as vscode from "vscode";
import type { MissionHost } from "../orchestrator/host/missionHost";
import { missionLabel } from "../shared/mission";

export const REPORT_SCHEME = "orchestrator-report";

/** `orchestrator-report:/Report — <mission>.md?<missionId>`: the name is for the tab, the query says which mission. */
export function reportUri(missionId: string, mission: string): vscode.Uri {
  // A path segment of its own: no slash or backslash of the mission's text may make it a folder.
  const name = missionLabel(mission, 50).replace(/[\\/:*?"<>|#%]/g, " ").trim() || missionId;
  return vscode.Uri.from({ scheme: REPORT_SCHEME, path: `/${vscode.l10n.t("Report — {0}", name)}.md`, query: missionId });
}

export class ReportContentProvider implements vscode.TextDocumentContentProvider {
  constructor(
    private readonly host: MissionHost,
    private readonly isTrusted: () => boolean,
  ) {}

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    // The report is read from the workspace's mission state: nothing of it in Restricted Mode.
    if (!this.isTrusted()) return "";
    return (await this.host.reportOf(uri.query)) ?? vscode.l10n.t("This mission has no report yet.");
  }
}
