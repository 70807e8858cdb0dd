/**
 * The one typed event stream the core publishes. Every UI surface (status bar, trees, dashboard,
 * notifications) is a projection of these events plus a snapshot of the mission state.
 */
import type { Role } from "./roles";
import type { CheckResult, MissionStatus, TodoStatus } from "./state";

export type OrchestratorEvent =
  | { type: "mission.started"; missionId: string; mission: string; resumed: boolean }
  | { type: "mission.status"; missionId: string; status: MissionStatus; reason?: string }
  /** `renamed`: ids the Planner reused (taken by the mission's TODOs) → the fresh ids the orchestrator gave them. */
  | { type: "plan.accepted"; missionId: string; todoIds: string[]; replan: boolean; renamed?: Record<string, string> }
  | { type: "plan.rejected"; missionId: string; problems: string[] }
  /** A plan put to the user (orchestrator.approvePlan); its TODOs are in the mission's proposal until decided. */
  | { type: "plan.proposed"; missionId: string; todoIds: string[]; round: number; costUsd?: number }
  | { type: "plan.decided"; missionId: string; decision: "approve" | "replan" | "cancel"; feedback?: string }
  | { type: "todo.status"; missionId: string; todoId: string; from: TodoStatus; to: TodoStatus; note?: string }
  | { type: "turn.started"; missionId: string; role: Role; sessionId: string; todoIds: string[] }
  | { type: "turn.finished"; missionId: string; role: Role; sessionId: string; todoIds: string[]; ok: boolean; error?: string; inputTokens: number; outputTokens: number; cost: number; durationMs: number }
  | { type: "turn.retry"; missionId: string; role: Role; todoIds: string[]; attempt: number; delayMs: number; note: string }
  | { type: "review.round"; missionId: string; iteration: number; passed: string[]; failed: string[]; syncIssues: number; /** The workspace as the Reviewer saw it. */ checkpoint?: string }
  | { type: "changes.reverted"; missionId: string; revertId: string; todoIds: string[]; files: string[]; mission: boolean }
  | { type: "revert.undone"; missionId: string; revertId: string; files: string[] }
  | { type: "limit.changed"; missionId: string; limit: number }
  | { type: "job.started"; missionId: string; jobId: string; role: Role; todoIds: string[] }
  /** An acceptance check began or ended: a TODO's (todoId), or the project's whole check (no todoId). */
  | { type: "check.started"; missionId: string; todoId?: string; command: string; jobId?: string }
  | { type: "check.finished"; missionId: string; todoId?: string; command: string; status: CheckResult["status"]; exitCode?: number | null; durationMs?: number }
  /** A Worker asked to write outside its TODO's files: granted (the file joins its scope), waiting on a holder, or refused. */
  | { type: "scope.decided"; missionId: string; todoId: string; files: string[]; answer: "granted" | "waiting" | "refused"; holder?: string };

export type OrchestratorEventListener = (event: OrchestratorEvent) => void;
