/**
 * The dashboard's browser side. It renders the snapshot the extension posts and sends back only
 * the typed messages of WebviewToHost; whatever arrives is parsed with zod before use.
 */
import "@vscode-elements/elements/dist/vscode-badge/index.js";
import "@vscode-elements/elements/dist/vscode-button/index.js";
import "@vscode-elements/elements/dist/vscode-progress-ring/index.js";
import { HostToWebview, type RunSnapshot, type WebviewToHost } from "../src/shared/protocol";

interface VsCodeApi {
  postMessage(message: WebviewToHost): void;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const app = document.getElementById("app") as HTMLElement;

const PHASE_LABEL: Record<RunSnapshot["phase"], string> = {
  idle: "No mission yet",
  starting: "Starting OpenCode",
  running: "Running",
  done: "Done",
  failed: "Failed",
  stopped: "Stopped",
};

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: Array<Node | string>): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

function custom(tag: string, attrs: Record<string, string>, ...children: Array<Node | string>): HTMLElement {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

const STATUS_ICON: Record<string, string> = { pending: "○", running: "◐", review: "◑", done: "●", failed: "✕", blocked: "⊘" };

function render(s: RunSnapshot): void {
  const active = s.phase === "starting" || s.phase === "running";
  const done = s.todos.filter((t) => t.status === "done").length;
  const header = el("header", { class: "header" },
    el("h1", {}, "Orchestrator"),
    custom("vscode-badge", { "data-testid": "phase", class: `phase phase-${s.phase}` }, s.status && s.phase !== "starting" ? s.status : PHASE_LABEL[s.phase]),
    ...(s.demo ? [custom("vscode-badge", { variant: "counter", title: "No model provider is configured: a scripted demo model answers." }, "demo model")] : []),
    ...(active ? [custom("vscode-progress-ring", { "aria-label": "working" })] : []),
  );
  const rows: Array<[string, string]> = [];
  if (s.mission) rows.push(["Mission", s.mission]);
  if (s.todos.length) rows.push(["Progress", `${done}/${s.todos.length} done · ${s.running} running · round ${s.iteration}`]);
  if (s.startedAt) rows.push(["Elapsed", `${Math.round(((s.finishedAt ?? Date.now()) - s.startedAt) / 1000)} s`]);
  if (s.tokens) rows.push(["Tokens", `${s.tokens.input.toLocaleString()} in · ${s.tokens.output.toLocaleString()} out`]);
  if (s.cost !== undefined) rows.push(["Cost", `$${s.cost.toFixed(4)}`]);
  if (s.error) rows.push(["Error", s.error]);
  const facts = el("dl", { class: "facts" }, ...rows.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]));
  const todos = s.todos.length
    ? el("table", { class: "todos", "data-testid": "todos" },
        el("thead", {}, el("tr", {}, el("th", {}, ""), el("th", {}, "TODO"), el("th", {}, "Status"), el("th", {}, "Files"))),
        el("tbody", {}, ...s.todos.map((t) => el("tr", { class: `todo-${t.status}` },
          el("td", { "aria-hidden": "true" }, STATUS_ICON[t.status] ?? "·"),
          el("td", {}, `${t.id} · ${t.title}`),
          el("td", {}, t.attempts > 1 ? `${t.status} (attempt ${t.attempts})` : t.status),
          el("td", {}, t.files.join(", "))))))
    : el("p", { class: "empty" }, s.phase === "idle" ? "No mission yet." : "Planning…");
  const report = s.report ? el("pre", { class: "report" }, s.report) : el("span");
  const resumable = s.status === "stopped" || s.status === "incomplete" || s.status === "budget-exhausted";
  const actions = el("div", { class: "actions" },
    active ? custom("vscode-button", { "data-action": "stop", secondary: "" }, "Stop") : custom("vscode-button", { "data-action": "runTask" }, "Run Task…"),
    ...(!active && resumable ? [custom("vscode-button", { "data-action": "resume", secondary: "" }, "Resume")] : []));
  app.replaceChildren(header, facts, todos, report, actions);
}

app.addEventListener("click", (event) => {
  const target = (event.target as HTMLElement).closest("[data-action]");
  const action = target?.getAttribute("data-action");
  if (action === "stop") vscode.postMessage({ type: "stop" });
  if (action === "runTask") vscode.postMessage({ type: "runTask" });
  if (action === "resume") vscode.postMessage({ type: "resume" });
});

window.addEventListener("message", (event: MessageEvent) => {
  const parsed = HostToWebview.safeParse(event.data);
  if (!parsed.success) return; // not ours, or malformed: never rendered
  vscode.setState({ seen: true }); // marks the panel as restorable after a reload
  render(parsed.data.snapshot);
});

render({ phase: "idle", demo: false, iteration: 0, todos: [], running: 0 });
vscode.postMessage({ type: "ready" });
