/**
 * The Ask panel's conversation, kept in the workspace's state so a window reload brings it back:
 * the questions and answers, the files each answer read (what the panel may open, so they come
 * from here, never from the page), and the OpenCode session the next question continues. Bounded,
 * and read back through zod: a value this version did not write is dropped, not trusted.
 */
import * as l10n from "@vscode/l10n";
import type * as vscode from "vscode";
import { z } from "zod";
import { AskExchange } from "../shared/askProtocol";

const KEY = "orchestrator.askConversation";
/** The newest exchanges kept; older ones are dropped from what a reload brings back. */
const MAX_EXCHANGES = 30;
/** An answer longer than this is kept cut, with a note. */
const MAX_ANSWER_CHARS = 50_000;

export const AskConversation = z.object({
  sessionId: z.string().optional(),
  exchanges: z.array(AskExchange),
  read: z.array(z.array(z.string())),
});
export type AskConversation = z.infer<typeof AskConversation>;

export const emptyConversation = (): AskConversation => ({ exchanges: [], read: [] });

/** The saved conversation; an answer cut by the reload shows as stopped. */
export function loadConversation(state: vscode.Memento): AskConversation {
  const parsed = AskConversation.safeParse(state.get(KEY));
  if (!parsed.success || parsed.data.read.length !== parsed.data.exchanges.length) return emptyConversation();
  for (const exchange of parsed.data.exchanges) if (exchange.state === "answering") exchange.state = "stopped";
  return parsed.data;
}

export function saveConversation(state: vscode.Memento, conversation: AskConversation): Thenable<void> {
  const from = Math.max(0, conversation.exchanges.length - MAX_EXCHANGES);
  const exchanges = conversation.exchanges.slice(from).map((e) => (e.answer.length > MAX_ANSWER_CHARS ? { ...e, answer: `${e.answer.slice(0, MAX_ANSWER_CHARS)}\n… ${l10n.t("(cut: the answer was longer)")}` } : e));
  return state.update(KEY, { sessionId: conversation.sessionId, exchanges, read: conversation.read.slice(from) } satisfies AskConversation);
}
