/**
 * The Sessions view: every OpenCode session of the mission shown, with role, TODO, status, elapsed
 * time, tokens and cost. Changed sessions refresh alone; elapsed times tick once a second while any runs.
 */
import * as vscode from "vscode";
import type { MissionFeed } from "../../shared/feed";
import { Coalescer } from "../viewModels/coalescer";
import { sessionNode, sessionNodeId } from "../viewModels/treeModels";
import { toTreeItem } from "./treeItems";
import { Disposable, toDisposable } from "../lifecycle";

export class SessionsProvider extends Disposable implements vscode.TreeDataProvider<string> {
  private readonly changed = this._register(new vscode.EventEmitter<string | string[] | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  private order: string[] = [];
  private readonly refresh = this._register(new Coalescer<string>((ids) => this.changed.fire(ids === "all" ? undefined : [...ids]), 250));

  constructor(private readonly view: MissionFeed) {
    super();
    this._register(
      view.updates.on((update) => {
        if (update.missionChanged) return this.refresh.markAll();
        if (update.sessionIds.length === 0) return;
        const order = view.sessions.map((s) => sessionNodeId(s.id));
        if (order.join() !== this.order.join()) this.refresh.markAll();
        else for (const id of update.sessionIds) this.refresh.mark(sessionNodeId(id));
      }),
    );
    // Elapsed times tick while sessions run.
    const ticker = setInterval(() => {
      for (const s of view.sessions) if (s.endedAt === undefined) this.refresh.mark(sessionNodeId(s.id));
    }, 1000);
    this._register(toDisposable(() => clearInterval(ticker)));
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
}
