/**
 * The dashboard's messages: one discriminated union per direction, parsed with zod on arrival
 * (a webview is a separate, untrusted context; nothing it sends is used unchecked). The snapshot
 * is the core's read model itself: the dashboard renders what every other surface renders.
 */
import { z } from "zod";
import { MissionModel, idleModel } from "../orchestrator/host/readModel";

export { idleModel, MissionModel };

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
  /** The OpenCode server (pool member, 1-based) it runs on; absent with a single server. */
  server: z.number().optional(),
});
export type SessionSummary = z.infer<typeof SessionSummary>;

/** One line of a tool call's body: a diff's added, removed or context line, a command's output, or a note ("… 12 more lines"). */
export const TranscriptBodyLine = z.object({ kind: z.enum(["add", "del", "ctx", "out", "note"]), text: z.string() });
export type TranscriptBodyLine = z.infer<typeof TranscriptBodyLine>;

/**
 * A transcript entry. A tool call reads as a header — tool · title (the file, the command) · status
 * or exit code · detail ("+12 −3") — over `text` (its error, a summary) and a short body of `lines`.
 */
export const TranscriptLine = z.object({
  kind: z.enum(["text", "tool", "reasoning"]),
  text: z.string(),
  tool: z.string().optional(),
  toolStatus: z.string().optional(),
  title: z.string().optional(),
  detail: z.string().optional(),
  exit: z.number().optional(),
  lines: z.array(TranscriptBodyLine).optional(),
});
export type TranscriptLine = z.infer<typeof TranscriptLine>;

export const TimelineEntry = z.object({ at: z.number(), text: z.string() });
export type TimelineEntry = z.infer<typeof TimelineEntry>;

export const HostToWebview = z.discriminatedUnion("type", [
  z.object({ type: z.literal("snapshot"), snapshot: MissionModel, sessions: z.array(SessionSummary), timeline: z.array(TimelineEntry) }),
  /** `sessionId: null`: no transcript (another mission is shown, or its session is gone). */
  z.object({ type: z.literal("transcript"), sessionId: z.string().nullable(), lines: z.array(TranscriptLine) }),
]);
export type HostToWebview = z.infer<typeof HostToWebview>;

export const WebviewToHost = z.discriminatedUnion("type", [
  z.object({ type: z.literal("ready") }),
  z.object({ type: z.literal("runTask") }),
  z.object({ type: z.literal("stop") }),
  z.object({ type: z.literal("resume"), missionId: z.string().max(200).optional() }),
  z.object({ type: z.literal("focusSession"), sessionId: z.string().max(200) }),
]);
export type WebviewToHost = z.infer<typeof WebviewToHost>;
