/**
 * What `@orchestrator /status` says: the mission shown, from the one read model (progress, the
 * sessions at work, cost), in a few lines of Markdown. No `vscode` import: tested without an editor.
 */
import * as l10n from "@vscode/l10n";
import { missionLabel, type MissionModel } from "../shared/mission";

/** Text the user or a model wrote, shown as words: Markdown's own characters are escaped. */
export function markdownText(text: string): string {
  return text.replace(/[\\`*_{}[\]()<>#+\-.!|~]/g, (c) => `\\${c}`);
}

/** A phase in words (a function: the words are read from the bundle configured at activation). */
function phaseText(phase: MissionModel["phase"]): string {
  const words: Record<MissionModel["phase"], string> = {
    idle: l10n.t("no mission"),
    starting: l10n.t("starting OpenCode"),
    running: l10n.t("running"),
    done: l10n.t("finished"),
    failed: l10n.t("failed"),
    stopped: l10n.t("stopped"),
  };
  return words[phase];
}

export function missionStatusMarkdown(model: MissionModel): string {
  if (!model.mission && model.phase === "idle") return l10n.t("No mission in this workspace yet. Start one with `/task <mission>`, or ask me anything about the workspace.");
  const lines = [l10n.t("**Mission:** {0}", markdownText(missionLabel(model.mission ?? "", 120)))];
  const status = model.status && model.status !== model.phase ? `${model.status} (${phaseText(model.phase)})` : phaseText(model.phase);
  lines.push(model.demo ? l10n.t("**Status:** {0} · scripted demo model", status) : model.model ? l10n.t("**Status:** {0} · {1}", status, markdownText(model.model)) : l10n.t("**Status:** {0}", status));
  if (model.progress) lines.push(l10n.t("**Progress:** {0}", markdownText(model.progress)));
  if (model.planApproval && model.estimate) lines.push(l10n.t("**Plan:** {0}. Answer with **Orchestrator: Approve Plan**, **Replan…** or **Cancel Plan** (also on the mission in the TODO view).", markdownText(model.estimate.line)));
  const working = model.todos.filter((t) => t.role);
  if (model.counts.runningSessions || working.length) {
    const who = working.map((t) => `${t.id} (${t.role === "worker" ? l10n.t("Worker") : l10n.t("Reviewer")})`);
    lines.push(`${l10n.t("**Sessions running:** {0}", model.counts.runningSessions)}${who.length ? ` · ${markdownText(who.join(", "))}` : ""}`);
  }
  const tokens = model.tokens.input + model.tokens.output;
  lines.push(l10n.t("**Cost:** ${0} · {1} tokens", model.cost.toFixed(4), tokens.toLocaleString("en")));
  if (model.attention.length) lines.push(l10n.t("**Needs attention:** {0}", markdownText(model.attention.join(", "))));
  const why = model.error ?? model.stopReason;
  if (why) lines.push(model.phase === "failed" ? l10n.t("**Why it failed:** {0}", markdownText(why)) : l10n.t("**Why it stopped:** {0}", markdownText(why)));
  if (model.resumable && model.phase !== "running" && model.phase !== "starting") lines.push(l10n.t("It can be resumed: **Orchestrator: Resume Mission**."));
  // Two spaces before each break: Markdown keeps the lines apart without a list's bullets.
  return lines.join("  \n");
}
