/**
 * What the TODO tree and the Sessions view show, rendered from the core's read model: labels,
 * descriptions, tooltips, codicons and contextValues. No rule is decided here (what may be retried
 * or skipped, what counts as done: the read model says). No VS Code import, so the shapes are
 * unit-tested; the tree providers only turn these into TreeItems.
 */
import * as l10n from "@vscode/l10n";
import { modelLine, type MissionModel, type TodoModel } from "../../shared/mission";
import { commandOutcome } from "../../shared/outcome";
import type { SessionModel } from "../../shared/session";
import { COMMANDS } from "../../shared/commands";

export interface NodeModel {
  id: string;
  label: string;
  description?: string;
  tooltip?: string;
  /** A codicon id, with an optional theme color id. */
  icon: { id: string; color?: string };
  contextValue: string;
  collapsible: "none" | "collapsed" | "expanded";
  /** A command to run on click: [command id, ...arguments]. */
  command?: [string, ...unknown[]];
}

const TODO_ICON: Record<string, NodeModel["icon"]> = {
  pending: { id: "circle-large-outline" },
  running: { id: "sync~spin", color: "progressBar.background" },
  review: { id: "eye", color: "charts.yellow" },
  done: { id: "pass-filled", color: "testing.iconPassed" },
  failed: { id: "error", color: "testing.iconFailed" },
  blocked: { id: "circle-slash", color: "testing.iconFailed" },
  skipped: { id: "debug-step-over" },
  replaced: { id: "history" },
  reverted: { id: "discard", color: "charts.orange" },
  // Its session went with the window: nothing runs it until Resume.
  interrupted: { id: "debug-pause", color: "charts.orange" },
};

const CHANGE_ICON: Record<string, NodeModel["icon"]> = {
  added: { id: "diff-added", color: "gitDecoration.addedResourceForeground" },
  modified: { id: "diff-modified", color: "gitDecoration.modifiedResourceForeground" },
  deleted: { id: "diff-removed", color: "gitDecoration.deletedResourceForeground" },
};

const SESSION_ICON: Record<string, NodeModel["icon"]> = {
  busy: { id: "sync~spin", color: "progressBar.background" },
  waiting: { id: "question", color: "charts.yellow" },
  retry: { id: "watch", color: "charts.orange" },
  idle: { id: "check" },
  error: { id: "error", color: "testing.iconFailed" },
  aborted: { id: "debug-stop" },
};

export const missionNodeId = (missionId: string) => `mission:${missionId}`;
/** The mission a command got from the TODO tree (its node id, "mission:<id>"); undefined for anything else. */
export const missionOfNode = (arg: unknown): string | undefined => (typeof arg === "string" && arg.startsWith("mission:") ? arg.slice("mission:".length) : undefined);
export const todoNodeId = (missionId: string, todoId: string) => `todo:${missionId}:${todoId}`;
export const sessionNodeId = (sessionId: string) => `session:${sessionId}`;

/** The mission's own icon: what it is doing, or how it ended. */
function missionIcon(s: MissionModel): NodeModel["icon"] {
  if (s.planApproval) return { id: "question", color: "charts.yellow" };
  if (s.status === "stopping") return { id: "loading~spin" };
  if (s.phase === "running" || s.phase === "starting") return { id: "sync~spin" };
  if (s.status === "sealed") return { id: "verified-filled", color: "testing.iconPassed" };
  if (s.status === "reverted") return { id: "discard", color: "charts.orange" };
  if (s.status === "interrupted") return { id: "debug-pause", color: "charts.orange" };
  return { id: "target" };
}

export function missionNode(s: MissionModel): NodeModel {
  const model = modelLine(s, l10n.t("demo model"));
  // "interrupted · resumable": what is true of a mission the window cut off, and what to do.
  const resumable = s.status === "interrupted" && s.resumable ? l10n.t("resumable") : "";
  const progress = s.status === "stopping" ? "" : s.progress;
  return {
    id: missionNodeId(s.missionId ?? "current"),
    label: s.mission ?? l10n.t("Mission"),
    description: s.planApproval && s.estimate ? l10n.t("waiting for your approval · {0}", s.estimate.line) : [s.status === "stopping" ? l10n.t("stopping…") : (s.status ?? s.phase), resumable, progress, model, s.notOurs ? l10n.t("not yours: shown only") : ""].filter(Boolean).join(" · "),
    tooltip: [s.report ?? s.mission, model ? l10n.t("Model: {0}", model) : "", s.estimate ? l10n.t("Estimate: {0}", `${s.estimate.line}\n${s.estimate.basis}`) : "", s.notOurs ? l10n.t("Shown only: {0}", s.notOurs) : ""].filter(Boolean).join("\n"),
    icon: missionIcon(s),
    contextValue: `orchestrator:mission+${s.status ?? s.phase}${s.resumable ? "+resumable" : ""}${s.hasChanges ? "+changes" : ""}${s.canRevert ? "+revertable" : ""}${s.canUndoRevert ? "+undoable" : ""}`,
    collapsible: "expanded",
  };
}

/** ✓/✗ of a TODO's acceptance check, as short as a tree row allows. */
function checkMark(todo: TodoModel): string | undefined {
  const c = todo.check;
  if (!c) return todo.checkCommand ? l10n.t("check pending") : undefined;
  // Its result was about changes that are gone: no mark that would say they pass.
  if (c.stale) return l10n.t("check stale (reverted)");
  if (c.status === "running") return l10n.t("checking…");
  return `${c.status === "passed" ? "✓" : "✗"} ${l10n.t("check {0}", commandOutcome(c.status, c.exitCode))}`;
}

/** The check's command, outcome and the end of its output: what a person needs to see why it failed. */
function checkTooltip(todo: TodoModel): string {
  const c = todo.check;
  if (!c) return todo.checkCommand ? l10n.t("Check: {0} (not run yet)", todo.checkCommand) : "";
  const tail = c.tail.trim().split("\n").slice(-12).join("\n");
  const stale = c.stale ? `\n${l10n.t("Stale: the changes it checked were reverted.")}` : "";
  return `${l10n.t("Check: {0} → {1}", c.command, commandOutcome(c.status, c.exitCode))}${stale}${tail ? `\n${tail}` : ""}`;
}

/** contextValue flags the menus match (package.json `view/item/context`): what the read model allows. */
export function todoNode(missionId: string, todo: TodoModel): NodeModel {
  const lines = `+${todo.changes.reduce((n, c) => n + c.added, 0)} −${todo.changes.reduce((n, c) => n + c.removed, 0)}`;
  const changed = todo.changes.length ? (todo.changes.length === 1 ? l10n.t("1 file {0}", lines) : l10n.t("{0} files {1}", todo.changes.length, lines)) : undefined;
  const parts = [todo.status, todo.role, todo.attempts > 1 ? l10n.t("attempt {0}", todo.attempts) : undefined, checkMark(todo), changed ?? (todo.files.join(", ") || undefined)].filter(Boolean);
  const tooltip = [`${todo.id}: ${todo.title}`, l10n.t("Acceptance: {0}", todo.acceptance), checkTooltip(todo), todo.dependsOn.length ? l10n.t("After: {0}", todo.dependsOn.join(", ")) : "", todo.reviewIssues.length ? l10n.t("Last review issues:\n- {0}", todo.reviewIssues.join("\n- ")) : "", todo.note ? l10n.t("Last: {0}", todo.note) : ""].filter(Boolean).join("\n");
  const flags = [todo.status, todo.canRetry ? "retryable" : "", todo.canSkip ? "skippable" : "", todo.canRevert ? "revertable" : "", todo.changes.length ? "changes" : "", todo.sessions.length ? "session" : "", todo.files.length ? "files" : ""].filter(Boolean).join("+");
  return {
    id: todoNodeId(missionId, todo.id),
    label: `${todo.id} · ${todo.title}`,
    description: parts.join(" · "),
    tooltip,
    icon: TODO_ICON[todo.status] ?? { id: "circle-large-outline" },
    contextValue: `orchestrator:todo+${flags}`,
    collapsible: todo.reviewIssues.length || todo.dependsOn.length || todo.changes.length || todo.check ? "collapsed" : "none",
    command: todo.sessions.length ? [COMMANDS.openTodoSession, todoNodeId(missionId, todo.id)] : undefined,
  };
}

/** The sub-detail under a TODO: the files it changed (click: the diff), its review issues and dependencies. */
export function todoDetailNodes(missionId: string, todo: TodoModel): NodeModel[] {
  const base = todoNodeId(missionId, todo.id);
  const files: NodeModel[] = todo.changes.map((c) => ({
    id: `${base}:file:${c.path}`,
    label: c.path,
    description: c.binary ? l10n.t("binary") : `+${c.added} −${c.removed}`,
    tooltip: `${c.path}: ${c.status}${c.binary ? "" : l10n.t(", {0} line(s) added, {1} removed", c.added, c.removed)}${todo.status === "reverted" ? l10n.t(" (reverted)") : ""}`,
    icon: CHANGE_ICON[c.status] ?? { id: "file" },
    contextValue: "orchestrator:change",
    collapsible: "none",
    command: [COMMANDS.showTodoChanges, base, c.path],
  }));
  const nodes: NodeModel[] = todo.reviewIssues.map((issue, i) => ({ id: `${base}:issue:${i}`, label: issue, icon: { id: "warning", color: "charts.yellow" }, contextValue: "orchestrator:issue", collapsible: "none" }));
  const check = todo.check;
  if (check) {
    const passed = check.status === "passed";
    nodes.unshift({
      id: `${base}:check`,
      label: `${check.stale ? "–" : check.status === "running" ? l10n.t("checking") : passed ? "✓" : "✗"} ${check.command}`,
      description: checkMark(todo),
      tooltip: checkTooltip(todo),
      icon: check.stale ? { id: "circle-slash" } : check.status === "running" ? { id: "sync~spin" } : passed ? { id: "pass", color: "testing.iconPassed" } : { id: "error", color: "testing.iconFailed" },
      contextValue: "orchestrator:check",
      collapsible: "none",
      // Its output in full: the check ran as a background job.
      command: check.jobId ? [COMMANDS.showJob, check.jobId] : undefined,
    });
  }
  if (todo.dependsOn.length) nodes.push({ id: `${base}:deps`, label: l10n.t("after {0}", todo.dependsOn.join(", ")), icon: { id: "git-merge" }, contextValue: "orchestrator:deps", collapsible: "none" });
  return [...files, ...nodes];
}

/**
 * The plan waiting for the user, answered in plain sight: one row per answer under the mission,
 * above the proposed TODOs (a click answers; each names the plan it was shown for).
 */
export function planAnswerNodes(s: MissionModel): NodeModel[] {
  if (!s.planApproval || !s.missionId) return [];
  const target = { missionId: s.missionId, round: s.planApproval.round };
  const base = `${missionNodeId(s.missionId)}:answer`;
  const answer = (kind: string, label: string, description: string, icon: NodeModel["icon"], command: string): NodeModel => ({ id: `${base}:${kind}`, label, description, tooltip: `${label}: ${description}`, icon, contextValue: "orchestrator:planAnswer", collapsible: "none", command: [command, target] });
  return [
    answer("approve", l10n.t("Approve Plan"), s.estimate ? l10n.t("run it · {0}", s.estimate.line) : l10n.t("run it"), { id: "check", color: "testing.iconPassed" }, COMMANDS.approvePlan),
    answer("replan", l10n.t("Replan…"), l10n.t("say what to change; the Planner plans again"), { id: "refresh" }, COMMANDS.replanPlan),
    answer("cancel", l10n.t("Cancel Plan"), l10n.t("stop the mission before any Worker; Resume asks again"), { id: "close" }, COMMANDS.cancelPlan),
  ];
}

function elapsed(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  return seconds < 60 ? `${seconds}s` : `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, "0")}s`;
}

export function sessionNode(s: SessionModel, now: number): NodeModel {
  const status = s.status === "retry" ? l10n.t("retry {0}", s.retryAttempt ?? "").trim() : s.status;
  const tokens = s.inputTokens + s.outputTokens;
  return {
    id: sessionNodeId(s.id),
    label: `${s.role}${s.todoIds.length ? ` · ${s.todoIds.join(", ")}` : ""}`,
    description: [status, elapsed((s.endedAt ?? now) - s.startedAt), l10n.t("{0} tok", tokens.toLocaleString("en")), `$${s.cost.toFixed(4)}`, s.server ? l10n.t("server {0}", s.server) : ""].filter(Boolean).join(" · "),
    tooltip: [s.server ? l10n.t("Session {0} on OpenCode server {1}", s.id, s.server) : l10n.t("Session {0}", s.id), s.detail ? (s.status === "retry" ? l10n.t("Retrying: {0}", s.detail) : l10n.t("Error: {0}", s.detail)) : ""].filter(Boolean).join("\n"),
    icon: SESSION_ICON[s.status] ?? { id: "circle-outline" },
    contextValue: `orchestrator:session+${s.status}`,
    collapsible: "none",
    command: [COMMANDS.openSession, s.id],
  };
}

/**
 * The TODO a command is about: from a tree node id ("todo:<mission>:<todo>") or a bare TODO id,
 * which then means the mission shown. Actions always name their mission, so none acts on another.
 */
export function todoRef(arg: unknown, shownMission: string | undefined): { missionId: string; todoId: string } | undefined {
  if (typeof arg !== "string" || !arg) return undefined;
  const node = /^todo:([^:]+):([^:]+)$/.exec(arg);
  if (node) return { missionId: node[1] as string, todoId: node[2] as string };
  return shownMission && !arg.includes(":") ? { missionId: shownMission, todoId: arg } : undefined;
}
