/**
 * What `@orchestrator /status` says: the mission shown, from the one read model (progress, the
 * sessions at work, cost), in a few lines of Markdown. No `vscode` import: tested without an editor.
 */
import { missionLabel, type MissionModel } from "../shared/mission";

/** Text the user or a model wrote, shown as words: Markdown's own characters are escaped. */
export function markdownText(text: string): string {
  return text.replace(/[\\`*_{}[\]()<>#+\-.!|~]/g, (c) => `\\${c}`);
}

const PHASE: Record<MissionModel["phase"], string> = {
  idle: "no mission",
  starting: "starting OpenCode",
  running: "running",
  done: "finished",
  failed: "failed",
  stopped: "stopped",
};

export function missionStatusMarkdown(model: MissionModel): string {
  if (!model.mission && model.phase === "idle") return "No mission in this workspace yet. Start one with `/task <mission>`, or ask me anything about the workspace.";
  const lines = [`**Mission:** ${markdownText(missionLabel(model.mission ?? "", 120))}`];
  lines.push(`**Status:** ${model.status && model.status !== model.phase ? `${model.status} (${PHASE[model.phase]})` : PHASE[model.phase]}${model.demo ? " · scripted demo model" : ""}`);
  if (model.progress) lines.push(`**Progress:** ${markdownText(model.progress)}`);
  if (model.planApproval && model.estimate) lines.push(`**Plan:** ${markdownText(model.estimate.line)}. Answer with **Orchestrator: Approve Plan**, **Replan…** or **Cancel Plan** (also on the mission in the TODO view).`);
  const working = model.todos.filter((t) => t.role);
  if (model.counts.runningSessions || working.length) {
    const who = working.map((t) => `${t.id} (${t.role === "worker" ? "Worker" : "Reviewer"})`);
    lines.push(`**Sessions running:** ${model.counts.runningSessions}${who.length ? ` · ${markdownText(who.join(", "))}` : ""}`);
  }
  const tokens = model.tokens.input + model.tokens.output;
  lines.push(`**Cost:** $${model.cost.toFixed(4)} · ${tokens.toLocaleString("en")} tokens`);
  if (model.attention.length) lines.push(`**Needs attention:** ${markdownText(model.attention.join(", "))}`);
  const why = model.error ?? model.stopReason;
  if (why) lines.push(`**Why it ${model.phase === "failed" ? "failed" : "stopped"}:** ${markdownText(why)}`);
  if (model.resumable && model.phase !== "running" && model.phase !== "starting") lines.push("It can be resumed: **Orchestrator: Resume Mission**.");
  // Two spaces before each break: Markdown keeps the lines apart without a list's bullets.
  return lines.join("  \n");
}
