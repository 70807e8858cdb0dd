/**
 * The one typed event stream the core publishes, schema first: every UI surface (status bar, trees,
 * dashboard, notifications) is a projection of these events plus a snapshot of the mission state,
 * and the journal holds every event the Commander published, which the views replay after a reload.
 * The TypeScript type is derived from the schema, so the two can never disagree.
 */
import { z } from "zod";
import { ROLES } from "./roles";
import { CheckResult, MissionStatus, TodoStatus } from "./state";

const Role = z.enum(ROLES);
const ids = z.array(z.string());
const event = <T extends string, S extends z.ZodRawShape>(type: T, shape: S) => z.object({ type: z.literal(type), missionId: z.string(), ...shape });

export const OrchestratorEvent = z.discriminatedUnion("type", [
  event("mission.started", { mission: z.string(), resumed: z.boolean() }),
  event("mission.status", { status: MissionStatus, reason: z.string().optional() }),
  /** `renamed`: ids the Planner reused (taken by the mission's TODOs) → the fresh ids the orchestrator gave them. */
  event("plan.accepted", { todoIds: ids, replan: z.boolean(), renamed: z.record(z.string(), z.string()).optional() }),
  event("plan.rejected", { problems: z.array(z.string()) }),
  /** A plan put to the user (orchestrator.approvePlan); its TODOs are in the mission's proposal until decided. */
  event("plan.proposed", { todoIds: ids, round: z.number(), costUsd: z.number().optional() }),
  event("plan.decided", { decision: z.enum(["approve", "replan", "cancel"]), feedback: z.string().optional() }),
  event("todo.status", { todoId: z.string(), from: TodoStatus, to: TodoStatus, note: z.string().optional() }),
  event("turn.started", { role: Role, sessionId: z.string(), todoIds: ids }),
  event("turn.finished", { role: Role, sessionId: z.string(), todoIds: ids, ok: z.boolean(), error: z.string().optional(), inputTokens: z.number(), outputTokens: z.number(), cost: z.number(), durationMs: z.number() }),
  event("turn.retry", { role: Role, todoIds: ids, attempt: z.number(), delayMs: z.number(), note: z.string() }),
  /** `checkpoint`: the workspace as the Reviewer saw it. */
  event("review.round", { iteration: z.number(), passed: ids, failed: ids, syncIssues: z.number(), checkpoint: z.string().optional() }),
  event("changes.reverted", { revertId: z.string(), todoIds: ids, files: z.array(z.string()), mission: z.boolean() }),
  event("revert.undone", { revertId: z.string(), files: z.array(z.string()) }),
  event("limit.changed", { limit: z.number() }),
  event("job.started", { jobId: z.string(), role: Role, todoIds: ids }),
  /** An acceptance check began or ended: a TODO's (todoId), or the project's whole check (no todoId). */
  event("check.started", { todoId: z.string().optional(), command: z.string(), jobId: z.string().optional() }),
  event("check.finished", { todoId: z.string().optional(), command: z.string(), status: CheckResult.shape.status, exitCode: z.number().nullable().optional(), durationMs: z.number().optional() }),
  /** A Worker asked to write outside its TODO's files: granted (the file joins its scope), waiting on a holder, or refused. */
  event("scope.decided", { todoId: z.string(), files: z.array(z.string()), answer: z.enum(["granted", "waiting", "refused"]), holder: z.string().optional() }),
]);
export type OrchestratorEvent = z.infer<typeof OrchestratorEvent>;

export type OrchestratorEventListener = (event: OrchestratorEvent) => void;

/** Any object with a type: the journal's own check (a record's event is history; replay reads its other fields). */
export const JournalEvent = z.looseObject({ type: z.string().min(1) });

/** The event if it is one this version knows, in the shape it knows; undefined otherwise (the caller skips it). */
export function parseEvent(raw: unknown): OrchestratorEvent | undefined {
  const parsed = OrchestratorEvent.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}
