/**
 * What a turn has done so far, reduced from its parts' events: the files it changed, the commands it
 * ran, the background jobs it started, its last words. When a turn fails (its context overflowed, it
 * stalled, it ran past its time limit) the retry runs in a fresh session; this summary lets the retry
 * build on the work in the workspace instead of redoing it — at no model request, where asking the
 * model to summarize would need the very context that just ran out.
 */
import { fenceFor, oneLine } from "../agents/promptFence";
import { REPORT_TOOL_NAMES } from "../agents/reportTools";
import type { Part } from "./engineEvents";

/** The name OpenCode gives our MCP server's background_start tool (server "orchestrator"). */
export const BACKGROUND_START_TOOL = "orchestrator_background_start";

export interface CommandRun {
  command: string;
  exit?: number;
  /** Still running when the attempt ended (stopped at its time limit, or stalled): a retry should not just run it again in the foreground. */
  unfinished?: boolean;
}

export interface WorkDone {
  filesChanged: string[];
  commands: CommandRun[];
  jobIds: string[];
  /** The last text the model wrote in the turn (often its plan or where it stood). */
  lastText: string;
  /**
   * When every tool call of the turn that may write had been seen to end (this process's monotonic
   * clock, performance.now; the turn's start if it made none): whatever its tools wrote was on disk
   * by then. Undefined when unknown — such a call still underway at the end, events that may have
   * been missed.
   */
  settledAt?: number;
}

/** Files remembered per turn: enough for a scaffolding TODO's whole diff (the retry's summary names fewer). */
const MAX_FILES = 2_000;
const FILES_DESCRIBED = 40;
const MAX_COMMANDS = 8;
const MAX_TEXT = 600;
const EDIT_TOOLS = new Set(["write", "edit", "multiedit", "patch", "apply_patch"]);
/**
 * OpenCode's tools that write nothing: when they end does not tell when the turn's writes did
 * (StructuredOutput or a report tool, the Worker's report, is its last call). Any other tool — bash,
 * the edits, a subagent's task, an MCP tool — may write.
 */
const READ_ONLY_TOOLS = new Set(["StructuredOutput", ...REPORT_TOOL_NAMES, "read", "glob", "grep", "list", "todoread", "todowrite", "webfetch", "websearch", "codesearch", "question", "skill"]);

export const noWork = (): WorkDone => ({ filesChanged: [], commands: [], jobIds: [], lastText: "" });

export const isEmptyWork = (w: WorkDone): boolean => w.filesChanged.length === 0 && w.commands.length === 0 && w.jobIds.length === 0 && !w.lastText;

/**
 * Two attempts' work as one: the later attempt's last words, every file and job, the latest commands.
 * Attempts run one after the other, each session let go of before the next begins, so the later one
 * settles both — unless the earlier left a call underway, or cannot tell.
 */
export function mergeWork(a: WorkDone, b: WorkDone): WorkDone {
  const merged: WorkDone = {
    filesChanged: [...new Set([...a.filesChanged, ...b.filesChanged])].slice(-MAX_FILES),
    commands: [...a.commands, ...b.commands].slice(-MAX_COMMANDS),
    jobIds: [...new Set([...a.jobIds, ...b.jobIds])],
    lastText: b.lastText || a.lastText,
  };
  if (a.settledAt !== undefined && b.settledAt !== undefined && !a.commands.some((c) => c.unfinished)) merged.settledAt = b.settledAt;
  return merged;
}

/** The job id in background_start's answer (our MCP server answers with JSON that names it). */
export function jobIdInOutput(output: string): string | undefined {
  return /"jobId":\s*"([^"]+)"/.exec(output)?.[1];
}

export class TurnProgress {
  private readonly files = new Set<string>();
  private readonly commands: CommandRun[] = [];
  private readonly jobs: string[] = [];
  private lastText = "";
  /** Commands whose tool part is still running, by part id. */
  private readonly running = new Map<string, string>();
  /** Completed tool parts already counted: OpenCode may send a part's final state more than once. */
  private readonly counted = new Set<string>();
  /** Tool calls that may write, begun and not yet seen to end, by part id: while one is, the turn may still write. */
  private readonly underway = new Set<string>();
  /** See WorkDone.settledAt; undefined for good once events may have been missed. */
  private settledAt: number | undefined;

  constructor(private readonly now: () => number = () => performance.now()) {
    this.settledAt = now();
  }

  /** Events of the turn may have been missed (the stream reconnected): when it settled is unknown. */
  lost(): void {
    this.settledAt = undefined;
  }

  /**
   * Feeds one part of the session. `ofThisTurn` says whether its message is an assistant message of
   * this turn (the user's prompt and earlier turns' parts are not work of this turn).
   * Returns the id of a background job this part just reported started, if any.
   */
  feed(part: Part, ofThisTurn: (messageId: string) => boolean): string | undefined {
    if (!ofThisTurn(part.messageID)) return undefined;
    if (part.type === "text") {
      if (!part.synthetic && part.text.trim()) this.lastText = part.text.trim().slice(-MAX_TEXT);
      return undefined;
    }
    if (part.type === "patch") {
      for (const file of part.files) this.addFile(file);
      return undefined;
    }
    if (part.type === "tool" && !READ_ONLY_TOOLS.has(part.tool)) this.track(part.id, part.state.status);
    if (part.type === "tool" && part.tool === "bash" && part.state.status === "running") {
      const command = (part.state.input as { command?: unknown }).command;
      if (typeof command === "string") this.running.set(part.id, command.slice(0, 200));
      return undefined;
    }
    if (part.type !== "tool" || part.state.status !== "completed" || this.counted.has(part.id)) return undefined;
    this.counted.add(part.id);
    this.running.delete(part.id);
    const input = part.state.input as Record<string, unknown>;
    if (EDIT_TOOLS.has(part.tool) && typeof input.filePath === "string") this.addFile(input.filePath);
    if (part.tool === "apply_patch" || part.tool === "patch") for (const file of patchedFiles(input, part.state.metadata)) this.addFile(file);
    if (part.tool === "bash" && typeof input.command === "string") {
      const exit = (part.state.metadata as { exit?: unknown } | undefined)?.exit;
      this.commands.push({ command: input.command.slice(0, 200), exit: typeof exit === "number" ? exit : undefined });
      if (this.commands.length > MAX_COMMANDS) this.commands.shift();
    }
    if (part.tool === BACKGROUND_START_TOOL) {
      const jobId = jobIdInOutput(part.state.output);
      if (jobId && !this.jobs.includes(jobId)) {
        this.jobs.push(jobId);
        return jobId;
      }
    }
    return undefined;
  }

  get work(): WorkDone {
    const unfinished = [...this.running.values()].map((command) => ({ command, unfinished: true }));
    const work: WorkDone = { filesChanged: [...this.files], commands: [...this.commands, ...unfinished].slice(-MAX_COMMANDS), jobIds: [...this.jobs], lastText: this.lastText };
    if (this.settledAt !== undefined && this.underway.size === 0) work.settledAt = this.settledAt;
    return work;
  }

  private track(partId: string, status: string): void {
    if (status === "pending" || status === "running") return void this.underway.add(partId);
    this.underway.delete(partId);
    // Seen now, so ended by now: a later sighting (a final state sent twice) only makes it later.
    if (this.settledAt !== undefined) this.settledAt = this.now();
  }

  private addFile(file: string): void {
    this.files.delete(file);
    this.files.add(file);
    if (this.files.size > MAX_FILES) this.files.delete(this.files.values().next().value as string);
  }
}

/**
 * The summary a retry in a fresh session gets of what earlier attempts already did. Commands, file
 * names and the note are the model's words: each kept to one line, all inside a fence whose nonce
 * occurs neither in them nor in `others` (the rest of the prompt).
 */
export function describeWork(work: WorkDone, others: readonly string[] = []): string {
  if (isEmptyWork(work)) return "";
  const lines: string[] = [];
  if (work.filesChanged.length) {
    const shown = work.filesChanged.slice(-FILES_DESCRIBED).map(oneLine);
    const more = work.filesChanged.length - shown.length;
    lines.push(`- Files changed: ${shown.join(", ")}${more > 0 ? ` (and ${more} more)` : ""}`);
  }
  for (const c of work.commands) {
    if (c.unfinished) lines.push(`- Was still running \`${oneLine(c.command)}\` when the attempt was stopped (run long commands with orchestrator_background_start)`);
    else lines.push(`- Ran \`${oneLine(c.command)}\`${c.exit === undefined ? "" : ` (exit ${c.exit})`}`);
  }
  if (work.jobIds.length) lines.push(`- Background jobs started: ${work.jobIds.map(oneLine).join(", ")} (check them with orchestrator_background_status)`);
  if (work.lastText) lines.push(`- Its last note: ${work.lastText.replace(/\s+/g, " ")}`);
  const body = lines.join("\n");
  const fence = fenceFor([body, ...others]);
  return `Work earlier attempts of this turn already did (it is in the workspace; check it, build on it, do not redo it):\n${fence.block("earlier-work", body)}`;
}

/**
 * The files an apply_patch call changed: OpenCode's own list when the call completed (metadata.files),
 * else the `*** Add/Update/Delete File:` and `*** Move to:` lines of the patch the model wrote.
 */
export function patchedFiles(input: Record<string, unknown>, metadata: unknown): string[] {
  const listed = (metadata as { files?: unknown } | undefined)?.files;
  if (Array.isArray(listed)) {
    const paths = listed.map((f) => (f as { filePath?: unknown; movePath?: unknown }) ?? {}).flatMap((f) => [f.filePath, f.movePath]).filter((p): p is string => typeof p === "string" && p.length > 0);
    if (paths.length) return paths;
  }
  const text = typeof input.patchText === "string" ? input.patchText : "";
  return [...text.matchAll(/^\*\*\* (?:(?:Add|Update|Delete) File|Move to): (.+)$/gm)].map((m) => (m[1] as string).trim());
}
