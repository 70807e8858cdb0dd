/**
 * The plan as a picture: one box per TODO coloured by its status, an arrow per dependency. Snapshots
 * arrive several times a second, so an update only recolours the boxes it has; the layout (dagre,
 * see graphLayout.ts) runs again only when the TODOs or their dependencies changed. Large plans
 * are shown whole, scaled to fit, or at actual size in a scrolling box (the button toggles).
 */
import * as l10n from "@vscode/l10n";
import type { MissionModel } from "../src/shared/mission";
import { dependencies, graphShape, layoutGraph, NODE_HEIGHT, NODE_WIDTH, type GraphLayout } from "./graphLayout";
import { classPart, clip, svg } from "./svg";

/** Taller than this, a graph is scaled down to fit only when asked: its boxes would be unreadable. */
const FIT_HEIGHT = 420;
/** Plans up to this size open scaled to fit; larger ones at actual size. */
const FIT_BY_DEFAULT = 30;
const FINISHED = new Set(["done", "skipped"]);

type TodoModel = MissionModel["todos"][number];

interface NodeParts {
  group: SVGGElement;
  title: SVGTitleElement;
  status: SVGTextElement;
  label: SVGTextElement;
}

export class TodoGraph {
  readonly element: HTMLElement;
  private readonly canvas: SVGSVGElement;
  private readonly scroller: HTMLElement;
  private readonly zoomButton: HTMLElement;
  private readonly caption: HTMLElement;
  private shape = "";
  private layout: GraphLayout = { width: 0, height: 0, nodes: [], edges: [] };
  private readonly nodes = new Map<string, NodeParts>();
  private edges: Array<{ path: SVGPathElement; from: string; to: string }> = [];
  /** The user's choice; until then it follows the plan's size. */
  private zoom?: "fit" | "actual";
  private selected?: string;
  /** The box's width the last scale was computed for. */
  private room = 0;

  constructor() {
    this.canvas = svg("svg", { class: "todo-graph", "data-testid": "todo-graph", role: "group" });
    this.scroller = document.createElement("div");
    this.scroller.className = "graph-scroll";
    this.scroller.append(this.canvas);
    this.zoomButton = document.createElement("vscode-button");
    this.zoomButton.setAttribute("secondary", "");
    this.zoomButton.setAttribute("data-testid", "graph-zoom");
    this.zoomButton.addEventListener("click", () => {
      this.zoom = this.fitted() ? "actual" : "fit";
      this.scale();
    });
    const heading = document.createElement("h2");
    heading.textContent = l10n.t("Plan");
    this.caption = document.createElement("span");
    this.caption.className = "picture-caption";
    const head = document.createElement("div");
    head.className = "picture-head";
    head.append(heading, this.caption, this.zoomButton);
    this.element = document.createElement("section");
    this.element.className = "picture graph-picture";
    this.element.setAttribute("data-testid", "graph-picture");
    this.element.append(head, this.scroller);
    // The box's width is known once it is on the page, and changes with the panel.
    new ResizeObserver(() => {
      if (this.scroller.clientWidth !== this.room) this.scale();
    }).observe(this.scroller);
  }

  update(todos: readonly TodoModel[], selected: string | undefined): void {
    this.element.hidden = todos.length === 0;
    const shape = graphShape(todos);
    if (shape !== this.shape) {
      this.shape = shape;
      this.build(todos);
    }
    this.selected = selected;
    this.recolour(todos);
  }

  /** Lays the graph out again and draws its boxes and arrows (their colours come in recolour). */
  private build(todos: readonly TodoModel[]): void {
    this.layout = todos.length ? layoutGraph(todos) : { width: 0, height: 0, nodes: [], edges: [] };
    this.nodes.clear();
    const arrow = svg("marker", { id: "todo-graph-arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" }, svg("path", { d: "M0,0 L10,5 L0,10 z", class: "arrow" }));
    this.edges = this.layout.edges.map((e) => ({
      from: e.from,
      to: e.to,
      path: svg("path", { class: "edge", d: e.points.map((p, i) => `${i ? "L" : "M"}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(" "), "marker-end": "url(#todo-graph-arrow)", "data-from": e.from, "data-to": e.to }),
    }));
    const boxes = this.layout.nodes.map((n) => {
      const parts: NodeParts = {
        group: svg("g", { class: "node", transform: `translate(${n.x.toFixed(1)},${n.y.toFixed(1)})`, "data-todo": n.id, tabindex: 0, role: "button" }),
        title: svg("title"),
        status: svg("text", { class: "node-status", x: NODE_WIDTH - 8, y: 16, "text-anchor": "end" }),
        label: svg("text", { class: "node-title", x: 8, y: 32 }),
      };
      parts.group.append(parts.title, svg("rect", { width: NODE_WIDTH, height: NODE_HEIGHT, rx: 4 }), svg("text", { class: "node-id", x: 8, y: 16 }, clip(n.id, 12)), parts.status, parts.label);
      this.nodes.set(n.id, parts);
      return parts.group;
    });
    this.canvas.replaceChildren(svg("defs", {}, arrow), ...this.edges.map((e) => e.path), ...boxes);
    this.canvas.setAttribute("viewBox", `0 0 ${this.layout.width} ${this.layout.height}`);
    this.canvas.setAttribute("aria-label", l10n.t("TODO graph: {0} TODOs, {1} dependencies", todos.length, this.edges.length));
    this.caption.textContent = l10n.t("{0} TODOs · {1} dependencies", todos.length, dependencies(todos).length);
    this.scale();
  }

  /** Colours, status words and titles: the part that changes on every snapshot. */
  private recolour(todos: readonly TodoModel[]): void {
    const status = new Map<string, string>();
    for (const t of todos) {
      status.set(t.id, t.status);
      const parts = this.nodes.get(t.id);
      if (!parts) continue;
      const doing = t.role && (t.status === "running" || t.status === "review") ? ` · ${t.role}` : "";
      const attempt = t.attempts > 1 ? ` (${l10n.t("attempt {0}", t.attempts)})` : "";
      parts.group.setAttribute("class", `node status-${classPart(t.status)}${t.id === this.selected ? " selected" : ""}`);
      parts.group.setAttribute("aria-label", `${t.id} ${t.title}: ${t.status}${doing}${attempt}`);
      parts.title.textContent = `${t.id} · ${t.title}\n${t.status}${doing}${attempt}${t.dependsOn.length ? `\n${l10n.t("after {0}", t.dependsOn.join(", "))}` : ""}${t.note ? `\n${t.note}` : ""}`;
      parts.status.textContent = `${t.status}${doing}`;
      parts.label.textContent = clip(t.title, 27);
    }
    for (const e of this.edges) e.path.setAttribute("class", `edge${FINISHED.has(status.get(e.from) ?? "") ? " met" : ""}`);
  }

  private fitted(): boolean {
    return (this.zoom ?? (this.nodes.size <= FIT_BY_DEFAULT ? "fit" : "actual")) === "fit";
  }

  /** Actual size, or scaled down (never up) to the box's width and a readable height. */
  private scale(): void {
    const { width, height } = this.layout;
    const room = (this.room = this.scroller.clientWidth);
    const factor = this.fitted() && room > 0 ? Math.min(1, room / width, FIT_HEIGHT / height) : 1;
    this.canvas.setAttribute("width", String(Math.round(width * factor)));
    this.canvas.setAttribute("height", String(Math.round(height * factor)));
    const shrinks = Math.min(room / width, FIT_HEIGHT / height) < 1;
    this.zoomButton.hidden = !shrinks || room === 0;
    this.zoomButton.textContent = this.fitted() ? l10n.t("Actual size") : l10n.t("Fit");
  }
}
