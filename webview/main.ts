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

function render(s: RunSnapshot): void {
  const active = s.phase === "starting" || s.phase === "running";
  const header = el("header", { class: "header" },
    el("h1", {}, "Orchestrator"),
    custom("vscode-badge", { "data-testid": "phase", class: `phase phase-${s.phase}` }, PHASE_LABEL[s.phase]),
    ...(s.demo ? [custom("vscode-badge", { variant: "counter", title: "No model provider is configured: a scripted demo model answers." }, "demo model")] : []),
    ...(active ? [custom("vscode-progress-ring", { "aria-label": "working" })] : []),
  );
  const rows: Array<[string, string]> = [];
  if (s.mission) rows.push(["Mission", s.mission]);
  if (s.sessionId) rows.push(["Session", s.sessionId]);
  if (s.startedAt) rows.push(["Elapsed", `${Math.round(((s.finishedAt ?? Date.now()) - s.startedAt) / 1000)} s`]);
  if (s.tokens) rows.push(["Tokens", `${s.tokens.input.toLocaleString()} in · ${s.tokens.output.toLocaleString()} out`]);
  if (s.cost !== undefined) rows.push(["Cost", `$${s.cost.toFixed(4)}`]);
  if (s.summary) rows.push(["Result", s.summary]);
  if (s.filesChanged.length) rows.push(["Files", s.filesChanged.join(", ")]);
  if (s.error) rows.push(["Error", s.error]);
  const table = el("dl", { class: "facts" }, ...rows.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]));
  const action = active
    ? custom("vscode-button", { "data-action": "stop", secondary: "" }, "Stop")
    : custom("vscode-button", { "data-action": "runTask" }, "Run Task…");
  app.replaceChildren(header, table, el("div", { class: "actions" }, action));
}

app.addEventListener("click", (event) => {
  const target = (event.target as HTMLElement).closest("[data-action]");
  const action = target?.getAttribute("data-action");
  if (action === "stop") vscode.postMessage({ type: "stop" });
  if (action === "runTask") vscode.postMessage({ type: "runTask" });
});

window.addEventListener("message", (event: MessageEvent) => {
  const parsed = HostToWebview.safeParse(event.data);
  if (!parsed.success) return; // not ours, or malformed: never rendered
  vscode.setState({ seen: true }); // marks the panel as restorable after a reload
  render(parsed.data.snapshot);
});

render({ phase: "idle", demo: false, filesChanged: [] });
vscode.postMessage({ type: "ready" });
