/**
 * The dashboard's messages: one discriminated union per direction, parsed with zod on arrival
 * (a webview is a separate, untrusted context; nothing it sends is used unchecked).
 */
import { z } from "zod";

export const RunPhase = z.enum(["idle", "starting", "running", "done", "failed", "stopped"]);
export type RunPhase = z.infer<typeof RunPhase>;

export const TodoSummary = z.object({
  id: z.string(),
  title: z.string(),
  status: z.string(),
  attempts: z.number(),
  files: z.array(z.string()),
  dependsOn: z.array(z.string()).default([]),
  acceptance: z.string().default(""),
  reviewIssues: z.array(z.string()).default([]),
  sessions: z.array(z.string()).default([]),
  note: z.string().optional(),
});
export type TodoSummary = z.infer<typeof TodoSummary>;

export const RunSnapshot = z.object({
  phase: RunPhase,
  mission: z.string().optional(),
  missionId: z.string().optional(),
  /** The mission's own status (planning, running, sealed, stopped, incomplete, …). */
  status: z.string().optional(),
  demo: z.boolean(),
  startedAt: z.number().optional(),
  finishedAt: z.number().optional(),
  iteration: z.number().default(0),
  todos: z.array(TodoSummary).default([]),
  /** Sessions running now. */
  running: z.number().default(0),
  report: z.string().optional(),
  error: z.string().optional(),
  tokens: z.object({ input: z.number(), output: z.number() }).optional(),
  cost: z.number().optional(),
});
export type RunSnapshot = z.infer<typeof RunSnapshot>;

export const SessionSummary = z.object({
  id: z.string(),
  role: z.string(),
  todoIds: z.array(z.string()),
  status: z.string(),
  startedAt: z.number(),
  endedAt: z.number().optional(),
  inputTokens: z.number(),
  outputTokens: z.number(),
  cost: z.number(),
  detail: z.string().optional(),
});
export type SessionSummary = z.infer<typeof SessionSummary>;

export const TranscriptLine = z.object({ kind: z.enum(["text", "tool", "reasoning"]), text: z.string(), tool: z.string().optional(), toolStatus: z.string().optional() });

export const TimelineEntry = z.object({ at: z.number(), text: z.string() });
export type TimelineEntry = z.infer<typeof TimelineEntry>;

export const HostToWebview = z.discriminatedUnion("type", [
  z.object({ type: z.literal("snapshot"), snapshot: RunSnapshot, sessions: z.array(SessionSummary), timeline: z.array(TimelineEntry) }),
  z.object({ type: z.literal("transcript"), sessionId: z.string(), lines: z.array(TranscriptLine) }),
]);
export type HostToWebview = z.infer<typeof HostToWebview>;

export const WebviewToHost = z.discriminatedUnion("type", [
  z.object({ type: z.literal("ready") }),
  z.object({ type: z.literal("runTask") }),
  z.object({ type: z.literal("stop") }),
  z.object({ type: z.literal("resume") }),
  z.object({ type: z.literal("focusSession"), sessionId: z.string().max(200) }),
]);
export type WebviewToHost = z.infer<typeof WebviewToHost>;

export const idleSnapshot = (): RunSnapshot => ({ phase: "idle", demo: false, iteration: 0, todos: [], running: 0 });
