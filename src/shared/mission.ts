/**
 * The one read model of a mission that every surface renders: status, counts, every TODO with
 * what the user may do with it. The host computes it once, so the status bar, the trees, the
 * progress notification, the chat and the dashboard can never disagree; the dashboard receives it
 * across the webview boundary and parses it with this schema.
 */
import { z } from "zod";
import { ChangedFile } from "./changes";
import { CheckShown } from "./check";
import { EstimateView } from "./estimate";

/** Where the host stands with the mission: no mission, starting OpenCode, running, or ended. */
export const RunPhase = z.enum(["idle", "starting", "running", "done", "failed", "stopped"]);
export type RunPhase = z.infer<typeof RunPhase>;

export const TodoModel = z.object({
  id: z.string(),
  title: z.string(),
  status: z.string(),
  attempts: z.number(),
  files: z.array(z.string()),
  dependsOn: z.array(z.string()),
  acceptance: z.string(),
  reviewIssues: z.array(z.string()),
  sessions: z.array(z.string()),
  /** The note of its last transition (why it is where it is). */
  note: z.string().optional(),
  /** The role working on it now: a Worker while running, the Reviewer while in review. */
  role: z.enum(["worker", "reviewer"]).optional(),
  canRetry: z.boolean(),
  canSkip: z.boolean(),
  /** What it really changed (from the orchestrator's checkpoints), with lines added and removed. */
  changes: z.array(ChangedFile),
  /** Its changes can be put back now (recorded, not reverted yet, the mission not running). */
  canRevert: z.boolean(),
  /** The acceptance check the plan gave it (a shell command the Commander runs). */
  checkCommand: z.string().optional(),
  /** That check's latest run. */
  check: CheckShown.optional(),
});
export type TodoModel = z.infer<typeof TodoModel>;

/** How far a mission is, counted one way everywhere: done and skipped TODOs are finished, since nothing more will happen to them. */
export const TodoCounts = z.object({
  /** TODOs that count (a replaced TODO left the plan). */
  total: z.number(),
  done: z.number(),
  skipped: z.number(),
  /** done + skipped: the mission's progress. */
  finished: z.number(),
  inReview: z.number(),
  /** failed or blocked: waiting for a replan or the user. */
  failed: z.number(),
  runningTodos: z.number(),
});
export type TodoCounts = z.infer<typeof TodoCounts>;

export const MissionCounts = TodoCounts.extend({
  /** Agent sessions at work now (Workers, the Reviewer, the Planner): what "running" means everywhere. */
  runningSessions: z.number(),
});
export type MissionCounts = z.infer<typeof MissionCounts>;

export const MissionModel = z.object({
  phase: RunPhase,
  missionId: z.string().optional(),
  mission: z.string().optional(),
  /**
   * The mission's status as every surface says it: its own (planning, running, sealed, stopped,
   * incomplete, …), or what is true beyond it — "stopping" (Stop was pressed; its sessions are
   * being aborted), "interrupted" (it was running when the window went away; nothing runs it now:
   * Resume goes on), "reverted" (Revert Mission put its changes back: Undo Revert brings them back).
   */
  status: z.string().optional(),
  demo: z.boolean(),
  startedAt: z.number().optional(),
  finishedAt: z.number().optional(),
  iteration: z.number(),
  counts: MissionCounts,
  /** "3/4 done · 2 running", the one progress line every surface shows. */
  progress: z.string(),
  /** TODOs that failed or are blocked: what the user should look at. */
  attention: z.array(z.string()),
  /** Not finished for good: Resume (and Retry/Skip) act on it. A reverted mission is not: Undo Revert is its action. */
  resumable: z.boolean(),
  /** Why the mission is only shown (not this user's own, provenance.ts): nothing may resume, retry, skip or revert it. */
  notOurs: z.string().optional(),
  /** What the mission changed can be reviewed in the diff editor (it has a start checkpoint and changes). */
  hasChanges: z.boolean(),
  /** Files the mission changed can be put back (it has checkpoints and is not running). */
  canRevert: z.boolean(),
  /** The latest revert can be undone. */
  canUndoRevert: z.boolean(),
  todos: z.array(TodoModel),
  report: z.string().optional(),
  /** Why it stopped, failed or ended incomplete. */
  stopReason: z.string().optional(),
  /** A failure before the mission could start (OpenCode missing, a server that would not start). */
  error: z.string().optional(),
  tokens: z.object({ input: z.number(), output: z.number() }),
  cost: z.number(),
  /** The project's whole check: its latest run before the review of the whole. */
  check: CheckShown.optional(),
  /** The model its agents use ("provider/model"), OpenCode's default resolved to its name. */
  model: z.string().optional(),
  /** What its plan was estimated to take when it was proposed. */
  estimate: EstimateView.optional(),
  /**
   * Its plan waits for the user's answer (Approve, Replan or Cancel; the TODOs shown are the
   * plan's): which plan, 1 then +1 per Replan, so an answer names the plan it was given for.
   */
  planApproval: z.object({ round: z.number() }).optional(),
});
export type MissionModel = z.infer<typeof MissionModel>;

const noCounts = (): MissionCounts => ({ total: 0, done: 0, skipped: 0, finished: 0, inReview: 0, failed: 0, runningTodos: 0, runningSessions: 0 });

/** No mission at all: what every surface shows before the first. */
export const idleModel = (): MissionModel => ({ phase: "idle", demo: false, iteration: 0, counts: noCounts(), progress: "", attention: [], resumable: false, hasChanges: false, canRevert: false, canUndoRevert: false, todos: [], tokens: { input: 0, output: 0 }, cost: 0 });

/** "3/4 done (1 skipped)"; `what` names the count ("TODOs done" in a sentence). */
export function doneText(c: TodoCounts, what = "done"): string {
  return `${c.finished}/${c.total} ${what}${c.skipped ? ` (${c.skipped} skipped)` : ""}`;
}

/**
 * The one model line every surface shows: "provider/model", or the words for the scripted demo
 * model (`demo`, worded by the surface); undefined only while OpenCode has not said which it is.
 */
export function modelLine(m: Pick<MissionModel, "demo" | "model">, demo = "demo model"): string | undefined {
  return m.demo ? demo : m.model;
}

/** A mission in a short label, for titles and the status bar. */
export function missionLabel(raw: string, max = 60): string {
  const oneLine = raw.trim().replace(/\s+/g, " ");
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}
