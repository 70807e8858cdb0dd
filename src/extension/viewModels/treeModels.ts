/**
 * What the TODO tree and the Sessions view show, rendered from the core's read model: labels,
 * descriptions, tooltips, codicons and contextValues. No rule is decided here (what may be retried
 * or skipped, what counts as done: the read model says). No VS Code import, so the shapes are
 * unit-tested; the tree providers only turn these into TreeItems.
 */
import type { MissionModel, TodoModel } from "../../shared/mission";
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

export function missionNode(s: MissionModel): NodeModel {
  return {
    id: missionNodeId(s.missionId ?? "current"),
    label: s.mission ?? "Mission",
    description: s.planApproval && s.estimate ? `waiting for your approval · ${s.estimate.line}` : [s.status ?? s.phase, s.progress, s.demo ? "demo model" : s.model, s.notOurs ? "not yours: shown only" : ""].filter(Boolean).join(" · "),
    tooltip: [s.report ?? s.mission, s.model ? `Model: ${s.model}` : "", s.estimate ? `Estimate: ${s.estimate.line}\n${s.estimate.basis}` : "", s.notOurs ? `Shown only: ${s.notOurs}` : ""].filter(Boolean).join("\n"),
    icon: s.planApproval ? { id: "question", color: "charts.yellow" } : s.phase === "running" || s.phase === "starting" ? { id: "sync~spin" } : s.status === "sealed" ? { id: "verified-filled", color: "testing.iconPassed" } : { id: "target" },
    contextValue: `orchestrator:mission+${s.status ?? s.phase}${s.resumable ? "+resumable" : ""}${s.hasChanges ? "+changes" : ""}${s.canRevert ? "+revertable" : ""}${s.canUndoRevert ? "+undoable" : ""}`,
    collapsible: "expanded",
  };
}

/** ✓/✗ of a TODO's acceptance check, as short as a tree row allows. */
function checkMark(todo: TodoModel): string | undefined {
  const c = todo.check;
  if (!c) return todo.checkCommand ? "check pending" : undefined;
  if (c.status === "running") return "checking…";
  return `${c.status === "passed" ? "✓" : "✗"} check ${commandOutcome(c.status, c.exitCode)}`;
}

/** The check's command, outcome and the end of its output: what a person needs to see why it failed. */
function checkTooltip(todo: TodoModel): string {
  const c = todo.check;
  if (!c) return todo.checkCommand ? `Check: ${todo.checkCommand} (not run yet)` : "";
  const tail = c.tail.trim().split("\n").slice(-12).join("\n");
  return `Check: ${c.command} → ${commandOutcome(c.status, c.exitCode)}${tail ? `\n${tail}` : ""}`;
}

/** contextValue flags the menus match (package.json `view/item/context`): what the read model allows. */
export function todoNode(missionId: string, todo: TodoModel): NodeModel {
  const changed = todo.changes.length ? `${todo.changes.length} file${todo.changes.length === 1 ? "" : "s"} +${todo.changes.reduce((n, c) => n + c.added, 0)} −${todo.changes.reduce((n, c) => n + c.removed, 0)}` : undefined;
  const parts = [todo.status, todo.role, todo.attempts > 1 ? `attempt ${todo.attempts}` : undefined, checkMark(todo), changed ?? (todo.files.join(", ") || undefined)].filter(Boolean);
  const tooltip = [`${todo.id}: ${todo.title}`, `Acceptance: ${todo.acceptance}`, checkTooltip(todo), todo.dependsOn.length ? `After: ${todo.dependsOn.join(", ")}` : "", todo.reviewIssues.length ? `Last review issues:\n- ${todo.reviewIssues.join("\n- ")}` : "", todo.note ? `Last: ${todo.note}` : ""].filter(Boolean).join("\n");
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
    description: c.binary ? "binary" : `+${c.added} −${c.removed}`,
    tooltip: `${c.path}: ${c.status}${c.binary ? "" : `, ${c.added} line(s) added, ${c.removed} removed`}${todo.status === "reverted" ? " (reverted)" : ""}`,
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
      label: `${check.status === "running" ? "checking" : passed ? "✓" : "✗"} ${check.command}`,
      description: checkMark(todo),
      tooltip: checkTooltip(todo),
      icon: check.status === "running" ? { id: "sync~spin" } : passed ? { id: "pass", color: "testing.iconPassed" } : { id: "error", color: "testing.iconFailed" },
      contextValue: "orchestrator:check",
      collapsible: "none",
      // Its output in full: the check ran as a background job.
      command: check.jobId ? [COMMANDS.showJob, check.jobId] : undefined,
    });
  }
  if (todo.dependsOn.length) nodes.push({ id: `${base}:deps`, label: `after ${todo.dependsOn.join(", ")}`, icon: { id: "git-merge" }, contextValue: "orchestrator:deps", collapsible: "none" });
  return [...files, ...nodes];
}

function elapsed(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  return seconds < 60 ? `${seconds}s` : `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, "0")}s`;
}

export function sessionNode(s: SessionModel, now: number): NodeModel {
  const status = s.status === "retry" ? `retry ${s.retryAttempt ?? ""}`.trim() : s.status;
  const tokens = s.inputTokens + s.outputTokens;
  return {
    id: sessionNodeId(s.id),
    label: `${s.role}${s.todoIds.length ? ` · ${s.todoIds.join(", ")}` : ""}`,
    description: `${status} · ${elapsed((s.endedAt ?? now) - s.startedAt)} · ${tokens.toLocaleString("en")} tok · $${s.cost.toFixed(4)}${s.server ? ` · server ${s.server}` : ""}`,
    tooltip: [`Session ${s.id}${s.server ? ` on OpenCode server ${s.server}` : ""}`, s.detail ? `${s.status === "retry" ? "Retrying" : "Error"}: ${s.detail}` : ""].filter(Boolean).join("\n"),
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
