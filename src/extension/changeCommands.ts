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

/**
 * `orchestrator-checkpoint:<the file's path in the workspace>?<checkpoint>`: a workspace file as it
 * was at a checkpoint. Its path is the file's own, so the diff editors see one file changed, not a
 * file renamed from another (the multi-file diff compares the two sides' paths).
 */
export function checkpointUri(checkpoint: string, folder: vscode.Uri, path: string): vscode.Uri {
  return vscode.Uri.from({ scheme: CHECKPOINT_SCHEME, path: vscode.Uri.joinPath(folder, path).path, query: checkpoint });
}

export class CheckpointContentProvider implements vscode.TextDocumentContentProvider {
  constructor(
    private readonly host: MissionHost,
    private readonly folder: vscode.Uri,
    private readonly isTrusted: () => boolean,
  ) {}

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    // Checkpoint ids are commit hashes: nothing else is ever read from the store; nothing at all untrusted.
    const root = `${this.folder.path.replace(/\/$/, "")}/`;
    if (!this.isTrusted() || !/^[0-9a-f]{40,64}$/.test(uri.query) || !uri.path.startsWith(root)) return "";
    const bytes = await this.host.readCheckpoint(uri.query, uri.path.slice(root.length));
    return bytes ? new TextDecoder().decode(bytes) : "";
  }
}

/** A side of a diff that has no file (an added file's before, a deleted file's after): an empty document. */
const absent = (path: string) => vscode.Uri.from({ scheme: CHECKPOINT_SCHEME, path: `/${path}`, query: "absent" });

/** The titles of the diff editors opened per mission: a revert or its undo closes them (what they show is gone). */
const openedTitles = new Map<string, Set<string>>();

/**
 * Opens a change set in the multi-file diff editor (`vscode.changes`), or one diff per file where
 * the host has no such editor. `focus` opens just that file's diff.
 */
export async function openChanges(set: ChangeSet, folder: vscode.Uri, focus?: string, missionId?: string): Promise<void> {
  const side = (checkpoint: string | "worktree", path: string) => (checkpoint === "worktree" ? vscode.Uri.joinPath(folder, path) : checkpointUri(checkpoint, folder, path));
  const files = focus ? set.files.filter((f) => f.path === focus) : set.files;
  if (files.length === 0) return void vscode.window.showInformationMessage(vscode.l10n.t("Orchestrator: {0} — no file changed.", set.title));
  if (missionId) openedTitles.set(missionId, (openedTitles.get(missionId) ?? new Set()).add(set.title));
  if (files.length > 1) {
    // The multi-file diff editor reads a missing side as "no file": an added file shows as added (A), a deleted one as deleted (D).
    const resources = files.map((f) => [vscode.Uri.joinPath(folder, f.path), f.status === "added" ? undefined : side(set.original, f.path), f.status === "deleted" ? undefined : side(set.modified, f.path)] as const);
    try {
      await vscode.commands.executeCommand("vscode.changes", set.title, resources);
      return;
    } catch {
      // an older VS Code: one diff per file below
    }
  }
  for (const f of files.slice(0, 20)) {
    // A two-sided diff needs both sides: an empty document stands in for the one that has no file.
    const original = f.status === "added" ? absent(f.path) : side(set.original, f.path);
    const modified = f.status === "deleted" ? absent(f.path) : side(set.modified, f.path);
    await vscode.commands.executeCommand("vscode.diff", original, modified, `${set.title} · ${f.path}`, { preview: files.length === 1 });
  }
}

/**
 * Closes the diff editors opened on a mission's changes (Review Mission Changes, Show Changes):
 * after a revert or its undo they show files as they no longer are. Opening them again shows now.
 */
export async function closeChangeEditors(missionId: string): Promise<void> {
  const titles = openedTitles.get(missionId);
  if (!titles?.size) return;
  const ours = (label: string) => [...titles].some((title) => label.startsWith(title));
  const tabs = vscode.window.tabGroups.all.flatMap((group) => group.tabs).filter((tab) => ours(tab.label) && isDiffTab(tab));
  openedTitles.delete(missionId);
  if (tabs.length) await vscode.window.tabGroups.close(tabs, true);
}

/** A diff editor: two-sided (TabInputTextDiff), or the multi-file one (its input lists its diffs; the API has no class for it yet). */
function isDiffTab(tab: vscode.Tab): boolean {
  if (tab.input instanceof vscode.TabInputTextDiff) return tab.input.original.scheme === CHECKPOINT_SCHEME || tab.input.modified.scheme === CHECKPOINT_SCHEME;
  const input = tab.input as { textDiffs?: unknown } | undefined;
  return Array.isArray(input?.textDiffs) || input === undefined;
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
