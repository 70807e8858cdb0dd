/**
 * OpenCode 2's events in the engine port's vocabulary (engineEvents.ts). Pure and stateful per
 * stream: a tool's name arrives only with `session.tool.input.started` and its input only with
 * `session.tool.called`, so both are remembered (per session and call) until the call ends; a form's
 * fields are kept for its answer. What becomes what:
 *  - `session.execution.started` → busy; `…succeeded` → idle; `…failed` → error, idle;
 *    `…interrupted` → aborted, idle (OpenCode 2 sends no session.idle / session.status);
 *  - `session.retry.scheduled` → retry status; `session.step.started/ended/failed` → one assistant
 *    message per step (tokens, cost, its error);
 *  - `session.text.*`, `session.reasoning.*` → text and reasoning parts and their deltas;
 *  - `session.tool.*` → tool parts with state, in OpenCode 1's tool and argument names;
 *  - `permission.asked/replied` → the same, in OpenCode 1's permission names; `form.*` (questions
 *    are forms) → `question.*`; any other event of a session → `session.activity` (a sign of life).
 */
import { isAbsolute, join } from "node:path";
import { toV1Call, toV1Permission } from "../../agents/toolDialects";
import type { EngineEvent, EngineSessionError, Part, QuestionInfo, ToolState } from "../engineEvents";

/** An OpenCode 2 event as it arrives on `/api/event` (only what is read here is typed). */
export interface V2RawEvent {
  id?: string;
  created?: number;
  type: string;
  location?: { directory?: string };
  data?: unknown;
}

/** OpenCode 2's structured error (SessionStructuredError). */
export interface V2Error {
  type?: string;
  message?: string;
  status?: number;
  retryAfterMs?: number;
}

type Data = Record<string, unknown>;
const obj = (v: unknown): Data => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Data) : {});
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

/** An answer to a form field, for a question's chosen labels: the option values by their labels. */
export interface FormFieldAnswer {
  key: string;
  multiple: boolean;
  /** label → value */
  options: Map<string, string>;
}

/** The forms asked and not yet answered, with how to answer each (form id → its fields). */
export class FormBook {
  private readonly forms = new Map<string, FormFieldAnswer[]>();

  remember(formId: string, fields: FormFieldAnswer[]): void {
    this.forms.set(formId, fields);
    // Bounded: an answered or cancelled form is forgotten; one never answered waits in a bounded map.
    if (this.forms.size > 1_000) this.forms.delete(this.forms.keys().next().value as string);
  }

  forget(formId: string): void {
    this.forms.delete(formId);
  }

  /** The form's answer for one list of chosen labels per question (a typed answer is taken as is). */
  answer(formId: string, answers: string[][]): Record<string, string | string[]> {
    const fields = this.forms.get(formId) ?? [];
    return Object.fromEntries(fields.map((field, i) => {
      const chosen = (answers[i] ?? []).map((label) => field.options.get(label) ?? label);
      return [field.key, field.multiple ? chosen : (chosen[0] ?? "")];
    }));
  }
}

const zeroTokens = () => ({ input: 0, output: 0, reasoning: 0, cache: { read: 0, write: 0 } });

function tokensOf(value: unknown) {
  const t = obj(value);
  const cache = obj(t.cache);
  return { input: num(t.input) ?? 0, output: num(t.output) ?? 0, reasoning: num(t.reasoning) ?? 0, cache: { read: num(cache.read) ?? 0, write: num(cache.write) ?? 0 } };
}

/** OpenCode 2's error types in OpenCode 1's error names, which the recovery policy classifies. */
export function engineErrorOf(value: unknown, providerId = "the provider"): EngineSessionError {
  const e = obj(value) as V2Error;
  const message = e.message || e.type || "OpenCode reported an error without details.";
  const status = num(e.status);
  const api = (statusCode: number | undefined, isRetryable: boolean): EngineSessionError => ({
    name: "APIError",
    data: { message, ...(statusCode !== undefined ? { statusCode } : {}), isRetryable, ...(num(e.retryAfterMs) !== undefined ? { responseHeaders: { "retry-after-ms": String(e.retryAfterMs) } } : {}) },
  });
  switch (e.type) {
    case "provider.rate-limit":
      return api(status ?? 429, true);
    case "provider.auth":
      return { name: "ProviderAuthError", data: { providerID: providerId, message } };
    case "provider.no-route":
      return { name: "ConfigurationError", data: { message } };
    case "provider.content-filter":
      return { name: "ContentFilterError", data: { message } };
    case "provider.invalid-request":
      if (/context|too long|maximum context|token limit/i.test(message) && status !== 429) return { name: "ContextOverflowError", data: { message } };
      return api(status ?? 400, false);
    case "provider.quota":
    case "provider.free-limit":
      return api(status ?? 402, false);
    case "aborted":
      return { name: "MessageAbortedError", data: { message } };
    case "context-overflow":
      return { name: "ContextOverflowError", data: { message } };
    default:
      if (e.type?.startsWith("provider.")) return api(status, true);
      return { name: "UnknownError", data: { message } };
  }
}

/** A tool's output text from OpenCode 2's content list. */
function outputOf(content: unknown): string {
  return Array.isArray(content) ? content.map((c) => str(obj(c).text) ?? "").filter(Boolean).join("\n") : "";
}

/** OpenCode 2's tool metadata in OpenCode 1's terms, where they differ (a command's output). */
function metadataOf(tool: string, metadata: unknown, output?: string): Data {
  const m = { ...obj(metadata) };
  if (tool === "bash" && output !== undefined && m.output === undefined) m.output = output;
  return m;
}

interface OpenCall {
  sessionID: string;
  messageID: string;
  /** OpenCode 2's name. */
  name: string;
  input: Data;
  /** The session's location: a relative path is relative to it. */
  cwd?: string;
}

/**
 * A call's input in OpenCode 1's names, its file absolute as OpenCode 1's tools had it (OpenCode 2
 * takes paths relative to the session's location): the work recorded and the transcripts need no
 * second rule.
 */
export function v1InputOf(name: string, input: Data, cwd: string | undefined): { tool: string; args: Data } {
  const call = toV1Call(name, input);
  const file = call.args.filePath;
  if (cwd && typeof file === "string" && file && !isAbsolute(file)) call.args.filePath = join(cwd, file);
  return call;
}

export class EventTranslator {
  private readonly calls = new Map<string, OpenCall>();
  /** Each step's start (its message's creation) and the model's provider, per session. */
  private readonly steps = new Map<string, { sessionID: string; created: number }>();
  private readonly providers = new Map<string, string>();

  constructor(readonly forms: FormBook = new FormBook()) {}

  translate(event: V2RawEvent): EngineEvent[] {
    const d = obj(event.data);
    const sessionID = str(d.sessionID) ?? "";
    const at = event.created ?? Date.now();
    const cwd = event.location?.directory;
    switch (event.type) {
      case "server.connected":
        return [{ type: "server.connected", properties: {} }];
      case "session.execution.started":
        return [{ type: "session.status", properties: { sessionID, status: { type: "busy" } } }];
      case "session.execution.succeeded":
        this.ended(sessionID);
        return [{ type: "session.idle", properties: { sessionID } }];
      case "session.execution.failed":
        this.ended(sessionID);
        return [{ type: "session.error", properties: { sessionID, error: engineErrorOf(d.error, this.providers.get(sessionID)) } }, { type: "session.idle", properties: { sessionID } }];
      case "session.execution.interrupted":
        this.ended(sessionID);
        return [{ type: "session.error", properties: { sessionID, error: { name: "MessageAbortedError", data: { message: `Interrupted (${str(d.reason) ?? "user"}).` } } } }, { type: "session.idle", properties: { sessionID } }];
      case "session.retry.scheduled":
        return [{ type: "session.status", properties: { sessionID, status: { type: "retry", attempt: num(d.attempt) ?? 1, message: str(obj(d.error).message) ?? "retrying", next: num(d.at) ?? at } } }];
      case "session.step.started": {
        const id = str(d.assistantMessageID) ?? "";
        const created = num(d.started) ?? at;
        this.steps.set(id, { sessionID, created });
        const provider = str(obj(d.model).providerID);
        if (provider) this.providers.set(sessionID, provider);
        return [{ type: "message.updated", properties: { info: { id, sessionID, role: "assistant", time: { created }, cost: 0, tokens: zeroTokens(), ...(cwd ? { path: { cwd } } : {}) } } }];
      }
      case "session.step.ended":
      case "session.step.failed": {
        const id = str(d.assistantMessageID) ?? "";
        const created = this.steps.get(id)?.created ?? at;
        this.steps.delete(id);
        const failed = event.type === "session.step.failed";
        const error: EngineSessionError | undefined = failed ? engineErrorOf(d.error, this.providers.get(sessionID)) : d.finish === "length" ? { name: "MessageOutputLengthError", data: {} } : undefined;
        return [{ type: "message.updated", properties: { info: { id, sessionID, role: "assistant", time: { created, completed: at }, cost: num(d.cost) ?? 0, tokens: tokensOf(d.tokens), ...(str(d.finish) ? { finish: str(d.finish) } : {}), ...(error ? { error } : {}), ...(cwd ? { path: { cwd } } : {}) } } }];
      }
      case "session.text.started":
      case "session.text.ended":
      case "session.reasoning.started":
      case "session.reasoning.ended": {
        const messageID = str(d.assistantMessageID) ?? "";
        const kind = event.type.startsWith("session.text") ? "text" : "reasoning";
        const part: Part = { id: `${messageID}:${kind}:${num(d.ordinal) ?? 0}`, sessionID, messageID, type: kind, text: str(d.text) ?? "" };
        return [{ type: "message.part.updated", properties: { part } }];
      }
      case "session.text.delta":
      case "session.reasoning.delta": {
        const messageID = str(d.assistantMessageID) ?? "";
        const kind = event.type.startsWith("session.text") ? "text" : "reasoning";
        return [{ type: "message.part.delta", properties: { sessionID, messageID, partID: `${messageID}:${kind}:${num(d.ordinal) ?? 0}`, field: "text", delta: str(d.delta) ?? "" } }];
      }
      case "session.tool.input.started": {
        const call: OpenCall = { sessionID, messageID: str(d.assistantMessageID) ?? "", name: str(d.name) ?? "?", input: {}, cwd };
        this.calls.set(this.key(sessionID, d.id), call);
        return [this.toolPart(call, d.id, { status: "pending", input: {} })];
      }
      case "session.tool.called": {
        const call = this.call(sessionID, d, cwd);
        call.input = obj(d.input);
        return [this.toolPart(call, d.id, { status: "running", input: this.v1Input(call) })];
      }
      case "session.tool.progress": {
        const call = this.call(sessionID, d, cwd);
        const tool = toV1Call(call.name, {}).tool;
        return [this.toolPart(call, d.id, { status: "running", input: this.v1Input(call), metadata: metadataOf(tool, d.metadata) })];
      }
      case "session.tool.success": {
        const call = this.call(sessionID, d, cwd);
        this.calls.delete(this.key(sessionID, d.id));
        const output = outputOf(d.content);
        const input = this.v1Input(call);
        const tool = toV1Call(call.name, {}).tool;
        return [this.toolPart(call, d.id, { status: "completed", input, output, title: titleOf(input), metadata: metadataOf(tool, d.metadata, output) })];
      }
      case "session.tool.failed": {
        const call = this.call(sessionID, d, cwd);
        this.calls.delete(this.key(sessionID, d.id));
        return [this.toolPart(call, d.id, { status: "error", input: this.v1Input(call), error: str(obj(d.error).message) ?? "The tool failed." })];
      }
      case "permission.asked":
        return [{ type: "permission.asked", properties: { id: str(d.id) ?? "", sessionID, permission: toV1Permission(str(d.action) ?? ""), patterns: Array.isArray(d.resources) ? d.resources.filter((r): r is string => typeof r === "string") : [], metadata: obj(d.metadata), always: Array.isArray(d.save) ? d.save.filter((r): r is string => typeof r === "string") : [] } }];
      case "permission.replied":
        return [{ type: "permission.replied", properties: { sessionID, requestID: str(d.requestID) ?? "", reply: str(d.reply) ?? "" } }];
      case "form.created":
        return this.formAsked(obj(d.form));
      case "form.replied":
      case "form.cancelled": {
        const id = str(d.id) ?? "";
        this.forms.forget(id);
        return [{ type: event.type === "form.replied" ? "question.replied" : "question.rejected", properties: { sessionID, requestID: id } }];
      }
      default:
        return sessionID ? [{ type: "session.activity", properties: { sessionID } }] : [];
    }
  }

  private key(sessionID: string, id: unknown): string {
    return `${sessionID}\0${str(id) ?? ""}`;
  }

  /** The open call an event is about (a call first seen mid-way, after a reconnect, gets what the event says). */
  private call(sessionID: string, d: Data, cwd?: string): OpenCall {
    const key = this.key(sessionID, d.id);
    let call = this.calls.get(key);
    if (!call) this.calls.set(key, (call = { sessionID, messageID: str(d.assistantMessageID) ?? "", name: str(d.name) ?? "?", input: obj(d.input), cwd }));
    call.cwd ??= cwd;
    return call;
  }

  private v1Input(call: OpenCall): Data {
    return v1InputOf(call.name, call.input, call.cwd).args;
  }

  private toolPart(call: OpenCall, id: unknown, state: ToolState): EngineEvent {
    const callID = str(id) ?? "";
    const part: Part = { id: `${call.messageID}:${callID}`, sessionID: call.sessionID, messageID: call.messageID, type: "tool", callID, tool: toV1Call(call.name, {}).tool, state };
    return { type: "message.part.updated", properties: { part } };
  }

  /** A session's execution ended: its open calls and steps are done with. */
  private ended(sessionID: string): void {
    for (const [key, call] of this.calls) if (call.sessionID === sessionID) this.calls.delete(key);
    for (const [key, step] of this.steps) if (step.sessionID === sessionID) this.steps.delete(key);
  }

  private formAsked(form: Data): EngineEvent[] {
    const id = str(form.id) ?? "";
    const sessionID = str(form.sessionID) ?? "";
    const fields = (Array.isArray(form.fields) ? form.fields : []).map(obj);
    const questions: QuestionInfo[] = [];
    const answers: FormFieldAnswer[] = [];
    for (const field of fields) {
      const options = (Array.isArray(field.options) ? field.options : []).map(obj);
      questions.push({
        header: str(field.title) ?? str(form.title) ?? "Question",
        question: str(field.description) ?? str(field.title) ?? "",
        multiple: field.type === "multiselect",
        custom: field.custom === true,
        options: options.map((o) => ({ label: str(o.label) ?? str(o.value) ?? "", description: str(o.description) ?? "" })),
      });
      answers.push({ key: str(field.key) ?? "", multiple: field.type === "multiselect", options: new Map(options.map((o) => [str(o.label) ?? str(o.value) ?? "", str(o.value) ?? str(o.label) ?? ""])) });
    }
    this.forms.remember(id, answers);
    return [{ type: "question.asked", properties: { id, sessionID, questions } }];
  }
}

/** What a completed call acted on, as OpenCode 1 titled it (a transcript falls back to it). */
function titleOf(input: Data): string {
  return str(input.filePath) ?? str(input.command) ?? str(input.pattern) ?? "";
}
