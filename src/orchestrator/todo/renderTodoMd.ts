/**
 * todo.md: the mission's TODO list as people and agents read it, rendered from state. What a model
 * wrote (titles, files, acceptance, issues) stays on its TODO's line, so it cannot add a TODO or a status.
 */
import { oneLine } from "../agents/promptFence";
import type { MissionState, TodoState } from "../domain/state";

const BOX: Record<TodoState["status"], string> = {
  pending: "[ ]",
  running: "[~]",
  review: "[?]",
  done: "[x]",
  failed: "[!]",
  blocked: "[-]",
  replaced: "[/]",
  skipped: "[s]",
  reverted: "[r]",
};

export function renderTodoMd(state: MissionState): string {
  const live = state.todos.filter((t) => t.status !== "replaced");
  const done = live.filter((t) => t.status === "done").length;
  const lines = [
    `# Mission ${state.id}`,
    "",
    state.mission,
    "",
    `Status: **${state.status}**${state.stopReason ? ` (${state.stopReason})` : ""} · ${done}/${live.length} done · iteration ${state.iteration}`,
    "",
    "## TODOs",
    "",
  ];
  for (const t of state.todos) {
    const deps = t.dependsOn.length ? ` (after ${oneLine(t.dependsOn.join(", "))})` : "";
    lines.push(`- ${BOX[t.status]} **${t.id}** ${oneLine(t.title)}${deps} — ${t.status}${t.attempts > 1 ? `, attempt ${t.attempts}` : ""}`);
    if (t.files.length) lines.push(`  - files: ${oneLine(t.files.join(", "))}`);
    lines.push(`  - acceptance: ${oneLine(t.acceptance)}`);
    if (t.reviewIssues.length && t.status !== "done") lines.push(`  - review issues: ${oneLine(t.reviewIssues.join("; "))}`);
  }
  const open = state.syncIssues.filter((s) => s.open);
  if (open.length) {
    lines.push("", "## Open sync issues", "");
    for (const s of open) lines.push(`- **${s.id}** ${oneLine(s.title)}: ${oneLine(s.detail)}`);
  }
  lines.push("", "Legend: [ ] pending · [~] running · [?] in review · [x] done · [!] failed · [-] blocked · [/] replaced · [s] skipped · [r] reverted", "");
  return lines.join("\n");
}
