/**
 * The dashboard's browser side. It renders the snapshot the extension posts and sends back only
 * the typed messages of WebviewToHost; whatever arrives is parsed with zod before use.
 */
import "./l10nSetup";
import * as l10n from "@vscode/l10n";
import "@vscode-elements/elements/dist/vscode-badge/index.js";
import "@vscode-elements/elements/dist/vscode-button/index.js";
import "@vscode-elements/elements/dist/vscode-progress-ring/index.js";
import { HostToWebview, type WebviewToHost } from "../src/shared/dashboardProtocol";
import { idleModel, type MissionModel } from "../src/shared/mission";
import { commandOutcome } from "../src/shared/outcome";
import type { SessionModel } from "../src/shared/session";
import type { TimelineEntry } from "../src/shared/timeline";
import type { TranscriptBodyLine, TranscriptLine } from "../src/shared/transcript";
import { SessionTimeline } from "./sessionTimeline";
import { TodoGraph } from "./todoGraph";

interface VsCodeApi {
  postMessage(message: WebviewToHost): void;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const app = document.getElementById("app") as HTMLElement;

const PHASE_LABEL: Record<MissionModel["phase"], string> = {
  idle: l10n.t("No mission yet"),
  starting: l10n.t("Starting OpenCode"),
  running: l10n.t("Running"),
  done: l10n.t("Done"),
  failed: l10n.t("Failed"),
  stopped: l10n.t("Stopped"),
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

const STATUS_ICON: Record<string, string> = { pending: "○", running: "◐", review: "◑", done: "●", failed: "✕", blocked: "⊘", interrupted: "⏸", reverted: "↶" };

let sessions: SessionModel[] = [];
let timeline: TimelineEntry[] = [];
let focused: string | undefined;
/** The TODO picked in the graph or the table: highlighted in both. */
let selectedTodo: string | undefined;
let transcript: TranscriptLine[] = [];

// The pictures stay on the page across snapshots (only their colours and bars change), so their
// scroll position, zoom and keyboard focus survive; the rest is rendered anew into its slots.
const graph = new TodoGraph();
const sessionLanes = new SessionTimeline();
const top = el("div");
const tableSlot = el("div", { class: "board-table" });
// aria-live off: the timeline redraws every second while sessions run, which is no news to announce.
const board = el("div", { class: "board" }, tableSlot, el("div", { class: "pictures", "aria-live": "off" }, graph.element, sessionLanes.element));
const bottom = el("div");
app.replaceChildren(top, board, bottom);

function sessionsSection(): HTMLElement {
  if (!sessions.length) return el("span");
  const now = Date.now();
  return el("section", { class: "sessions", "data-testid": "sessions" },
    el("h2", {}, l10n.t("Sessions ({0} running)", last?.counts.runningSessions ?? 0)),
    el("table", { class: "todos" },
      el("tbody", {}, ...sessions.map((x) => el("tr", { class: `session session-${x.status}${x.id === focused ? " focused" : ""}`, "data-session": x.id, tabindex: "0", title: x.detail ?? x.id },
        el("td", {}, `${x.role}${x.todoIds.length ? ` · ${x.todoIds.join(", ")}` : ""}`),
        el("td", {}, x.status),
        el("td", {}, `${Math.round(((x.endedAt ?? now) - x.startedAt) / 1000)} s`),
        el("td", {}, l10n.t("{0} tok · ${1}", (x.inputTokens + x.outputTokens).toLocaleString(), x.cost.toFixed(4))),
        el("td", { class: "server" }, x.server ? l10n.t("server {0}", x.server) : ""))))));
}

function transcriptSection(): HTMLElement {
  if (!focused) return el("span");
  return el("section", { class: "transcript", "data-testid": "transcript" },
    el("h2", {}, l10n.t("Transcript · {0}", focused)),
    ...(transcript.length ? transcript.map((l) => (l.kind === "tool" ? toolCall(l) : el("div", { class: `line line-${l.kind}` }, l.text))) : [el("p", { class: "empty" }, l10n.t("Nothing yet."))]));
}

const SIGN: Record<TranscriptBodyLine["kind"], string> = { add: "+", del: "-", ctx: " ", out: "", note: "" };
const TOOL_STATES = new Set(["pending", "running", "completed", "error"]);

/** A tool call: "⚙ tool · file or command · status or exit · detail", its note, then its body (a diff, an output's tail). */
function toolCall(l: TranscriptLine): HTMLElement {
  const state = TOOL_STATES.has(l.toolStatus ?? "") ? (l.toolStatus as string) : "unknown";
  const outcome = l.exit === undefined
    ? el("span", { class: `tool-status status-${state}` }, l.toolStatus ?? "")
    : el("span", { class: `tool-status ${l.exit === 0 ? "status-completed" : "status-error"}` }, commandOutcome(undefined, l.exit));
  const parts: HTMLElement[] = [el("span", { class: "tool-name" }, `⚙ ${l.tool ?? "tool"}`)];
  if (l.title) parts.push(el("span", { class: "tool-title" }, l.title));
  parts.push(outcome);
  if (l.detail) parts.push(el("span", { class: "tool-detail" }, l.detail));
  const header = el("div", { class: "tool-head" }, ...parts.flatMap((p, i) => (i ? [" · ", p] : [p])));
  const note = l.text ? [el("div", { class: `tool-note${state === "error" ? " tool-error" : ""}` }, l.text)] : [];
  const body = l.lines?.length
    ? [el("div", { class: "tool-body" }, ...l.lines.map((b) => el("div", { class: `body-line body-${b.kind}` }, el("span", { class: "sign", "aria-hidden": "true" }, SIGN[b.kind]), b.text)))]
    : [];
  return el("div", { class: `line line-tool tool-${state}` }, header, ...note, ...body);
}

function timelineSection(): HTMLElement {
  if (!timeline.length) return el("span");
  return el("section", { class: "timeline", "data-testid": "timeline" },
    el("h2", {}, l10n.t("Timeline")),
    el("ol", {}, ...[...timeline].reverse().slice(0, 50).map((t) => el("li", {}, el("time", {}, new Date(t.at).toLocaleTimeString()), " ", t.text))));
}

let last: MissionModel | undefined;

/** What a TODO really changed (+/− per file) once it has run; the files it plans to touch before. */
function filesCell(t: MissionModel["todos"][number]): Array<Node | string> {
  if (!t.changes.length) return [t.files.join(", ")];
  return t.changes.map((c) => el("div", { class: `change change-${c.status}`, title: `${c.path}: ${c.status}` }, `${c.path} `, el("span", { class: "added" }, c.binary ? "binary" : `+${c.added}`), " ", el("span", { class: "removed" }, c.binary ? "" : `−${c.removed}`)));
}

/** ✓/✗ of the acceptance check the orchestrator ran, its output's end on hover. */
function checkCell(c: MissionModel["todos"][number]["check"], command?: string): Node | string {
  if (!c) return command ? l10n.t("pending") : "";
  // What it checked was reverted: its old mark would say something untrue of the workspace.
  if (c.stale) return el("span", { class: "check check-stale", title: l10n.t("{0}\nStale: the changes it checked were reverted.", c.command) }, l10n.t("– stale (reverted)"));
  const mark = c.status === "running" ? "…" : c.status === "passed" ? "✓" : "✗";
  return el("span", { class: `check check-${c.status}`, title: `${c.command}\n${c.tail.trim().split("\n").slice(-20).join("\n")}` }, `${mark} ${commandOutcome(c.status, c.exitCode)}`);
}

function render(s: MissionModel): void {
  last = s;
  const active = s.phase === "starting" || s.phase === "running";
  const header = el("header", { class: "header" },
    el("h1", {}, l10n.t("Orchestrator")),
    custom("vscode-badge", { "data-testid": "phase", class: `phase phase-${s.phase}` }, s.status && s.phase !== "starting" ? s.status : PHASE_LABEL[s.phase]),
    ...(s.demo ? [custom("vscode-badge", { variant: "counter", title: l10n.t("No model provider is configured: a scripted demo model answers.") }, l10n.t("demo model"))] : []),
    ...(active ? [custom("vscode-progress-ring", { "aria-label": l10n.t("working") })] : []),
  );
  const rows: Array<[string, string]> = [];
  if (s.mission) rows.push([l10n.t("Mission"), s.mission]);
  if (s.demo || s.model) rows.push([l10n.t("Model"), s.demo ? l10n.t("scripted demo model") : (s.model ?? "")]);
  if (s.todos.length) rows.push([l10n.t("Progress"), l10n.t("{0} · round {1}", s.progress, s.iteration)]);
  if (s.startedAt) rows.push([l10n.t("Elapsed"), `${Math.round(((s.finishedAt ?? Date.now()) - s.startedAt) / 1000)} s`]);
  if (s.tokens.input || s.tokens.output) rows.push([l10n.t("Tokens"), l10n.t("{0} in · {1} out", s.tokens.input.toLocaleString(), s.tokens.output.toLocaleString())]);
  if (s.estimate) rows.push([l10n.t("Estimate"), s.planApproval ? l10n.t("{0} — waiting for your approval", s.estimate.line) : s.estimate.line]);
  if (s.phase !== "idle") rows.push([l10n.t("Cost"), `$${s.cost.toFixed(4)}`]);
  if (s.check) rows.push([l10n.t("Project check"), s.check.stale ? l10n.t("{0} → stale (the mission was reverted)", s.check.command) : `${s.check.command} → ${commandOutcome(s.check.status, s.check.exitCode)}`]);
  if (s.error) rows.push([l10n.t("Error"), s.error]);
  else if (s.stopReason && s.status !== "sealed") rows.push([l10n.t("Stopped"), s.stopReason]);
  const facts = el("dl", { class: "facts" }, ...rows.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]));
  const todos = s.todos.length
    ? el("table", { class: "todos", "data-testid": "todos" },
        el("thead", {}, el("tr", {}, el("th", {}, ""), el("th", {}, l10n.t("TODO")), el("th", {}, l10n.t("Status")), el("th", {}, l10n.t("Check")), el("th", {}, l10n.t("Files")))),
        el("tbody", {}, ...s.todos.map((t) => el("tr", { class: `todo-${t.status}${t.id === selectedTodo ? " selected" : ""}`, "data-todo": t.id, tabindex: "0" },
          el("td", { "aria-hidden": "true" }, STATUS_ICON[t.status] ?? "·"),
          el("td", {}, `${t.id} · ${t.title}`),
          el("td", {}, t.attempts > 1 ? `${t.status} (${l10n.t("attempt {0}", t.attempts)})` : t.status),
          el("td", { "data-testid": `check-${t.id}` }, checkCell(t.check, t.checkCommand)),
          el("td", {}, ...filesCell(t))))))
    : el("p", { class: "empty" }, s.phase === "idle" ? l10n.t("No mission yet.") : l10n.t("Planning…"));
  const report = s.report ? el("pre", { class: "report" }, s.report) : el("span");
  const actions = el("div", { class: "actions" },
    ...(s.planApproval
      ? [custom("vscode-button", { "data-action": "approvePlan" }, l10n.t("Approve Plan")), custom("vscode-button", { "data-action": "replanPlan", secondary: "" }, l10n.t("Replan…")), custom("vscode-button", { "data-action": "cancelPlan", secondary: "" }, l10n.t("Cancel Plan"))]
      : []),
    // Stopping: Stop was pressed already, and the mission has not ended yet.
    ...(s.status === "stopping" ? [] : [active ? custom("vscode-button", { "data-action": "stop", secondary: "" }, l10n.t("Stop")) : custom("vscode-button", { "data-action": "runTask" }, l10n.t("Run Task…"))]),
    ...(s.resumable ? [custom("vscode-button", { "data-action": "resume", secondary: "" }, l10n.t("Resume"))] : []));
  top.replaceChildren(header, facts, actions);
  tableSlot.replaceChildren(todos);
  bottom.replaceChildren(report, sessionsSection(), transcriptSection(), timelineSection());
  if (selectedTodo && !s.todos.some((t) => t.id === selectedTodo)) selectedTodo = undefined;
  graph.update(s.todos, selectedTodo);
  sessionLanes.update(sessions, { live: active, startedAt: s.startedAt, finishedAt: s.finishedAt }, focused);
  board.classList.toggle("with-pictures", s.todos.length > 0 || sessions.length > 0);
}

/** A TODO picked in the graph or the table: both highlight it, and its latest session's transcript shows. */
function selectTodo(todoId: string): void {
  const todo = last?.todos.find((t) => t.id === todoId);
  if (!todo || !last) return;
  selectedTodo = todoId;
  const sessionId = todo.sessions.at(-1);
  if (sessionId) {
    focused = sessionId;
    vscode.postMessage({ type: "focusSession", sessionId });
  }
  render(last);
  const selector = `[data-todo="${CSS.escape(todoId)}"]`;
  for (const node of app.querySelectorAll(selector)) node.scrollIntoView({ block: "nearest", inline: "nearest" });
}

function activate(target: Element): void {
  const todoId = target.closest("[data-todo]")?.getAttribute("data-todo");
  if (todoId) selectTodo(todoId);
  const row = target.closest("[data-session]");
  const sessionId = row?.getAttribute("data-session");
  if (sessionId) {
    focused = sessionId;
    vscode.postMessage({ type: "focusSession", sessionId });
  }
}

app.addEventListener("click", (event) => {
  activate(event.target as Element);
  const target = (event.target as HTMLElement).closest("[data-action]");
  const action = target?.getAttribute("data-action");
  if (action === "stop") vscode.postMessage({ type: "stop" });
  if (action === "runTask") vscode.postMessage({ type: "runTask" });
  if (action === "resume") vscode.postMessage({ type: "resume", missionId: last?.missionId });
  const round = last?.planApproval?.round;
  if (action === "approvePlan") vscode.postMessage({ type: "answerPlanApproval", decision: "approve", round });
  if (action === "replanPlan") vscode.postMessage({ type: "answerPlanApproval", decision: "replan", round });
  if (action === "cancelPlan") vscode.postMessage({ type: "answerPlanApproval", decision: "cancel", round });
});

// The graph's boxes, the timeline's bars and the tables' rows are focusable: Enter or Space picks them.
app.addEventListener("keydown", (event) => {
  if (event.key !== "Enter" && event.key !== " ") return;
  const target = event.target as Element;
  if (!target.matches("[data-todo], [data-session]")) return;
  event.preventDefault();
  activate(target);
});

window.addEventListener("message", (event: MessageEvent) => {
  const parsed = HostToWebview.safeParse(event.data);
  if (!parsed.success) return; // not ours, or malformed: never rendered
  vscode.setState({ seen: true }); // marks the panel as restorable after a reload
  if (parsed.data.type === "transcript") {
    focused = parsed.data.sessionId ?? undefined;
    transcript = parsed.data.lines;
  } else {
    // Another mission: nothing of the last one's transcript stays on screen.
    if (last && parsed.data.snapshot.missionId !== last.missionId) {
      focused = undefined;
      selectedTodo = undefined;
      transcript = [];
    }
    sessions = parsed.data.sessions;
    timeline = parsed.data.timeline;
    last = parsed.data.snapshot;
  }
  if (last) render(last);
});

render(idleModel());
vscode.postMessage({ type: "ready" });
