/**
 * One consolidated progress notification per mission (cancellable = stop), showing the read
 * model's progress line as TODOs finish; never a toast per task.
 */
import * as vscode from "vscode";
import type { MissionFeed } from "../shared/feed";

export function showMissionProgress(label: string, view: MissionFeed, finished: Promise<unknown>, stop: () => void): void {
  void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t("Orchestrator: {0}", label), cancellable: true }, (progress, token) => {
    token.onCancellationRequested(stop);
    let reported = 0;
    let message = "";
    const sub = view.updates.on(() => {
      const m = view.model;
      const percent = m.counts.total ? Math.round((m.counts.finished / m.counts.total) * 100) : 0;
      const next = m.progress;
      if (next === message && percent === reported) return;
      message = next;
      progress.report({ message, increment: Math.max(0, percent - reported) });
      reported = Math.max(reported, percent);
    });
    return finished.finally(() => sub.dispose());
  });
}
