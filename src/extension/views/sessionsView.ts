/**
 * The Sessions view: every OpenCode session of the mission shown, with role, TODO, status, elapsed
 * time, tokens and cost. Changed sessions refresh alone; elapsed times tick once a second while any runs.
 */
import * as vscode from "vscode";
import type { MissionFeed } from "../../shared/feed";
import { Coalescer } from "../viewModels/coalescer";
import { sessionNode, sessionNodeId } from "../viewModels/treeModels";
import { toTreeItem } from "./treeItems";

export class SessionsProvider implements vscode.TreeDataProvider<string>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<string | string[] | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private order: string[] = [];
  private readonly refresh = new Coalescer<string>((ids) => this.changed.fire(ids === "all" ? undefined : [...ids]), 250);
  private readonly subscription: { dispose(): void };
  private readonly ticker: NodeJS.Timeout;

  constructor(private readonly view: MissionFeed) {
    this.subscription = view.updates.on((update) => {
      if (update.missionChanged) return this.refresh.markAll();
      if (update.sessionIds.length === 0) return;
      const order = view.sessions.map((s) => sessionNodeId(s.id));
      if (order.join() !== this.order.join()) this.refresh.markAll();
      else for (const id of update.sessionIds) this.refresh.mark(sessionNodeId(id));
    });
    this.ticker = setInterval(() => {
      for (const s of view.sessions) if (s.endedAt === undefined) this.refresh.mark(sessionNodeId(s.id));
    }, 1000);
  }

  getTreeItem(id: string): vscode.TreeItem {
    const record = this.view.session(id.slice("session:".length));
    return record ? toTreeItem(sessionNode(record, Date.now())) : new vscode.TreeItem(id);
  }

  getChildren(id?: string): string[] {
    if (id) return [];
    this.order = this.view.sessions.map((s) => sessionNodeId(s.id));
    return this.order;
  }

  dispose(): void {
    clearInterval(this.ticker);
    this.subscription.dispose();
    this.refresh.dispose();
    this.changed.dispose();
  }
}
