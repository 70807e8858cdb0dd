/**
 * The TODOs view: mission → TODOs → detail, rendered from the core's read model. Each update names
 * the TODOs that changed: only those nodes (and the mission's) are refreshed, a few times a second
 * at most; the whole tree only when its shape changed.
 */
import * as vscode from "vscode";
import type { MissionFeed, ModelUpdate } from "../../shared/feed";
import { Coalescer } from "../viewModels/coalescer";
import { missionNode, planAnswerNodes, todoDetailNodes, todoNode, todoNodeId, type NodeModel } from "../viewModels/treeModels";
import { toTreeItem } from "./treeItems";
import { Disposable } from "../lifecycle";

export class TodoTreeProvider extends Disposable implements vscode.TreeDataProvider<string> {
  private readonly changed = this._register(new vscode.EventEmitter<string | string[] | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  private nodes = new Map<string, NodeModel>();
  private children = new Map<string, string[]>();
  private parents = new Map<string, string>();
  private roots: string[] = [];
  private readonly refresh = this._register(new Coalescer<string>((ids) => this.changed.fire(ids === "all" ? undefined : [...ids]), 200));
  /** Which plan's answers the tree lists (they come and go with the question, not with the TODOs). */
  private answersFor?: string;

  constructor(private readonly view: MissionFeed) {
    super();
    this.rebuild();
    this._register(view.updates.on((update) => this.update(update)));
  }

  private update(update: ModelUpdate): void {
    // No mission state yet (OpenCode starting, or its start failed): only the mission node exists.
    if (update.missionChanged || update.shapeChanged || !this.view.missionId || this.answersKey() !== this.answersFor) {
      this.rebuild();
      this.refresh.markAll();
      return;
    }
    const model = this.view.model;
    const missionId = model.missionId ?? "current";
    const mission = missionNode(model);
    // The mission's own row follows its status and progress even when no TODO changed (a mission
    // that ends before it has any: a plan that never came, a Stop during planning).
    const shown = this.nodes.get(mission.id);
    if (!shown || shown.description !== mission.description || shown.icon.id !== mission.icon.id || shown.contextValue !== mission.contextValue || shown.tooltip !== mission.tooltip) {
      this.nodes.set(mission.id, mission);
      this.refresh.mark(mission.id);
    }
    if (update.todoIds.length === 0) return;
    const changed = new Set(update.todoIds);
    for (const todo of model.todos) {
      if (!changed.has(todo.id)) continue;
      const node = todoNode(missionId, todo);
      this.setTodo(node, todoDetailNodes(missionId, todo));
      this.refresh.mark(node.id);
    }
  }

  private setTodo(node: NodeModel, details: NodeModel[]): void {
    this.nodes.set(node.id, node);
    for (const old of this.children.get(node.id) ?? []) this.nodes.delete(old);
    for (const d of details) {
      this.nodes.set(d.id, d);
      this.parents.set(d.id, node.id);
    }
    if (details.length) this.children.set(node.id, details.map((d) => d.id));
    else this.children.delete(node.id);
  }

  private answersKey(): string | undefined {
    const approval = this.view.model.planApproval;
    return approval ? `${this.view.missionId}:${approval.round}` : undefined;
  }

  private rebuild(): void {
    const s = this.view.model;
    this.nodes = new Map();
    this.children = new Map();
    this.parents = new Map();
    this.roots = [];
    this.answersFor = this.answersKey();
    if (!s.mission || (s.todos.length === 0 && s.phase === "idle")) return;
    const mission = missionNode(s);
    const missionId = s.missionId ?? "current";
    this.nodes.set(mission.id, mission);
    this.roots = [mission.id];
    for (const todo of s.todos) {
      const node = todoNode(missionId, todo);
      this.setTodo(node, todoDetailNodes(missionId, todo));
      this.parents.set(node.id, mission.id);
    }
    // A plan waiting for the user: its three answers first, then its TODOs.
    const answers = planAnswerNodes(s);
    for (const answer of answers) {
      this.nodes.set(answer.id, answer);
      this.parents.set(answer.id, mission.id);
    }
    this.children.set(mission.id, [...answers.map((a) => a.id), ...s.todos.map((t) => todoNodeId(missionId, t.id))]);
  }

  getTreeItem(id: string): vscode.TreeItem {
    const node = this.nodes.get(id);
    return node ? toTreeItem(node) : new vscode.TreeItem(id);
  }

  getChildren(id?: string): string[] {
    return id ? (this.children.get(id) ?? []) : this.roots;
  }

  getParent(id: string): string | undefined {
    return this.parents.get(id);
  }
}
