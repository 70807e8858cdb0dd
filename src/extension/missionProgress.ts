/**
 * One consolidated progress notification per mission (cancellable = stop), updated as TODOs
 * finish; never a toast per task.
 */
import * as vscode from "vscode";
import type { RunSnapshot } from "../shared/protocol";
import { isFinishedStatus } from "../orchestrator/todo/todoGraph";

export function showMissionProgress(label: string, onDidChange: vscode.Event<RunSnapshot>, finished: Promise<unknown>, stop: () => void): void {
  void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Orchestrator: ${label}`, cancellable: true }, (progress, token) => {
    token.onCancellationRequested(stop);
    let reported = 0;
    const sub = onDidChange((s) => {
      const total = s.todos.length;
      const done = s.todos.filter((t) => isFinishedStatus(t.status)).length;
      const percent = total ? Math.round((done / total) * 100) : 0;
      const message = s.status === "planning" || !total ? "planning…" : `${done}/${total} done · ${s.running} running`;
      progress.report({ message, increment: Math.max(0, percent - reported) });
      reported = Math.max(reported, percent);
    });
    return finished.finally(() => sub.dispose());
  });
}
