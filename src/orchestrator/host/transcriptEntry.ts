/**
 * How one part of an OpenCode session reads in a transcript: text as it is, a tool call as a header
 * (tool · what it acted on · how it went) over a short body — a write's first lines, an edit's diff,
 * a command's last lines of output — never the tool's raw JSON. Every entry is bounded, however
 * large the file written or the output printed.
 */
import { isAbsolute, relative, sep } from "node:path";
import { REPORT_TOOLS } from "../agents/reportTools";
import type { Part, ToolPart, ToolState } from "../engine/engineEvents";
import type { TranscriptBodyLine, TranscriptLine } from "../../shared/transcript";

/** A transcript line (the contract's, src/shared/transcript.ts) and the part it shows, which a later update of the part replaces. */
export type TranscriptEntry = TranscriptLine & { partId: string };

export const TEXT_LIMIT = 4_000;
// A tool entry stays under TEXT_LIMIT too: note + title + detail + body.
const NOTE_LIMIT = 600;
const TITLE_LIMIT = 200;
const DETAIL_LIMIT = 100;
const LINE_LIMIT = 240;
const BODY_LIMIT = 2_800;
const HEAD_LINES = 24;
const TAIL_LINES = 20;
const BACKGROUND = "orchestrator_background_";

/** The entry a part shows as; none for parts a transcript does not show (steps, snapshots, synthetic text). */
export function transcriptEntry(part: Part, directory?: string): TranscriptEntry | undefined {
  if (part.type === "text" && !part.synthetic) return { partId: part.id, kind: "text", text: clipText(part.text) };
  if (part.type === "reasoning") return { partId: part.id, kind: "reasoning", text: clipText(part.text) };
  if (part.type === "tool") return toolEntry(part, directory);
  return undefined;
}

const clipText = (text: string) => (text.length > TEXT_LIMIT ? `${text.slice(0, TEXT_LIMIT)}…` : text);
const clip = (text: string, limit: number) => (text.length > limit ? `${text.slice(0, limit - 1)}…` : text);
const oneLine = (text: string, limit: number) => clip(text.replace(/\s+/g, " ").trim(), limit);
const str = (v: unknown) => (typeof v === "string" ? v : undefined);
const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const obj = (v: unknown) => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);
const list = (v: unknown) => (Array.isArray(v) ? (v as unknown[]) : []);
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

interface ToolCall {
  tool: string;
  input: Record<string, unknown>;
  state: ToolState;
  metadata: Record<string, unknown>;
  directory?: string;
}

interface ToolView {
  title?: string;
  detail?: string;
  text?: string;
  exit?: number;
  lines?: TranscriptBodyLine[];
  /** The body shows a change to files: a failed call made none, so it is not shown. */
  changes?: boolean;
}

function toolEntry(part: ToolPart, directory?: string): TranscriptEntry {
  const { state } = part;
  const call: ToolCall = { tool: part.tool, input: obj(state.input) ?? {}, state, metadata: obj("metadata" in state ? state.metadata : undefined) ?? {}, directory };
  const view = (VIEWS[part.tool] ?? (part.tool.startsWith(BACKGROUND) ? background : other))(call);
  const note = state.status === "error" ? state.error : view.text;
  const entry: TranscriptEntry = { partId: part.id, kind: "tool", tool: part.tool, toolStatus: state.status, text: clip((note ?? "").trim(), NOTE_LIMIT) };
  // A failed write or edit changed nothing: what it would have changed is not shown as if it had.
  const unchanged = view.changes && state.status === "error";
  if (view.title) entry.title = oneLine(view.title, TITLE_LIMIT);
  if (view.detail && !unchanged) entry.detail = oneLine(view.detail, DETAIL_LIMIT);
  if (view.exit !== undefined) entry.exit = view.exit;
  if (view.lines?.length && !unchanged) entry.lines = view.lines;
  return entry;
}

/** A path as the user knows it: relative to the session's directory when inside it. */
function shownPath(file: string, directory?: string): string {
  if (!directory || !isAbsolute(file)) return file;
  const rel = relative(directory, file);
  if (rel === "") return ".";
  return rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel) ? file : rel.split(sep).join("/");
}

/** The file a call acted on; without a known directory, OpenCode's own title (relative to the worktree) serves. */
function fileOf(call: ToolCall, value: unknown): string | undefined {
  const file = str(value);
  if (!file) return undefined;
  const title = call.state.status === "completed" ? call.state.title : undefined;
  if (!call.directory && title && !isAbsolute(title) && !title.includes("\n")) return title;
  return shownPath(file, call.directory);
}

function splitLines(text: string): string[] {
  const lines = text.replace(/\r\n/g, "\n").split("\n");
  if (lines.at(-1) === "") lines.pop();
  return lines;
}

/** splitLines(text).length, without splitting a long output at every update. */
function lineCount(text: string): number {
  let n = 0;
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) n++;
  return text.length && !text.endsWith("\n") ? n + 1 : n;
}

/** The first lines, within the body's bounds, then how many more there were. */
function head(lines: TranscriptBodyLine[]): TranscriptBodyLine[] {
  const shown: TranscriptBodyLine[] = [];
  let chars = 0;
  for (const line of lines) {
    const text = clip(line.text, LINE_LIMIT);
    if (shown.length === HEAD_LINES || chars + text.length > BODY_LIMIT) break;
    chars += text.length;
    shown.push({ kind: line.kind, text });
  }
  const more = lines.length - shown.length;
  if (more > 0) shown.push({ kind: "note", text: `… ${plural(more, "more line")}` });
  return shown;
}

// Built, not written as a literal: a control character in a regex literal reads as a mistake.
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[ -/]*[@-~]`, "g");

/** A command's last lines of output, as a terminal would have left them (colours and progress redraws gone). */
function tail(output: string): TranscriptBodyLine[] {
  // Only the end is read: a running command's output is not split whole at each of its updates.
  const end = output.length > BODY_LIMIT * 4 ? output.slice(-BODY_LIMIT * 4) : output;
  const lines = splitLines(end.replace(ANSI, "")).map((l) => l.slice(l.lastIndexOf("\r") + 1));
  let blank = 0;
  for (; lines.length && !lines.at(-1)?.trim(); blank++) lines.pop();
  const shown: TranscriptBodyLine[] = [];
  let chars = 0;
  for (let i = lines.length - 1; i >= 0 && shown.length < TAIL_LINES; i--) {
    const text = clip(lines[i] as string, LINE_LIMIT);
    if (chars + text.length > BODY_LIMIT) break;
    chars += text.length;
    shown.unshift({ kind: "out", text });
  }
  const earlier = lineCount(output) - blank - shown.length;
  if (earlier > 0) shown.unshift({ kind: "note", text: `… ${plural(earlier, "earlier line")}` });
  return shown;
}

/** The lines of a unified diff (OpenCode's own, from the diff package): hunks only, headers dropped. */
function diffBody(diff: string, directory?: string): TranscriptBodyLine[] {
  const files = diff.match(/^Index: /gm)?.length ?? 0;
  const lines: TranscriptBodyLine[] = [];
  let oldLeft = 0;
  let newLeft = 0;
  for (const line of splitLines(diff)) {
    const hunk = /^@@ -\d+(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/.exec(line);
    if (hunk) {
      oldLeft = Number(hunk[1] ?? 1);
      newLeft = Number(hunk[3] ?? 1);
      lines.push({ kind: "note", text: `@@ line ${hunk[2]}` });
    } else if (oldLeft > 0 || newLeft > 0) {
      const sign = line[0];
      if (sign === "\\") continue; // "\ No newline at end of file"
      if (sign !== "+") oldLeft--;
      if (sign !== "-") newLeft--;
      lines.push({ kind: sign === "+" ? "add" : sign === "-" ? "del" : "ctx", text: line.slice(1) });
    } else if (files > 1 && line.startsWith("Index: ")) lines.push({ kind: "note", text: shownPath(line.slice(7), directory) });
  }
  return lines;
}

/** An edit as OpenCode was asked for it: the old text out, the new text in. */
const replacement = (oldText: string, newText: string): TranscriptBodyLine[] => [
  ...splitLines(oldText).map((text) => ({ kind: "del" as const, text })),
  ...splitLines(newText).map((text) => ({ kind: "add" as const, text })),
];

/** "+12 −3": OpenCode's counts where it gave them, else the body's own. */
function changeCount(lines: TranscriptBodyLine[], counts?: { additions?: unknown; deletions?: unknown }): string {
  const added = num(counts?.additions) ?? lines.filter((l) => l.kind === "add").length;
  const removed = num(counts?.deletions) ?? lines.filter((l) => l.kind === "del").length;
  return `+${added} −${removed}`;
}

function write(call: ToolCall): ToolView {
  const content = str(call.input.content);
  const lines = content === undefined ? [] : splitLines(content).map((text) => ({ kind: "add" as const, text }));
  return { title: fileOf(call, call.input.filePath), detail: content === undefined ? undefined : `+${lines.length}`, lines: head(lines), changes: true };
}

function edit(call: ToolCall): ToolView {
  const filediff = obj(call.metadata.filediff);
  const diff = str(call.metadata.diff) ?? str(filediff?.patch);
  const edits = call.tool === "multiedit" ? list(call.input.edits).map(obj) : [call.input];
  const lines = diff ? diffBody(diff, call.directory) : edits.flatMap((e) => replacement(str(e?.oldString) ?? "", str(e?.newString) ?? ""));
  return { title: fileOf(call, call.input.filePath), detail: lines.length ? changeCount(lines, filediff) : undefined, lines: head(lines), changes: true };
}

/** apply_patch: its files, and its diff (OpenCode's, or the patch the model wrote while it runs). */
function patch(call: ToolCall): ToolView {
  const text = str(call.input.patchText) ?? "";
  const files = list(call.metadata.files).map(obj);
  const names = files.length
    ? files.map((f) => str(f?.relativePath) ?? shownPath(str(f?.filePath) ?? "?", call.directory))
    : [...text.matchAll(/^\*\*\* (?:Add|Update|Delete) File: (.+)$/gm)].map((m) => shownPath((m[1] as string).trim(), call.directory));
  const diff = str(call.metadata.diff);
  const lines = diff ? diffBody(diff, call.directory) : patchBody(text, call.directory);
  const additions = files.reduce((n, f) => n + (num(f?.additions) ?? 0), 0);
  const deletions = files.reduce((n, f) => n + (num(f?.deletions) ?? 0), 0);
  return { title: names.join(", "), detail: lines.length ? changeCount(lines, files.length ? { additions, deletions } : undefined) : undefined, lines: head(lines), changes: true };
}

const PATCH_VERB: Record<string, string> = { Add: "new ", Delete: "deleted " };

/** The patch the model wrote (`*** Update File: …`, then -/+ lines), read as a diff. */
function patchBody(text: string, directory?: string): TranscriptBodyLine[] {
  const lines: TranscriptBodyLine[] = [];
  for (const line of splitLines(text)) {
    const file = /^\*\*\* (Add|Update|Delete) File: (.+)$/.exec(line);
    const moved = /^\*\*\* Move to: (.+)$/.exec(line);
    if (file) lines.push({ kind: "note", text: `${PATCH_VERB[file[1] as string] ?? ""}${shownPath((file[2] as string).trim(), directory)}` });
    else if (moved) lines.push({ kind: "note", text: `→ ${shownPath((moved[1] as string).trim(), directory)}` });
    else if (line.startsWith("@@")) lines.push({ kind: "note", text: line });
    else if (line.startsWith("+")) lines.push({ kind: "add", text: line.slice(1) });
    else if (line.startsWith("-")) lines.push({ kind: "del", text: line.slice(1) });
    else if (line.startsWith(" ")) lines.push({ kind: "ctx", text: line.slice(1) });
  }
  return lines;
}

function bash(call: ToolCall): ToolView {
  const { state, metadata } = call;
  const output = str(metadata.output) ?? (state.status === "completed" ? state.output : undefined);
  return { title: str(call.input.command), text: str(call.input.description) ?? str(metadata.description), exit: num(metadata.exit), lines: output ? tail(output) : undefined };
}

/** " in src" / " (*.ts)": where a search looked. */
const scope = (call: ToolCall) => {
  const path = str(call.input.path);
  const include = str(call.input.include);
  return `${path ? ` in ${shownPath(path, call.directory)}` : ""}${include ? ` (${include})` : ""}`;
};
const counted = (value: unknown, one: string, many?: string) => (num(value) === undefined ? undefined : plural(num(value) as number, one, many));

const read = (call: ToolCall): ToolView => {
  const offset = num(call.input.offset);
  const limit = num(call.input.limit);
  return { title: fileOf(call, call.input.filePath), detail: offset || limit ? `${offset ? `from line ${offset}` : ""}${offset && limit ? ", " : ""}${limit ? plural(limit, "line") : ""}` : undefined };
};
const grep = (call: ToolCall): ToolView => ({ title: `${str(call.input.pattern) ?? ""}${scope(call)}`, detail: counted(call.metadata.matches, "match", "matches") });
const glob = (call: ToolCall): ToolView => ({ title: `${str(call.input.pattern) ?? ""}${scope(call)}`, detail: counted(call.metadata.count, "file") });
const ls = (call: ToolCall): ToolView => ({ title: shownPath(str(call.input.path) ?? ".", call.directory), detail: counted(call.metadata.count, "entry", "entries") });
const webfetch = (call: ToolCall): ToolView => ({ title: str(call.input.url), detail: str(call.input.format) });
const search = (call: ToolCall): ToolView => ({ title: str(call.input.query) });
const task = (call: ToolCall): ToolView => ({ title: str(call.input.description), detail: str(call.input.subagent_type) });

const TODO_MARK: Record<string, string> = { completed: "[x]", in_progress: "[~]", cancelled: "[-]" };
function todowrite(call: ToolCall): ToolView {
  const todos = list(call.input.todos).map(obj);
  const done = todos.filter((t) => t?.status === "completed").length;
  return { title: plural(todos.length, "todo"), detail: `${done} done`, lines: head(todos.map((t) => ({ kind: "out", text: `${TODO_MARK[str(t?.status) ?? ""] ?? "[ ]"} ${str(t?.content) ?? ""}` }))) };
}

function question(call: ToolCall): ToolView {
  const questions = list(call.input.questions).map(obj);
  const answers = list(call.metadata.answers).map((a) => list(a).filter((x) => typeof x === "string").join(", "));
  return {
    title: str(questions[0]?.header) ?? str(questions[0]?.question),
    text: answers.length ? `Answered: ${answers.join("; ")}` : undefined,
    lines: head(questions.map((q) => ({ kind: "out", text: str(q?.question) ?? "" }))),
  };
}

/** A role's structured result (a Worker's report, a plan, a review): its status and summary, not its JSON. */
function structuredOutput(call: ToolCall): ToolView {
  const { input } = call;
  const todos = list(input.todos).map(obj);
  const verdicts = list(input.verdicts).map(obj);
  const lines: TranscriptBodyLine[] = [
    ...todos.map((t) => ({ kind: "out" as const, text: `${str(t?.id) ?? "?"} · ${str(t?.title) ?? ""}` })),
    ...verdicts.map((v) => ({ kind: "out" as const, text: `${str(v?.todoId) ?? "?"} ${str(v?.verdict) ?? ""}${list(v?.issues).length ? `: ${list(v?.issues).filter((i) => typeof i === "string").join("; ")}` : ""}` })),
  ];
  for (const [key, label] of [["filesChanged", "files"], ["checksRun", "checks"]] as const) {
    const items = list(input[key]).filter((i) => typeof i === "string");
    if (items.length) lines.push({ kind: "out", text: `${label}: ${items.join(", ")}` });
  }
  if (str(input.notes)?.trim()) lines.push({ kind: "out", text: `notes: ${oneLine(str(input.notes) as string, LINE_LIMIT)}` });
  const title = str(input.status) ?? (Array.isArray(input.todos) ? `plan of ${plural(todos.length, "TODO")}` : Array.isArray(input.verdicts) ? `review of ${plural(verdicts.length, "TODO")}` : undefined);
  return { title, text: str(input.summary), lines: head(lines) };
}

/** Our MCP server's background-job tools: the job's command or id, and its status from the tool's JSON answer. */
function background(call: ToolCall): ToolView {
  let answer: Record<string, unknown> = {};
  if (call.state.status === "completed") {
    try {
      answer = obj(JSON.parse(call.state.output)) ?? {};
    } catch {
      // Not JSON (an MCP error text): the input alone tells what was asked.
    }
  }
  const job = str(answer.jobId) ?? str(call.input.jobId);
  const command = str(call.input.command) ?? str(answer.command);
  const detail = [command && job ? `job ${job}` : undefined, str(answer.status)].filter(Boolean).join(" · ");
  const output = call.tool === `${BACKGROUND}output` ? str(answer.output) : undefined;
  return { title: command ?? job, detail, text: str(answer.error), exit: num(answer.exitCode), lines: output ? tail(output) : undefined };
}

/** Any other tool: its input in one short line ("key: value, …"), never a dump of it. */
function other(call: ToolCall): ToolView {
  const shown = Object.entries(call.input).slice(0, 4).map(([key, value]) => {
    if (typeof value === "string") return `${key}: ${oneLine(value, 60)}`;
    if (typeof value === "number" || typeof value === "boolean") return `${key}: ${value}`;
    return Array.isArray(value) ? `${key}: [${value.length}]` : `${key}: {…}`;
  });
  return { title: shown.join(", ") };
}

const VIEWS: Record<string, (call: ToolCall) => ToolView> = {
  write, edit, multiedit: edit, patch, apply_patch: patch, bash, read, grep, glob, list: ls, webfetch,
  websearch: search, codesearch: search, task, todowrite, question, StructuredOutput: structuredOutput,
  // OpenCode 2's structured results: the roles' report tools on our MCP server.
  ...Object.fromEntries(REPORT_TOOLS.map((t) => [t.offered, structuredOutput])),
};
