/** The final report of a mission, rendered from its state (no model request needed). */
import type { MissionState, MissionStatus } from "../domain/state";
import { countTodos, doneText } from "../domain/progress";
import { liveTodos } from "../domain/transitions";

export function missionReport(s: MissionState, status: MissionStatus = s.status): string {
  const live = liveTodos(s);
  const lines = [
    `Mission ${status}: ${doneText(countTodos(live), "TODOs done")} in ${s.iteration} review round(s).`,
    ...live.map((t) => `- ${t.id} ${t.status}: ${t.title}${t.report ? ` — ${t.report.summary}` : ""}`),
    `Usage: ${s.usage.turns} turns, ${s.usage.inputTokens} input + ${s.usage.outputTokens} output tokens, $${s.usage.cost.toFixed(4)}.`,
  ];
  if (s.stopReason && status !== "sealed") lines.splice(1, 0, `Stopped: ${s.stopReason}.`);
  const open = s.syncIssues.filter((i) => i.open);
  if (open.length) lines.push(`Open sync issues: ${open.map((i) => i.title).join("; ")}.`);
  return lines.join("\n");
}
