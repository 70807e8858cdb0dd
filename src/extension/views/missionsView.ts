/**
 * The Missions view: the workspace's history, newest first — each mission with its status, date,
 * progress, tokens and cost. Open shows it in the other views; its report, changes, Resume and
 * Delete are in the context menu.
 */
import * as vscode from "vscode";
import type { MissionHost } from "../../orchestrator/host/missionHost";
import { missionLabel } from "../../shared/mission";
import type { MissionSummary } from "../../shared/missionSummary";
import { Coalescer } from "../viewModels/coalescer";
import { COMMANDS } from "../../shared/commands";
import { Disposable } from "../lifecycle";

const ICON: Record<string, vscode.ThemeIcon> = {
  sealed: new vscode.ThemeIcon("verified-filled", new vscode.ThemeColor("testing.iconPassed")),
  failed: new vscode.ThemeIcon("error", new vscode.ThemeColor("testing.iconFailed")),
  stopped: new vscode.ThemeIcon("debug-pause"),
  incomplete: new vscode.ThemeIcon("warning", new vscode.ThemeColor("charts.yellow")),
  "budget-exhausted": new vscode.ThemeIcon("credit-card"),
  "awaiting-approval": new vscode.ThemeIcon("question", new vscode.ThemeColor("charts.yellow")),
  interrupted: new vscode.ThemeIcon("debug-pause", new vscode.ThemeColor("charts.orange")),
  reverted: new vscode.ThemeIcon("discard", new vscode.ThemeColor("charts.orange")),
  running: new vscode.ThemeIcon("sync~spin"),
  planning: new vscode.ThemeIcon("sync~spin"),
};

/** The tree item of one mission: what a person scanning the history needs. */
export function missionItem(m: MissionSummary, shown: boolean, now = Date.now()): vscode.TreeItem {
  const item = new vscode.TreeItem(missionLabel(m.mission));
  item.id = `history:${m.missionId}`;
  const when = new Date(m.createdAt).toLocaleString();
  const cost = m.cost ? `$${m.cost.toFixed(4)}` : "";
  item.description = [m.status, m.done, ago(now - m.updatedAt), cost, shown ? vscode.l10n.t("shown") : "", m.notOurs ? vscode.l10n.t("not yours") : ""].filter(Boolean).join(" · ");
  item.tooltip = [m.mission, vscode.l10n.t("Started {0}", when), `${m.status}: ${m.done}`, vscode.l10n.t("{0} tokens · ${1}", m.tokens.toLocaleString("en"), m.cost.toFixed(4)), m.model ? vscode.l10n.t("Model: {0}", m.model) : "", m.notOurs ? vscode.l10n.t("Shown only: {0}", m.notOurs) : ""].filter(Boolean).join("\n");
  item.iconPath = ICON[m.status] ?? new vscode.ThemeIcon("target");
  item.contextValue = `orchestrator:pastMission${m.resumable ? "+resumable" : ""}${m.hasReport ? "+report" : ""}`;
  item.command = { command: COMMANDS.openMission, title: vscode.l10n.t("Open Mission"), arguments: [m.missionId] };
  return item;
}

function ago(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return vscode.l10n.t("just now");
  if (minutes < 60) return vscode.l10n.t("{0} min ago", minutes);
  const hours = Math.round(minutes / 60);
  return hours < 48 ? vscode.l10n.t("{0} h ago", hours) : vscode.l10n.t("{0} days ago", Math.round(hours / 24));
}

export class MissionsProvider extends Disposable implements vscode.TreeDataProvider<MissionSummary> {
  private readonly changed = this._register(new vscode.EventEmitter<undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  // A mission's own progress changes many times a second; the list is re-read at most once a second.
  private readonly refresh = this._register(new Coalescer<string>(() => this.changed.fire(undefined), 1_000));
  // Its status changes a few times a mission: the list follows on the same update as the TODO tree.
  private readonly statusChange = this._register(new Coalescer<string>(() => this.changed.fire(undefined), 200));
  /** The shown mission's status as the list last showed it. */
  private shownStatus = "";

  constructor(
    private readonly host: MissionHost,
    /** In Restricted Mode the workspace's mission state is not read: the history stays empty. */
    private readonly trusted: () => boolean,
  ) {
    super();
    this._register(
      host.view.updates.on((update) => {
        const m = host.view.model;
        const status = `${m.missionId}:${m.status}:${m.resumable}`;
        if (status !== this.shownStatus) {
          this.shownStatus = status;
          this.statusChange.markAll();
        } else if (update.missionChanged || update.shapeChanged || update.todoIds.length) this.refresh.markAll();
      }),
    );
  }

  /** After an action that changed the list (a deletion). */
  reload(): void {
    this.changed.fire(undefined);
  }

  getTreeItem(m: MissionSummary): vscode.TreeItem {
    return missionItem(m, m.missionId === this.host.view.missionId);
  }

  getChildren(parent?: MissionSummary): Promise<MissionSummary[]> | MissionSummary[] {
    return parent || !this.trusted() ? [] : this.host.missions();
  }
}
