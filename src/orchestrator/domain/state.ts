/**
 * The persisted state of a mission (mission.json): zod-validated and schema-versioned, so a file
 * from a future version or a corrupt one is recognised instead of silently misread.
 */
import { z } from "zod";
import { ChangedFile } from "../../shared/changes";
import { CheckView } from "../../shared/check";
import { PlannedTodo, TodoKind, WorkerReport } from "./schemas";

export const STATE_VERSION = 1;

/**
 * skipped: the user chose not to do it; it counts as finished for its dependents and for sealing.
 * reverted: the user put back what it changed; it waits for the user's Retry (redo it) or Skip.
 */
export const TodoStatus = z.enum(["pending", "running", "review", "done", "failed", "blocked", "replaced", "skipped", "reverted"]);
export type TodoStatus = z.infer<typeof TodoStatus>;

export const Usage = z.object({
  inputTokens: z.number(),
  outputTokens: z.number(),
  cost: z.number(),
  turns: z.number(),
  /** Model requests (one per step of a turn); absent in records from before it was counted. */
  requests: z.number().optional(),
  /** Prompt tokens the provider served from its cache, and wrote to it (billed at their own prices; not in inputTokens). */
  cacheReadTokens: z.number().optional(),
  cacheWriteTokens: z.number().optional(),
});
export type Usage = z.infer<typeof Usage>;
export const emptyUsageTotals = (): Usage => ({ inputTokens: 0, outputTokens: 0, cost: 0, turns: 0, requests: 0, cacheReadTokens: 0, cacheWriteTokens: 0 });

/** One file a TODO changed, between the checkpoint before its first attempt and the one after its last. */
/** One file changed between two checkpoints: the contract's shape (src/shared), kept in the state as shown. */
export const FileChange = ChangedFile;
export type FileChange = ChangedFile;

/** What a TODO really changed, from the orchestrator's own checkpoints (never from the Worker's report). */
export const TodoChanges = z.object({
  /** The checkpoint taken before its first attempt: what a revert puts back. */
  base: z.string(),
  /** The checkpoint taken after its latest attempt. */
  head: z.string().optional(),
  /** Files its sessions wrote (tool parts) and its own declared files: the diff is limited to these. */
  touched: z.array(z.string()),
  files: z.array(FileChange),
});
export type TodoChanges = z.infer<typeof TodoChanges>;

/** An acceptance check the Commander ran itself: its command's exit status is the evidence, not a model's word. */
/** An acceptance check's run: what the views show of it (src/shared), and when it ran. Its tail is what a Worker is told when it fails. */
export const CheckResult = CheckView.extend({
  startedAt: z.number(),
  durationMs: z.number().optional(),
});
export type CheckResult = z.infer<typeof CheckResult>;

export const TodoState = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string(),
  files: z.array(z.string()),
  dependsOn: z.array(z.string()),
  acceptance: z.string(),
  kind: TodoKind,
  status: TodoStatus,
  /** Worker attempts so far (a failed review or a failed turn counts one). */
  attempts: z.number(),
  sessions: z.array(z.string()),
  report: WorkerReport.optional(),
  reviewIssues: z.array(z.string()),
  history: z.array(z.object({ at: z.number(), status: TodoStatus, note: z.string().optional() })),
  /** Its full record was moved to archive/ (maxTasksInMemory); what is left here is a stub. */
  archived: z.boolean().optional(),
  changes: TodoChanges.optional(),
  /** The acceptance check the plan gave it: a shell command the Commander runs after each attempt. */
  check: z.string().optional(),
  checkResult: CheckResult.optional(),
});
export type TodoState = z.infer<typeof TodoState>;

export const SyncIssue = z.object({
  id: z.string(),
  title: z.string(),
  detail: z.string(),
  todoIds: z.array(z.string()),
  open: z.boolean(),
});
export type SyncIssue = z.infer<typeof SyncIssue>;

/**
 * What the rest of a mission will take, estimated when its plan is proposed (mission/planEstimate.ts):
 * the user approves a plan knowing what it will cost.
 */
export const PlanEstimate = z.object({
  todos: z.number(),
  /** Agent turns (Worker and Reviewer sessions' prompts), retries included at the rate seen before. */
  turns: z.number(),
  /** Model requests: a turn takes one per step. */
  requests: z.number(),
  /** Prompt tokens billed in full (OpenCode's "input": without cache reads and writes). */
  inputTokens: z.number(),
  outputTokens: z.number(),
  cacheReadTokens: z.number().optional(),
  cacheWriteTokens: z.number().optional(),
  /** US dollars at each role's model's prices; absent when OpenCode has a price for none of them. */
  costUsd: z.number().optional(),
  /** Roles whose model OpenCode has no price for (a local or free model): not in costUsd. */
  unpricedRoles: z.array(z.string()).optional(),
  /** Per-turn figures from this workspace's past missions (how many), or the documented defaults. */
  basis: z.enum(["history", "default"]),
  missions: z.number(),
});
export type PlanEstimate = z.infer<typeof PlanEstimate>;

/** A plan waiting for the user's approval (orchestrator.approvePlan): not TODOs yet, so a Replan replaces it whole. */
export const PlanProposal = z.object({
  todos: z.array(PlannedTodo),
  check: z.string().optional(),
  /** 1 for the first plan, +1 per Replan the user asked for. */
  round: z.number(),
  /** The user asked for a Replan with this; kept until the new plan is there, so a Stop or a reload loses nothing. */
  feedback: z.string().optional(),
});
export type PlanProposal = z.infer<typeof PlanProposal>;

export const MissionStatus = z.enum(["planning", "awaiting-approval", "running", "sealed", "stopped", "incomplete", "budget-exhausted", "failed"]);
export type MissionStatus = z.infer<typeof MissionStatus>;

/** A mission in one of these states is finished for good; any other can be resumed. */
export const TERMINAL_STATUSES: readonly MissionStatus[] = ["sealed", "failed"];

/** A revert the user made: enough to undo it (the checkpoint of the workspace just before it). */
export const Revert = z.object({
  id: z.string(),
  at: z.number(),
  /** The TODOs whose changes were put back (all of them for a mission revert). */
  todoIds: z.array(z.string()),
  mission: z.boolean(),
  files: z.array(z.string()),
  /** The workspace just before the revert: an undo restores `files` from here. */
  before: z.string(),
  /** Statuses before the revert, restored by an undo. */
  statuses: z.record(z.string(), TodoStatus),
  missionStatus: z.string(),
  /** Whether the whole had been reviewed before the revert (an undo restores it). */
  integrationChecked: z.boolean().optional(),
  undone: z.boolean(),
});
export type Revert = z.infer<typeof Revert>;

export const MissionState = z.object({
  version: z.literal(STATE_VERSION),
  id: z.string(),
  mission: z.string(),
  createdAt: z.number(),
  updatedAt: z.number(),
  status: MissionStatus,
  stopReason: z.string().optional(),
  /** Review rounds so far (the Commander's iterations). */
  iteration: z.number(),
  roundsWithoutProgress: z.number(),
  todos: z.array(TodoState),
  syncIssues: z.array(SyncIssue),
  /** True once the Reviewer has checked the whole mission (integration) at the current state. */
  integrationChecked: z.boolean(),
  usage: Usage,
  usageByRole: z.record(z.string(), Usage),
  report: z.string().optional(),
  /** The orchestrator's checkpoints of the workspace: at the mission's start, and at its latest halt or seal. */
  checkpoints: z.object({ start: z.string().optional(), end: z.string().optional() }).default({}),
  reverts: z.array(Revert).default([]),
  /** The model its agents use ("provider/model"), as of its latest run; absent: OpenCode's default. */
  model: z.string().optional(),
  /** The project's whole check, from the plan (orchestrator.checkCommand wins when set). */
  check: z.string().optional(),
  /** Its latest run, before the review of the whole. */
  checkResult: CheckResult.optional(),
  /** What the plan was estimated to take when it was proposed (kept, to compare with what it took). */
  estimate: PlanEstimate.optional(),
  /** The plan waiting for the user's approval; null once decided (null, not absent: replay keeps an absent field's old value). */
  proposal: PlanProposal.nullable().optional(),
  /** Journal records (events.jsonl) already reflected in this snapshot; newer ones are replayed on load. */
  journalSeq: z.number().default(0),
});
export type MissionState = z.infer<typeof MissionState>;
