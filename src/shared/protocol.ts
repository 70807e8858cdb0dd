/**
 * The dashboard's messages: one discriminated union per direction, parsed with zod on arrival
 * (a webview is a separate, untrusted context; nothing it sends is used unchecked).
 */
import { z } from "zod";

export const RunPhase = z.enum(["idle", "starting", "running", "done", "failed", "stopped"]);
export type RunPhase = z.infer<typeof RunPhase>;

export const RunSnapshot = z.object({
  phase: RunPhase,
  mission: z.string().optional(),
  demo: z.boolean(),
  sessionId: z.string().optional(),
  startedAt: z.number().optional(),
  finishedAt: z.number().optional(),
  summary: z.string().optional(),
  filesChanged: z.array(z.string()).default([]),
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
]);
export type WebviewToHost = z.infer<typeof WebviewToHost>;

export const idleSnapshot = (): RunSnapshot => ({ phase: "idle", demo: false, filesChanged: [] });
