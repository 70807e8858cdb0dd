/**
 * The engine port's event vocabulary: what the turns, the views, the chat and the agents' requests
 * read of a server's events, whichever OpenCode it is. It is the part of OpenCode 1's event shapes
 * those consumers use (sessions' status, messages with tokens and cost, text and tool parts, the
 * permission and question requests), written here rather than imported: OpenCode 1's events pass
 * through as they are (v1/), OpenCode 2's are translated into it (v2/eventTranslator.ts), and no
 * consumer knows which server spoke. Tool names and their arguments are OpenCode 1's (`bash`,
 * `write {filePath}`, `apply_patch {patchText}`) for the same reason.
 */

export interface TokenCounts {
  input: number;
  output: number;
  reasoning: number;
  cache: { read: number; write: number };
}

/** A session error as OpenCode 1 names them, plus ConfigurationError (an unknown model, said so by OpenCode 2). */
export type EngineSessionError =
  | { name: "ProviderAuthError"; data: { providerID: string; message: string } }
  | { name: "UnknownError"; data: { message: string } }
  | { name: "MessageOutputLengthError"; data: Record<string, unknown> }
  | { name: "MessageAbortedError"; data: { message: string } }
  | { name: "StructuredOutputError"; data: { message: string } }
  | { name: "ContextOverflowError"; data: { message: string } }
  | { name: "ContentFilterError"; data: { message: string } }
  | { name: "ConfigurationError"; data: { message: string } }
  | { name: "APIError"; data: { message: string; statusCode?: number; isRetryable: boolean; responseHeaders?: Record<string, string> } };

export interface AssistantInfo {
  id: string;
  sessionID: string;
  role: "assistant";
  time: { created: number; completed?: number };
  error?: EngineSessionError;
  /** Where the session works: a transcript names files relative to it. */
  path?: { cwd: string };
  cost: number;
  tokens: TokenCounts;
  /** OpenCode 1's json_schema result (its StructuredOutput tool). */
  structured?: unknown;
  finish?: string;
}

export interface UserInfo {
  id: string;
  sessionID: string;
  role: "user";
  time: { created: number };
}

export type MessageInfo = AssistantInfo | UserInfo;

interface PartBase {
  id: string;
  sessionID: string;
  messageID: string;
}

export interface TextPart extends PartBase {
  type: "text";
  text: string;
  synthetic?: boolean;
  ignored?: boolean;
}

export interface ReasoningPart extends PartBase {
  type: "reasoning";
  text: string;
}

/** The files a step changed, as OpenCode 1's snapshots saw them. */
export interface PatchPart extends PartBase {
  type: "patch";
  files: string[];
}

type ToolInput = { [key: string]: unknown };
type ToolMetadata = { [key: string]: unknown };

type ToolTime = { start: number; end?: number };

export type ToolState =
  | { status: "pending"; input: ToolInput }
  | { status: "running"; input: ToolInput; title?: string; metadata?: ToolMetadata; time?: ToolTime }
  | { status: "completed"; input: ToolInput; output: string; title: string; metadata: ToolMetadata; time?: ToolTime }
  | { status: "error"; input: ToolInput; error: string; metadata?: ToolMetadata; time?: ToolTime };

export interface ToolPart extends PartBase {
  type: "tool";
  callID?: string;
  tool: string;
  state: ToolState;
}

/** Parts nobody here reads (steps, snapshots, files, subtasks …): carried, never shown. */
export interface OtherPart extends PartBase {
  type: "subtask" | "file" | "step-start" | "step-finish" | "snapshot" | "agent" | "retry" | "compaction";
}

export type Part = TextPart | ReasoningPart | PatchPart | ToolPart | OtherPart;

export type SessionStatus = { type: "idle" } | { type: "busy" } | { type: "retry"; attempt: number; message: string; next: number };

export interface QuestionInfo {
  question: string;
  header: string;
  options: Array<{ label: string; description: string }>;
  multiple?: boolean;
  custom?: boolean;
}

/** A request of an agent that waits for an answer: a tool call OpenCode's rules ask about. */
export interface PermissionAsk {
  id: string;
  sessionID: string;
  /** OpenCode 1's permission names: edit, bash, read, external_directory … */
  permission: string;
  /** What it is about: paths relative to the workspace for edits, the command for bash. */
  patterns: string[];
  metadata: { [key: string]: unknown };
  always: string[];
}

export interface QuestionAsk {
  id: string;
  sessionID: string;
  questions: QuestionInfo[];
}

export type EngineEvent =
  | { id?: string; type: "server.connected"; properties: { [key: string]: unknown } }
  | { id?: string; type: "server.heartbeat"; properties: { [key: string]: unknown } }
  | { id?: string; type: "session.status"; properties: { sessionID: string; status: SessionStatus } }
  | { id?: string; type: "session.idle"; properties: { sessionID: string } }
  | { id?: string; type: "session.error"; properties: { sessionID?: string; error?: EngineSessionError } }
  /** Something happened in the session that nothing here reads (a sign of life). */
  | { id?: string; type: "session.activity"; properties: { sessionID: string } }
  | { id?: string; type: "message.updated"; properties: { info: MessageInfo } }
  | { id?: string; type: "message.part.updated"; properties: { part: Part } }
  | { id?: string; type: "message.part.delta"; properties: { sessionID: string; messageID: string; partID: string; field: string; delta: string } }
  | { id?: string; type: "permission.asked"; properties: PermissionAsk }
  | { id?: string; type: "permission.replied"; properties: { sessionID: string; requestID: string; reply: string } }
  | { id?: string; type: "question.asked"; properties: QuestionAsk }
  | { id?: string; type: "question.replied"; properties: { sessionID: string; requestID: string } }
  | { id?: string; type: "question.rejected"; properties: { sessionID: string; requestID: string } };
