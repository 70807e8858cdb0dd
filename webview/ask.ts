/**
 * The Ask panel's browser side: the conversation (questions, answers streamed in as they are
 * written, the files each answer read) and the question box. Everything that arrives is parsed
 * with zod; everything shown is text (no HTML from the host or the model is ever interpreted).
 */
import "./l10nSetup";
import * as l10n from "@vscode/l10n";
import { AskHostToWebview, type AskExchange, type AskWebviewToHost } from "../src/shared/askProtocol";

interface VsCodeApi {
  postMessage(message: AskWebviewToHost): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const app = document.getElementById("app") as HTMLElement;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: Array<Node | string>): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

const STATE_LABEL: Record<AskExchange["state"], string> = { answering: l10n.t("Answering…"), done: "", stopped: l10n.t("Stopped."), failed: l10n.t("Failed") };

const conversation = el("section", { class: "conversation", "data-testid": "conversation", "aria-live": "polite" });
const notice = el("p", { class: "notice", role: "status", "data-testid": "notice" });
const question = el("textarea", { class: "question", "data-testid": "question", rows: "3", placeholder: l10n.t("Ask about this workspace… (Enter asks, Shift+Enter starts a new line)"), "aria-label": l10n.t("Question") });
const askButton = el("button", { type: "submit", "data-testid": "ask" }, l10n.t("Ask"));
const stopButton = el("button", { type: "button", class: "secondary", "data-testid": "stop" }, l10n.t("Stop"));
const newButton = el("button", { type: "button", class: "secondary", "data-testid": "new-conversation" }, l10n.t("New Conversation"));
const form = el("form", { class: "ask" }, question, el("div", { class: "actions" }, askButton, stopButton, newButton));

app.append(
  el("header", { class: "header" }, el("h1", {}, l10n.t("Ask about this workspace")), el("span", { class: "hint" }, l10n.t("Answered by OpenCode with read-only tools: nothing is changed. Start a mission with Orchestrator: Run Task."))),
  conversation,
  notice,
  form,
);

function exchangeView(exchange: AskExchange, index: number): HTMLElement {
  const files = exchange.files.map((file, i) => {
    const link = el("a", { href: "#", class: "file", "data-testid": "file" }, file);
    link.addEventListener("click", (event) => {
      event.preventDefault();
      vscode.postMessage({ type: "openFile", exchange: index, file: i });
    });
    return el("li", {}, link);
  });
  const state = STATE_LABEL[exchange.state];
  return el("article", { class: `exchange exchange-${exchange.state}`, "data-index": String(index) },
    el("div", { class: "asked", "data-testid": "asked" }, exchange.question),
    el("div", { class: "answer", "data-testid": "answer" }, exchange.answer),
    ...(files.length ? [el("div", { class: "files" }, el("span", { class: "label" }, l10n.t("Read:")), el("ul", {}, ...files))] : []),
    ...(state || exchange.error ? [el("div", { class: "state", "data-testid": "state" }, `${state}${exchange.error ? `: ${exchange.error}` : ""}`)] : []),
  );
}

function setBusy(busy: boolean): void {
  askButton.disabled = busy;
  stopButton.disabled = !busy;
}

function render(exchanges: AskExchange[], busy: boolean, text?: string): void {
  conversation.replaceChildren(...(exchanges.length ? exchanges.map(exchangeView) : [el("p", { class: "empty" }, l10n.t("Ask a question: where something is, how it works, what a file does. Follow-up questions continue the conversation."))]));
  notice.textContent = text ?? "";
  setBusy(busy);
  conversation.lastElementChild?.scrollIntoView({ block: "end" });
}

window.addEventListener("message", (event: MessageEvent<unknown>) => {
  const parsed = AskHostToWebview.safeParse(event.data);
  if (!parsed.success) return;
  const message = parsed.data;
  if (message.type === "conversation") return render(message.exchanges, message.busy, message.notice);
  const answer = conversation.querySelector(`[data-index="${message.index}"] .answer`);
  if (!answer) return;
  answer.append(message.text);
  answer.scrollIntoView({ block: "end" });
});

function send(): void {
  const text = question.value.trim();
  if (!text) return;
  vscode.postMessage({ type: "ask", question: text });
  question.value = "";
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  send();
});
question.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    send();
  }
});
stopButton.addEventListener("click", () => vscode.postMessage({ type: "stop" }));
newButton.addEventListener("click", () => vscode.postMessage({ type: "newConversation" }));

setBusy(false);
question.focus();
vscode.postMessage({ type: "ready" });
