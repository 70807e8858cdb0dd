/**
 * The engine port's requests: what the orchestrator asks of one OpenCode server, whichever major it
 * is. Two adapters implement it — OpenCode 1 over `@opencode-ai/sdk` (v1/api.ts), OpenCode 2 over
 * `@opencode/client` (v2/api.ts) — and nothing above the engine sees either client. Events come
 * back in the port's vocabulary (engineEvents.ts).
 */
import type { z } from "zod";
import type { PermissionRule } from "../agents/commandPolicy";
import type { ModelRef } from "../domain/modelRef";
import type { ModelChoice } from "../../shared/actions";
import type { AssistantInfo, EngineEvent, MessageInfo, Part } from "./engineEvents";
import type { EngineIdentity } from "./engineVersion";

/** One OpenCode permission rule: `pattern` is a wildcard over what the tool asks about (a path relative to the workspace for edits). */
export interface SessionPermissionRule {
  permission: string;
  pattern: string;
  action: "allow" | "deny" | "ask";
}

export interface NewSession {
  /** Every session gets a title: an untitled one costs an extra model request. */
  title: string;
  agent: string;
  model?: ModelRef;
  /** Rules the session adds to the server's policy (last match wins), e.g. a Worker's file scope. */
  permission?: SessionPermissionRule[];
}

export interface Prompt {
  sessionId: string;
  agent: string;
  model?: ModelRef;
  text: string;
  /** A structured result is asked for: how it comes back is the adapter's (see structuredBy). */
  schema?: z.ZodType;
}

/** Requests the orchestrator makes of a server on its own (not for a turn), for messages that name them. */
export type EngineRequest = "configuration" | "models" | "paths" | "rules" | "tools";

/** A message and its parts, in the port's vocabulary. */
export interface MessageWithParts {
  info: MessageInfo;
  parts: Part[];
}

export interface EngineApi {
  readonly identity: EngineIdentity;
  /**
   * How a structured result comes back: OpenCode 1's json_schema `format` (a forced StructuredOutput
   * call, `info.structured`), or — OpenCode 2 has no such format — the role's report tool on our
   * MCP server, its completed call in the turn's parts (agents/reportTools.ts).
   */
  readonly structuredBy: "format" | "report-tool";
  /** A request, named for a person ("its configuration (GET /config)"): a bounded request's error says which did not answer. */
  describe(request: EngineRequest): string;
  /** One connection to the server's events; `onActivity` hears every byte (keep-alive comments too). Ends or throws when the connection does. */
  events(signal: AbortSignal, onActivity: () => void): AsyncIterable<EngineEvent>;
  createSession(session: NewSession): Promise<string>;
  /** Sends a prompt and returns once the server took it; the turn's end comes as events. */
  prompt(prompt: Prompt): Promise<void>;
  /** What a turn that ended without its report is told, in the same session (report-tool engines). */
  reportReminder(schema: z.ZodType): string | undefined;
  abort(sessionId: string): Promise<void>;
  /** The sessions at work now (busy or waiting to retry); an idle one is absent. */
  busySessions(signal?: AbortSignal): Promise<string[]>;
  /**
   * The session's latest assistant messages with their parts, oldest first (a resync after missed
   * events; the caller keeps those of its turn). OpenCode 1 gives only the newest (ENVIRONMENT.md).
   */
  turnMessages(sessionId: string): Promise<Array<{ info: AssistantInfo; parts: Part[] }>>;
  message(sessionId: string, messageId: string): Promise<MessageWithParts>;
  replyPermission(request: { id: string; sessionId: string }, reply: "once" | "always" | "reject", message?: string): Promise<void>;
  /** One list of chosen labels per question. */
  replyQuestion(request: { id: string; sessionId: string }, answers: string[][]): Promise<void>;
  rejectQuestion(request: { id: string; sessionId: string }): Promise<void>;
  /** The sessions this server holds (its own database's), by id: newest first, at most `limit`. */
  sessionIds(limit: number, signal?: AbortSignal): Promise<string[]>;
  /** Permission requests that wait for an answer, by id. */
  pendingPermissions(signal?: AbortSignal): Promise<string[]>;
  /** Whether a model is configured (a default model, or a connected provider other than OpenCode's keyless one). */
  hasConfiguredModel(signal: AbortSignal): Promise<boolean>;
  /** Whether the server snapshots the worktree at every step; undefined when it cannot say. */
  takesStepSnapshots(signal: AbortSignal): Promise<boolean | undefined>;
  listModels(signal: AbortSignal): Promise<ModelChoice[]>;
  /** The permission rules the Workers run under (the user's included), in OpenCode 1's names; undefined when unknown. */
  permissionRules(signal: AbortSignal): Promise<PermissionRule[] | undefined>;
  /** The folder edit asks name files relative to. */
  worktree(signal: AbortSignal): Promise<string | undefined>;
  /** Whether our MCP server ("orchestrator") is connected for the workspace. */
  toolsConnected(signal: AbortSignal): Promise<boolean>;
  /** Readies the workspace on the server before the first turn (OpenCode 2 loads a location lazily). */
  prepare(signal: AbortSignal, expect: { agents: readonly string[]; tools: boolean; toolsListed?: () => boolean }): Promise<void>;
}
