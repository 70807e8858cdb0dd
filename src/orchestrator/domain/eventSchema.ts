/**
 * The events as zod schemas, for what comes back from disk: the journal holds every event the
 * Commander published, and the views replay its tail after a reload. One schema per event type;
 * the mapped type below makes the compiler name any event of `OrchestratorEvent` left without one.
 */
import { z } from "zod";
import type { OrchestratorEvent } from "./events";
import { ROLES } from "./roles";
import { CheckResult, MissionStatus, TodoStatus } from "./state";

type EventType = OrchestratorEvent["type"];
type EventSchemas = { [K in EventType]: z.ZodType<Extract<OrchestratorEvent, { type: K }>> };

const Role = z.enum(ROLES);
const ids = z.array(z.string());
const event = <T extends EventType, S extends z.ZodRawShape>(type: T, shape: S) => z.object({ type: z.literal(type), missionId: z.string(), ...shape });

const EVENT_SCHEMAS: EventSchemas = {
  "mission.started": event("mission.started", { mission: z.string(), resumed: z.boolean() }),
  "mission.status": event("mission.status", { status: MissionStatus, reason: z.string().optional() }),
  "plan.accepted": event("plan.accepted", { todoIds: ids, replan: z.boolean(), renamed: z.record(z.string(), z.string()).optional() }),
  "plan.rejected": event("plan.rejected", { problems: z.array(z.string()) }),
  "plan.proposed": event("plan.proposed", { todoIds: ids, round: z.number(), costUsd: z.number().optional() }),
  "plan.decided": event("plan.decided", { decision: z.enum(["approve", "replan", "cancel"]), feedback: z.string().optional() }),
  "todo.status": event("todo.status", { todoId: z.string(), from: TodoStatus, to: TodoStatus, note: z.string().optional() }),
  "turn.started": event("turn.started", { role: Role, sessionId: z.string(), todoIds: ids }),
  "turn.finished": event("turn.finished", { role: Role, sessionId: z.string(), todoIds: ids, ok: z.boolean(), error: z.string().optional(), inputTokens: z.number(), outputTokens: z.number(), cost: z.number(), durationMs: z.number() }),
  "turn.retry": event("turn.retry", { role: Role, todoIds: ids, attempt: z.number(), delayMs: z.number(), note: z.string() }),
  "review.round": event("review.round", { iteration: z.number(), passed: ids, failed: ids, syncIssues: z.number(), checkpoint: z.string().optional() }),
  "changes.reverted": event("changes.reverted", { revertId: z.string(), todoIds: ids, files: z.array(z.string()), mission: z.boolean() }),
  "revert.undone": event("revert.undone", { revertId: z.string(), files: z.array(z.string()) }),
  "limit.changed": event("limit.changed", { limit: z.number() }),
  "job.started": event("job.started", { jobId: z.string(), role: Role, todoIds: ids }),
  "check.started": event("check.started", { todoId: z.string().optional(), command: z.string(), jobId: z.string().optional() }),
  "check.finished": event("check.finished", { todoId: z.string().optional(), command: z.string(), status: CheckResult.shape.status, exitCode: z.number().nullable().optional(), durationMs: z.number().optional() }),
  "scope.decided": event("scope.decided", { todoId: z.string(), files: z.array(z.string()), answer: z.enum(["granted", "waiting", "refused"]), holder: z.string().optional() }),
};

/** Any object with a type: the journal's own check (a record's event is history; replay reads its other fields). */
export const JournalEvent = z.looseObject({ type: z.string().min(1) });

/** The event if it is one this version knows, in the shape it knows; undefined otherwise (the caller skips it). */
export function parseEvent(raw: unknown): OrchestratorEvent | undefined {
  const type = (raw as { type?: unknown } | null)?.type;
  if (typeof type !== "string" || !Object.hasOwn(EVENT_SCHEMAS, type)) return undefined;
  const parsed = EVENT_SCHEMAS[type as EventType].safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}
