/**
 * The TODOs view: mission → TODOs → detail. A projection of the runner's snapshot; only the nodes
 * whose model changed are refreshed, a few times a second at most.
 */
import * as vscode from "vscode";
import type { RunSnapshot } from "../../shared/protocol";
import { Coalescer } from "../viewModels/coalescer";
import type { SessionRegistry } from "../viewModels/sessionRegistry";
import { missionNode, todoDetailNodes, todoNode, type NodeModel } from "../viewModels/treeModels";
import { toTreeItem } from "./treeItems";

export interface TodoSource {
  readonly snapshot: RunSnapshot;
  readonly onDidChange: vscode.Event<RunSnapshot>;
  readonly sessions: SessionRegistry;
}

export class TodoTreeProvider implements vscode.TreeDataProvider<string>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<string | string[] | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private nodes = new Map<string, NodeModel>();
  private children = new Map<string, string[]>();
  private roots: string[] = [];
  private readonly refresh = new Coalescer<string>((ids) => this.changed.fire(ids === "all" ? undefined : [...ids]), 200);
  private readonly subscription: vscode.Disposable;

  constructor(private readonly source: TodoSource) {
    this.rebuild();
    this.subscription = source.onDidChange(() => this.update());
  }

  /** Rebuilds the models and marks only the nodes that differ (or all when the shape changed). */
  private update(): void {
    const before = this.nodes;
    const beforeShape = JSON.stringify([this.roots, [...this.children]]);
    this.rebuild();
    if (JSON.stringify([this.roots, [...this.children]]) !== beforeShape) {
      this.refresh.markAll();
      return;
    }
    for (const [id, node] of this.nodes) {
      if (JSON.stringify(before.get(id)) !== JSON.stringify(node)) this.refresh.mark(id);
    }
  }

  private rebuild(): void {
    const s = this.source.snapshot;
    this.nodes = new Map();
    this.children = new Map();
    this.roots = [];
    if (!s.mission || (s.todos.length === 0 && s.phase === "idle")) return;
    const mission = missionNode(s);
    const missionId = s.missionId ?? "current";
    this.nodes.set(mission.id, mission);
    this.roots = [mission.id];
    const todoIds: string[] = [];
    for (const todo of s.todos) {
      const node = todoNode(missionId, todo, (id) => this.source.sessions.get(id));
      this.nodes.set(node.id, node);
      todoIds.push(node.id);
      const details = todoDetailNodes(missionId, todo);
      for (const d of details) this.nodes.set(d.id, d);
      if (details.length) this.children.set(node.id, details.map((d) => d.id));
    }
    this.children.set(mission.id, todoIds);
  }

  getTreeItem(id: string): vscode.TreeItem {
    const node = this.nodes.get(id);
    return node ? toTreeItem(node) : new vscode.TreeItem(id);
  }

  getChildren(id?: string): string[] {
    return id ? (this.children.get(id) ?? []) : this.roots;
  }

  getParent(id: string): string | undefined {
    for (const [parent, kids] of this.children) if (kids.includes(id)) return parent;
    return undefined;
  }

  dispose(): void {
    this.subscription.dispose();
    this.refresh.dispose();
    this.changed.dispose();
  }
}
