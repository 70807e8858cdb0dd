/**
 * The dashboard's messages: one discriminated union per direction, parsed with zod on arrival
 * (a webview is a separate, untrusted context; nothing it sends is used unchecked). The snapshot
 * is the core's read model itself: the dashboard renders what every other surface renders.
 */
import { z } from "zod";
import { MissionModel, idleModel } from "../orchestrator/host/readModel";

export { idleModel, MissionModel };
export { estimateLine } from "../orchestrator/mission/planEstimate";

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
  /** The user's answer to the plan that waits (Replan asks for the feedback in the editor, not in the page). */
  z.object({ type: z.literal("decidePlan"), decision: z.enum(["approve", "replan", "cancel"]), round: z.number().int().positive().optional() }),
]);
export type WebviewToHost = z.infer<typeof WebviewToHost>;

/**
 * The Ask panel's messages (chat mode where the editor has no chat view). The webview never names
 * a file: it asks to open the n-th file of the n-th answer, which the host looks up in its own list.
 */
export const AskExchange = z.object({
  question: z.string(),
  answer: z.string(),
  /** Files the answer read, relative to the workspace where inside it. */
  files: z.array(z.string()),
  state: z.enum(["answering", "done", "stopped", "failed"]),
  error: z.string().optional(),
});
export type AskExchange = z.infer<typeof AskExchange>;

export const AskHostToWebview = z.discriminatedUnion("type", [
  /** The whole conversation (on ready, after each question ends, on a new conversation). */
  z.object({ type: z.literal("conversation"), exchanges: z.array(AskExchange), busy: z.boolean(), notice: z.string().optional() }),
  /** A piece of the answer being written to exchange `index`, to append. */
  z.object({ type: z.literal("answerPiece"), index: z.number().int().nonnegative(), text: z.string() }),
]);
export type AskHostToWebview = z.infer<typeof AskHostToWebview>;

export const AskWebviewToHost = z.discriminatedUnion("type", [
  z.object({ type: z.literal("ready") }),
  z.object({ type: z.literal("ask"), question: z.string().max(20_000) }),
  z.object({ type: z.literal("stop") }),
  z.object({ type: z.literal("newConversation") }),
  z.object({ type: z.literal("openFile"), exchange: z.number().int().nonnegative(), file: z.number().int().nonnegative() }),
]);
export type AskWebviewToHost = z.infer<typeof AskWebviewToHost>;
