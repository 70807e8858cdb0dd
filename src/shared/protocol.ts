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

export const HostToWebview = z.discriminatedUnion("type", [z.object({ type: z.literal("snapshot"), snapshot: RunSnapshot })]);
export type HostToWebview = z.infer<typeof HostToWebview>;

export const WebviewToHost = z.discriminatedUnion("type", [
  z.object({ type: z.literal("ready") }),
  z.object({ type: z.literal("runTask") }),
  z.object({ type: z.literal("stop") }),
  z.object({ type: z.literal("resume") }),
]);
export type WebviewToHost = z.infer<typeof WebviewToHost>;

export const idleSnapshot = (): RunSnapshot => ({ phase: "idle", demo: false, iteration: 0, todos: [], running: 0 });
