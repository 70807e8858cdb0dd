/**
 * The user-message side of each role's turn. The role prompts (prompts/*.ts) say how to work;
 * these say what to work on now. Kept compact: every character is paid for on every request.
 */
import type { SyncIssue, TodoState } from "../domain/state";

const todoLine = (t: TodoState) => `- ${t.id} [${t.status}] ${t.title}${t.files.length ? ` (files: ${t.files.join(", ")})` : ""}`;

export function planPrompt(mission: string, docsDir: string): string {
  return `<mission>\n${mission}\n</mission>\nPlan this mission as a TODO graph. Cache fetched docs under ${docsDir}.`;
}

export interface ReplanContext {
  todos: TodoState[];
  blocked: TodoState[];
  syncIssues: SyncIssue[];
}

export function replanPrompt(mission: string, context: ReplanContext): string {
  const parts = [`<mission>\n${mission}\n</mission>`, "Current TODOs:", ...context.todos.map(todoLine)];
  if (context.blocked.length) {
    parts.push("These TODOs are blocked and will be replaced by your new TODOs:");
    for (const t of context.blocked) parts.push(`- ${t.id}: ${t.report?.notes || t.reviewIssues.join("; ") || "no detail"}`);
  }
  if (context.syncIssues.length) {
    parts.push("Open sync issues to fix:");
    for (const s of context.syncIssues) parts.push(`- ${s.id} ${s.title}: ${s.detail}`);
  }
  parts.push("Answer with only the NEW TODOs (new ids) that resolve the above; they may depend on existing TODOs.");
  return parts.join("\n");
}

export function invalidPlanPrompt(problems: string[]): string {
  return `Your plan is invalid:\n${problems.map((p) => `- ${p}`).join("\n")}\nAnswer again with a corrected plan.`;
}

export function workerPrompt(mission: string, todo: TodoState, todoMdPath: string): string {
  const parts = [
    `<mission>\n${mission}\n</mission>`,
    `<todo id="${todo.id}" kind="${todo.kind}">`,
    `Title: ${todo.title}`,
    todo.description,
    `Files: ${todo.files.join(", ") || "(none named)"}`,
    `Acceptance: ${todo.acceptance}`,
    "</todo>",
  ];
  if (todo.reviewIssues.length) parts.push(`The previous attempt was sent back:\n${todo.reviewIssues.map((i) => `- ${i}`).join("\n")}`);
  if (todo.attempts > 1) parts.push(`This is attempt ${todo.attempts}.`);
  parts.push(`The whole plan is in ${todoMdPath}. Do only this TODO, then report.`);
  return parts.join("\n");
}

/** What the orchestrator itself saw a TODO change: the file list with +/−, and its diff (bounded). */
function changedLines(t: TodoState, diff: string | undefined): string[] {
  const changes = t.changes;
  if (!changes?.head) return [];
  if (changes.files.length === 0) return ["Changed (the orchestrator's own record): nothing."];
  const declared = new Set(t.files);
  const outside = changes.files.filter((f) => !declared.has(f.path)).map((f) => f.path);
  const lines = [`Changed (the orchestrator's own record, not the Worker's word): ${changes.files.map((f) => `${f.path} ${f.binary ? "(binary)" : `+${f.added} −${f.removed}`}${f.status === "modified" ? "" : ` (${f.status})`}`).join(", ")}`];
  if (outside.length) lines.push(`Outside its declared files: ${outside.join(", ")}`);
  if (diff) lines.push("<diff>", diff.trimEnd(), "</diff>");
  return lines;
}

export function reviewPrompt(mission: string, toReview: TodoState[], options: { integration: boolean; final: boolean; diffs?: ReadonlyMap<string, string> }): string {
  const parts = [`<mission>\n${mission}\n</mission>`, toReview.length ? "Review these TODOs:" : "Every TODO is done and was reviewed. Check the whole mission: run the build and the whole test suite."];
  for (const t of toReview) {
    parts.push(`<todo id="${t.id}">`, `Title: ${t.title}`, `Acceptance: ${t.acceptance}`, `Files: ${t.files.join(", ")}`, `Worker: ${t.report?.summary ?? "(no report)"}${t.report?.checksRun.length ? ` Checks: ${t.report.checksRun.join("; ")}` : ""}`, ...changedLines(t, options.diffs?.get(t.id)), "</todo>");
  }
  if (options.integration) parts.push("Most of the mission is done: also run the project's integration check (build and the whole test suite) and report what does not fit together as sync issues.");
  if (options.final) parts.push("If these pass, the mission is complete: check the whole against the mission.");
  return parts.join("\n");
}
