/**
 * The agents' changes in VS Code's own diff editor — Show Changes (a TODO), Review Mission Changes
 * — and Revert / Undo Revert with the confirmations they need. The original side of a diff is a
 * file as it was at one of the orchestrator's checkpoints, served read-only under its own scheme.
 */
import * as vscode from "vscode";
import type { MissionHost } from "../orchestrator/host/missionHost";
import type { ActionResult } from "../shared/actions";
import type { ChangeSet } from "../shared/changes";

export const CHECKPOINT_SCHEME = "orchestrator-checkpoint";

/** `orchestrator-checkpoint:/<path>?<checkpoint>`: a workspace file as it was at a checkpoint. */
export function checkpointUri(checkpoint: string, path: string): vscode.Uri {
  return vscode.Uri.from({ scheme: CHECKPOINT_SCHEME, path: `/${path}`, query: checkpoint });
}

export class CheckpointContentProvider implements vscode.TextDocumentContentProvider {
  constructor(
    private readonly host: MissionHost,
    private readonly isTrusted: () => boolean,
  ) {}

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    // Checkpoint ids are commit hashes: nothing else is ever read from the store; nothing at all untrusted.
    if (!this.isTrusted() || !/^[0-9a-f]{40,64}$/.test(uri.query)) return "";
    const bytes = await this.host.readCheckpoint(uri.query, uri.path.replace(/^\//, ""));
    return bytes ? new TextDecoder().decode(bytes) : "";
  }
}

/**
 * Opens a change set in the multi-file diff editor (`vscode.changes`), or one diff per file where
 * the host has no such editor. `focus` opens just that file's diff.
 */
export async function openChanges(set: ChangeSet, folder: vscode.Uri, focus?: string): Promise<void> {
  const side = (checkpoint: string | "worktree", path: string) => (checkpoint === "worktree" ? vscode.Uri.joinPath(folder, path) : checkpointUri(checkpoint, path));
  const files = focus ? set.files.filter((f) => f.path === focus) : set.files;
  if (files.length === 0) return void vscode.window.showInformationMessage(vscode.l10n.t("Orchestrator: {0} — no file changed.", set.title));
  const resources = files.map((f) => {
    const original = side(set.original, f.path);
    // A file deleted in the workspace has no working copy to show: an empty document stands in.
    const modified = set.modified === "worktree" && f.status === "deleted" ? vscode.Uri.from({ scheme: CHECKPOINT_SCHEME, path: `/${f.path}`, query: "absent" }) : side(set.modified, f.path);
    return [vscode.Uri.joinPath(folder, f.path), original, modified] as const;
  });
  if (resources.length > 1) {
    try {
      await vscode.commands.executeCommand("vscode.changes", set.title, resources);
      return;
    } catch {
      // an older VS Code: one diff per file below
    }
  }
  for (const [, original, modified] of resources.slice(0, 20)) {
    await vscode.commands.executeCommand("vscode.diff", original, modified, `${set.title} · ${modified.path.replace(/^\//, "")}`, { preview: resources.length === 1 });
  }
}

/**
 * Runs a revert (or its undo) and, when files were changed after the agents' last write, asks
 * before overwriting them. `what` names it ("Revert TODO T3"). Returns whether it happened.
 */
export async function confirmRevert(what: string, run: (force: boolean) => Promise<ActionResult>): Promise<boolean> {
  let result = await run(false);
  if (!result.ok && result.conflicts?.length) {
    const overwrite = vscode.l10n.t("Overwrite");
    const choice = await vscode.window.showWarningMessage(
      vscode.l10n.t("Orchestrator: {0} would overwrite {1} file(s) changed after the agents' last write: {2}.", what, result.conflicts.length, `${result.conflicts.slice(0, 5).join(", ")}${result.conflicts.length > 5 ? ", …" : ""}`),
      { modal: true, detail: vscode.l10n.t("Your edits to these files are lost unless you undo the revert.") },
      overwrite,
    );
    if (choice !== overwrite) return false;
    result = await run(true);
  }
  if (!result.ok) {
    void vscode.window.showWarningMessage(vscode.l10n.t("Orchestrator: cannot {0}: {1}", `${what.charAt(0).toLowerCase()}${what.slice(1)}`, result.reason));
    return false;
  }
  const left = result.notRestored ?? [];
  if (left.length) void vscode.window.showWarningMessage(vscode.l10n.t("Orchestrator: not restored: {0}.", `${left.slice(0, 5).map((f) => `${f.path} — ${f.why}`).join("; ")}${left.length > 5 ? "; …" : ""}`));
  return true;
}
