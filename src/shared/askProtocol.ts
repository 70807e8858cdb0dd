/**
 * The Ask panel's messages (chat mode where the editor has no chat view), parsed with zod on
 * arrival. The webview never names a file: it asks to open the n-th file of the n-th answer, which
 * the host looks up in its own list.
 */
import { z } from "zod";

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
