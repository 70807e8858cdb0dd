/**
 * Chat mode: a question about the workspace answered by one OpenCode session that may only read —
 * no mission, no TODOs, nothing written, no command run. The session is OpenCode's built-in
 * `explore` agent (read-only by its own prompt) held to reading by rules of its own at creation:
 * OpenCode then offers the model only the read tools and refuses a call to any other. A follow-up
 * continues in the same session, so the model has the conversation so far.
 */
import { questionPreamble } from "../agents/prompts/question";
import { secretFileRules } from "../agents/secretFiles";
import { WORKSPACE_SEARCH_TOOL } from "../background/mcpServer";
import { missionLabel } from "../../shared/mission";
import type { ModelRef } from "../domain/modelRef";
import { ServerUnreachableError } from "../engine/errors";
import { resultOf, type SessionPermissionRule } from "../engine/turn";
import type { TurnRunner } from "../engine/turnRunner";
import { AnswerStream } from "./answerStream";

/** OpenCode's built-in codebase explorer: a short prompt (paid for on every question), no edits. */
export const QUESTION_AGENT = "explore";

/**
 * The last matching rule wins, and a session's rules come after the agent's and the user's.
 * OpenCode's grep is not among them: it searches `.env` and its kind, and its permission pattern
 * is the regex, not the path; our search (background/workspaceSearch.ts) leaves secret files out.
 */
export const READ_ONLY_RULES: readonly SessionPermissionRule[] = [
  { permission: "*", pattern: "*", action: "deny" },
  ...["read", "glob", "list", WORKSPACE_SEARCH_TOOL].map((permission) => ({ permission, pattern: "*", action: "allow" as const })),
  // OpenCode asks before reading an environment file; nobody is there to answer a chat's request.
  ...secretFileRules("read", "deny"),
];

export const MAX_QUESTION_CHARS = 20_000;

/** What is wrong with a question, or undefined when it can be asked. */
export function questionProblem(raw: string): string | undefined {
  const question = raw.trim();
  if (!question) return "Ask a question about the workspace, e.g. \"Where is the configuration read?\"";
  if (question.length > MAX_QUESTION_CHARS) return `The question is ${question.length.toLocaleString("en")} characters; at most ${MAX_QUESTION_CHARS.toLocaleString("en")} fit.`;
  return undefined;
}

export interface AskOptions {
  /** Continue this conversation (a session an earlier answer returned); absent: a new one. */
  sessionId?: string;
  /** Told each piece of the answer as it is written, in order; together they are `text`. */
  onText?: (piece: string) => void;
  /** Aborts the answer (its session is aborted, the question rejects with TurnAbortedError). */
  signal?: AbortSignal;
}

export interface Answer {
  /** Pass it back as `sessionId` to ask a follow-up in the same conversation. */
  sessionId: string;
  text: string;
  /** Files the answer read, as the read tool got them (absolute paths, usually). */
  filesRead: string[];
  cost: number;
  /** The conversation asked to continue could not be (its session is gone): this answer began a new one. */
  restarted?: boolean;
}

export interface QuestionLimits {
  model?: ModelRef;
  livenessMs?: number;
  ttlMs?: number;
}

export async function askWorkspace(runner: TurnRunner, question: string, limits: QuestionLimits, options: AskOptions = {}): Promise<Answer> {
  const problem = questionProblem(question);
  if (problem) throw new Error(problem);
  let streamed = false;
  const onText = (piece: string) => {
    streamed = true;
    options.onText?.(piece);
  };
  try {
    return await answer(runner, question, limits, { ...options, onText });
  } catch (error) {
    if (options.sessionId === undefined || streamed || !sessionGone(error)) throw error;
    // The conversation's session is gone (its server exited, or a new server has other sessions): start again.
    return { ...(await answer(runner, question, limits, { ...options, sessionId: undefined })), restarted: true };
  }
}

const sessionGone = (error: unknown) => error instanceof ServerUnreachableError || (error instanceof Error && /^Session not found/.test(error.message));

async function answer(runner: TurnRunner, question: string, limits: QuestionLimits, options: AskOptions): Promise<Answer> {
  const stream = new AnswerStream(Date.now());
  const tell = (piece: string) => {
    if (!piece) return;
    try {
      options.onText?.(piece);
    } catch {
      // The reader went away (a closed chat response): the answer still completes and is returned.
    }
  };
  const first = options.sessionId === undefined;
  const result = resultOf(await runner.runTurn({
    sessionId: options.sessionId,
    title: `Question: ${missionLabel(question)}`,
    permission: [...READ_ONLY_RULES],
    agent: QUESTION_AGENT,
    model: limits.model,
    prompt: first ? `${questionPreamble}\n\n${question.trim()}` : question.trim(),
    signal: options.signal,
    livenessMs: limits.livenessMs,
    ttlMs: limits.ttlMs,
    onEvent: (event) => tell(stream.feed(event)),
  }));
  tell(stream.finish(result.text));
  return { sessionId: result.sessionId, text: stream.text.trim(), filesRead: stream.filesRead, cost: result.cost };
}
