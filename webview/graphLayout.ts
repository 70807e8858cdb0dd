/**
 * Where the TODO graph's boxes and arrows go: a layered layout (dagre) of the TODOs, dependencies
 * left to right, TODOs that can run in parallel stacked in one column. Laying out costs far more
 * than drawing, so the picture asks for it only when the graph's shape (ids, edges) changed.
 * Pure: no DOM, unit-tested.
 */
import dagre from "@dagrejs/dagre";

export interface GraphTodo {
  id: string;
  dependsOn: readonly string[];
}

export interface PlacedNode {
  id: string;
  /** Top-left corner. */
  x: number;
  y: number;
}

/** A dependency: `to` waits for `from`. */
export interface PlacedEdge {
  from: string;
  to: string;
  points: Array<{ x: number; y: number }>;
}

export interface GraphLayout {
  width: number;
  height: number;
  nodes: PlacedNode[];
  edges: PlacedEdge[];
}

export const NODE_WIDTH = 176;
export const NODE_HEIGHT = 40;
const MARGIN = 12;

/** The dependencies the picture draws: those on TODOs it shows (one replaced by a replan is gone). */
export function dependencies(todos: readonly GraphTodo[]): Array<{ from: string; to: string }> {
  const ids = new Set(todos.map((t) => t.id));
  return todos.flatMap((t) => [...new Set(t.dependsOn)].filter((d) => ids.has(d) && d !== t.id).map((from) => ({ from, to: t.id })));
}

/** What the layout depends on; a status change leaves it as it is. */
export function graphShape(todos: readonly GraphTodo[]): string {
  return JSON.stringify([todos.map((t) => t.id), dependencies(todos).map((e) => `${e.from}>${e.to}`)]);
}

export function layoutGraph(todos: readonly GraphTodo[]): GraphLayout {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: "LR", nodesep: 12, ranksep: 48, marginx: MARGIN, marginy: MARGIN });
  g.setDefaultEdgeLabel(() => ({}));
  for (const t of todos) g.setNode(t.id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  const edges = dependencies(todos);
  for (const e of edges) g.setEdge(e.from, e.to);
  dagre.layout(g);
  const nodes = todos.map((t) => {
    const n = g.node(t.id);
    return { id: t.id, x: (n.x ?? 0) - NODE_WIDTH / 2, y: (n.y ?? 0) - NODE_HEIGHT / 2 };
  });
  const { width = 0, height = 0 } = g.graph();
  return {
    width: Math.max(width, NODE_WIDTH + 2 * MARGIN),
    height: Math.max(height, NODE_HEIGHT + 2 * MARGIN),
    nodes,
    edges: edges.map((e) => ({ ...e, points: g.edge(e.from, e.to)?.points ?? [] })),
  };
}
