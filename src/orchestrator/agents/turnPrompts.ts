/**
 * The user-message side of each role's turn. The role prompts (prompts/*.ts) say how to work;
 * these say what to work on now. Kept compact: every character is paid for on every request.
 *
 * Everything the orchestrator did not write itself — the mission, the Planner's titles and
 * descriptions, a Worker's report, the Reviewer's issues, diffs — goes inside fenced blocks whose
 * closing tag carries a nonce new to each prompt (promptFence.ts): such text may say anything,
 * `</mission>` included, and still cannot end its block or pose as the orchestrator. One-line
 * fields (titles, file names, commands) are kept to one line, so they cannot pose as other fields.
 * Inside a TODO's block the lines outside the inner blocks are the orchestrator's (one-line fields,
 * its own check results and change record) and come first; every multi-line text a model wrote
 * (acceptance, description, report, diff) is an inner block of its own.
 */
import type { PlannedTodo } from "../domain/schemas";
import type { CheckResult, SyncIssue, TodoState } from "../domain/state";
import { workspacePath } from "../workspace/workspacePath";
import { fenceFor, oneLine, type Fence } from "./promptFence";

const list = (items: readonly string[]) => items.map(oneLine).join(", ");

const todoLine = (t: TodoState) => `- ${t.id} [${t.status}] ${oneLine(t.title)}${t.files.length ? ` (files: ${list(t.files)})` : ""}`;

/** The untrusted text of a prompt, as one string to keep the fence's nonce out of. */
const untrusted = (...parts: unknown[]) => parts.map((p) => (typeof p === "string" ? p : JSON.stringify(p) ?? "")).join("\n");

const missionBlock = (fence: Fence, mission: string) => fence.block("mission", mission);

export function planPrompt(mission: string, docsDir: string): string {
  const fence = fenceFor([untrusted(mission, docsDir)]);
  return `${missionBlock(fence, mission)}\nPlan this mission as a TODO graph. Cache fetched docs under ${oneLine(docsDir)}.`;
}

/**
 * The user read the plan and asked for another: a new Planner session (the plan is not theirs to
 * patch) gets the mission, the plan they turned down and what they said about it.
 */
export function userReplanPrompt(mission: string, docsDir: string, declined: readonly PlannedTodo[], feedback: string): string {
  const titles = declined.map((t) => `- ${t.id}: ${oneLine(t.title)}${t.files.length ? ` (files: ${list(t.files)})` : ""}`).join("\n");
  const fence = fenceFor([untrusted(mission, docsDir, titles, feedback)]);
  return [
    missionBlock(fence, mission),
    "The user did not approve this plan:",
    fence.block("declined-plan", titles),
    "The user's feedback on it:",
    fence.block("feedback", feedback),
    `Plan this mission again as a TODO graph that answers the feedback. Cache fetched docs under ${oneLine(docsDir)}.`,
  ].join("\n");
}

export interface ReplanContext {
  todos: TodoState[];
  blocked: TodoState[];
  syncIssues: SyncIssue[];
}

export function replanPrompt(mission: string, context: ReplanContext): string {
  const fence = fenceFor([untrusted(mission, context)]);
  const parts = [missionBlock(fence, mission), "Current TODOs:", fence.block("todos", context.todos.map(todoLine).join("\n"))];
  if (context.blocked.length) {
    parts.push("These TODOs are blocked and will be replaced by your new TODOs:");
    parts.push(fence.block("blocked", context.blocked.map((t) => `- ${t.id}: ${oneLine(t.report?.notes || t.reviewIssues.join("; ") || "no detail")}`).join("\n")));
  }
  if (context.syncIssues.length) {
    parts.push("Open sync issues to fix:");
    parts.push(fence.block("sync-issues", context.syncIssues.map((s) => `- ${s.id} ${oneLine(s.title)}: ${s.detail}`).join("\n")));
  }
  parts.push("Answer with only the NEW TODOs (new ids) that resolve the above; they may depend on existing TODOs.");
  return parts.join("\n");
}

/** The problems are the orchestrator's own checks of the plan, sent back to the Planner that wrote it. */
export function invalidPlanPrompt(problems: string[]): string {
  return `Your plan is invalid:\n${problems.map((p) => `- ${p}`).join("\n")}\nAnswer again with a corrected plan.`;
}

export function workerPrompt(mission: string, todo: TodoState, todoMdPath: string): string {
  const fence = fenceFor([untrusted(mission, todo, todoMdPath)]);
  const parts = [
    missionBlock(fence, mission),
    fence.open("todo", { id: todo.id, kind: todo.kind }),
    `Title: ${oneLine(todo.title)}`,
    `Files: ${list(todo.files) || "(none named)"}`,
    ...(todo.check ? [`Check (the orchestrator runs it when you report done; it must exit 0): ${oneLine(todo.check)}`] : []),
    "Acceptance:",
    fence.block("acceptance", todo.acceptance),
    fence.block("description", todo.description),
    fence.close("todo"),
  ];
  if (todo.reviewIssues.length) parts.push(fence.block("review-issues", `The previous attempt was sent back:\n${todo.reviewIssues.map((i) => `- ${i}`).join("\n")}`));
  if (todo.attempts > 1) parts.push(`This is attempt ${todo.attempts}.`);
  parts.push(`The whole plan is in ${oneLine(todoMdPath)}. Do only this TODO, then report.`);
  return parts.join("\n");
}

/** What the orchestrator itself saw a TODO change: the file list with +/− (its diff is a block of its own). */
function changedLines(t: TodoState): string[] {
  const changes = t.changes;
  if (!changes?.head) return [];
  if (changes.files.length === 0) return ["Changed (the orchestrator's own record): nothing."];
  // Declared files as the record spells them (a folder covers what is under it).
  const declared = t.files.map((f) => workspacePath(f, undefined, false)).filter(Boolean);
  const covers = (d: string, path: string) => path === d || path.startsWith(`${d}/`);
  const outside = changes.files.filter((f) => !declared.some((d) => covers(d, f.path))).map((f) => oneLine(f.path));
  // A declared file left as it was may be right, or half the work: the Reviewer decides, knowing.
  const unchanged = declared.filter((d) => !changes.files.some((f) => covers(d, f.path)));
  const lines = [`Changed (the orchestrator's own record, not the Worker's word): ${changes.files.map((f) => `${oneLine(f.path)} ${f.binary ? "(binary)" : `+${f.added} −${f.removed}`}${f.status === "modified" ? "" : ` (${f.status})`}`).join(", ")}`];
  if (outside.length) lines.push(`Outside its declared files: ${outside.join(", ")}`);
  if (unchanged.length) lines.push(`Declared, unchanged: ${list(unchanged)} (judge whether the TODO needed them changed)`);
  return lines;
}

/**
 * A check's outcome as evidence for the Reviewer: run by the orchestrator, not claimed by a Worker.
 * The outcome comes before the (model-written) command, which cannot rewrite it.
 */
const checkLine = (c: CheckResult | undefined) => (c ? [`Check run by the orchestrator: ${c.status}${c.exitCode !== undefined && c.exitCode !== null ? ` (exit ${c.exitCode})` : ""} · command: ${oneLine(c.command)}`] : []);

/** The Worker's own words about a TODO: its summary and the checks it says it ran. */
const workerWords = (fence: Fence, t: TodoState) => (t.report ? fence.block("worker-report", `${t.report.summary}${t.report.checksRun.length ? `\nChecks it says it ran: ${t.report.checksRun.map(oneLine).join("; ")}` : ""}`) : "Worker: (no report)");

export function reviewPrompt(mission: string, toReview: TodoState[], options: { integration: boolean; final: boolean; diffs?: ReadonlyMap<string, string>; missionCheck?: CheckResult }): string {
  const fence = fenceFor([untrusted(mission, toReview, options.missionCheck, ...(options.diffs?.values() ?? []))]);
  const parts = [missionBlock(fence, mission), toReview.length ? "Review these TODOs:" : "Every TODO is done and was reviewed. Check the whole mission: run the build and the whole test suite."];
  for (const t of toReview) {
    const diff = options.diffs?.get(t.id);
    parts.push(fence.open("todo", { id: t.id }), `Title: ${oneLine(t.title)}`, `Files: ${list(t.files)}`, ...checkLine(t.checkResult), ...changedLines(t), "Acceptance:", fence.block("acceptance", t.acceptance), workerWords(fence, t));
    if (diff && t.changes?.head && t.changes.files.length) parts.push(fence.block("diff", diff.trimEnd()));
    parts.push(fence.close("todo"));
  }
  parts.push(...checkLine(options.missionCheck).map((l) => `The project's whole check. ${l}`));
  if (options.integration) parts.push("Most of the mission is done: also run the project's integration check (build and the whole test suite) and report what does not fit together as sync issues.");
  if (options.final) parts.push("If these pass, the mission is complete: check the whole against the mission.");
  return parts.join("\n");
}
