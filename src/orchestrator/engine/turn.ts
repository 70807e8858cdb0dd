/**
 * One turn: a prompt sent with promptAsync to a session, finished when that session goes idle.
 * Completion comes from the event stream (never from polling), with a resync after a reconnect
 * and a liveness watchdog so a turn can never wait on something that will not finish.
 */
import type { OpencodeClient, Part, TextPart } from "@opencode-ai/sdk/v2";
import { z } from "zod";
import { DisposableStore } from "../common/disposable";
import type { Logger } from "../common/logger";
import { NUMBER_SETTINGS } from "../settings/settingsTable";
import { ServerUnreachableError, SessionExpiredError, sessionErrorFrom, SessionError, TurnAbortedError, TurnStalledError } from "./errors";
import type { OpencodeEvent } from "./eventRouter";
import type { EventStream } from "./eventStream";
import { parseStructured } from "./structuredResult";
import { noWork, type WorkDone } from "./turnProgress";
import { TurnTracker, type TokenUsage } from "./turnTracker";
import type { ModelRef } from "../domain/modelRef";
import type { TurnWatch } from "../schedule/loadMonitor";

export type { ModelRef };

export interface TurnRequest<T = unknown> {
  /** Continue in this session; when absent a new session is created with `title`. */
  sessionId?: string;
  /** Every session gets a title: an untitled one costs an extra model request. */
  title: string;
  /** Rules a new session adds to the server's policy (last match wins), e.g. a Worker's file scope. */
  permission?: SessionPermissionRule[];
  agent: string;
  model?: ModelRef;
  prompt: string;
  /** Ask for a structured result; it is converted with z.toJSONSchema and parsed back with zod. */
  schema?: z.ZodType<T>;
  signal?: AbortSignal;
  /** Abort the turn after this much silence from its busy session. */
  livenessMs?: number;
  /** Shared by the mission's turns: a burst of silent turns is overload, not stalls (schedule/loadMonitor.ts). */
  watch?: TurnWatch;
  /** Abort the turn once it has run this long, however busy (sessionTtlMinutes). */
  ttlMs?: number;
  /** Told the session id as soon as it exists (for the UI and for stop). */
  onSession?: (sessionId: string) => void;
  /** Told the id of each background job the turn starts (to attribute it to the turn's TODO). */
  onJobStarted?: (jobId: string) => void;
  /** Told each event of the turn's session as it arrives (a chat streams its answer's text from them). */
  onEvent?: (event: OpencodeEvent) => void;
}

/** A turn that answered. */
export interface TurnResult<T = unknown> {
  ok: true;
  sessionId: string;
  messageId?: string;
  /** The answer's text; empty for a structured turn, whose result is `structured`. */
  text: string;
  structured: T | undefined;
  tokens: TokenUsage;
  cost: number;
  /** Model requests the turn took (its assistant messages: one per step). */
  requests?: number;
  durationMs: number;
  /** What the turn did, from its parts: files written (absolute paths as the tools got them), commands, jobs. */
  work: WorkDone;
}

/** A turn that failed: why, and what it had done by then (a stopped or failed turn wrote files too). */
export interface TurnFailure {
  ok: false;
  error: Error;
  /** Its session, once one was created. */
  sessionId?: string;
  durationMs: number;
  work: WorkDone;
}

/** How a turn ended. A failure is a value, never thrown: its work travels with it. */
export type TurnOutcome<T = unknown> = TurnResult<T> | TurnFailure;

/** A failed turn's outcome; `work`: what it did before it failed. */
export function turnFailed(error: unknown, started: number, work: WorkDone = noWork(), sessionId?: string): TurnFailure {
  return { ok: false, error: error instanceof Error ? error : new Error(String(error)), ...(sessionId !== undefined ? { sessionId } : {}), durationMs: Date.now() - started, work };
}

/** The result, or the failure's error thrown: for a caller that has nothing to do with a failed turn's work. */
export function resultOf<T>(outcome: TurnOutcome<T>): TurnResult<T> {
  if (!outcome.ok) throw outcome.error;
  return outcome;
}

export interface TurnDeps {
  client: OpencodeClient;
  events: EventStream;
  logger: Logger;
  /** Fires when the server is gone for good: the turn fails at once instead of waiting for its watchdog. */
  lost?: AbortSignal;
}

/** The turnLivenessSeconds setting's default, for turns run without the Commander's limits. */
export const DEFAULT_LIVENESS_MS = NUMBER_SETTINGS.turnLivenessSeconds.default * 1000;


function textOf(parts: Part[]): string {
  return parts
    .filter((p): p is TextPart => p.type === "text" && !p.synthetic && !p.ignored)
    .map((p) => p.text)
    .join("")
    .trim();
}

/** One OpenCode permission rule: `pattern` is a wildcard over what the tool asks about (a path relative to the workspace for edits). */
export interface SessionPermissionRule {
  permission: string;
  pattern: string;
  action: "allow" | "deny" | "ask";
}

export async function createSession(client: OpencodeClient, title: string, permission?: SessionPermissionRule[]): Promise<string> {
  const created = await client.session.create({ title, ...(permission?.length ? { permission } : {}) }, { throwOnError: true });
  return created.data.id;
}

/** Runs one turn; it never rejects: a failure is an outcome that carries what the turn did. */
export async function runTurn<T>(deps: TurnDeps, request: TurnRequest<T>): Promise<TurnOutcome<T>> {
  const started = Date.now();
  if (deps.lost?.aborted) return turnFailed(new ServerUnreachableError("The OpenCode server is gone."), started);
  let sessionId: string | undefined;
  let tracker: TurnTracker | undefined;
  try {
    sessionId = request.sessionId ?? (await createSession(deps.client, request.title, request.permission));
    request.onSession?.(sessionId);
    tracker = new TurnTracker(sessionId, started);
    tracker.onJobStarted = request.onJobStarted;
    return await followTurn(deps, request, sessionId, tracker, started);
  } catch (error) {
    // A retry in a fresh session gets to know what this attempt already did.
    return turnFailed(error, started, tracker?.progress.work, sessionId);
  }
}

async function followTurn<T>(deps: TurnDeps, request: TurnRequest<T>, sessionId: string, tracker: TurnTracker, started: number): Promise<TurnResult<T>> {
  const { client, events, logger } = deps;
  const livenessMs = request.livenessMs ?? DEFAULT_LIVENESS_MS;
  const store = new DisposableStore();

  try {
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        fn();
      };
      let aborting = false;
      /** The error the turn failed with; set while its session is being aborted, and kept. */
      let failing: Error | undefined;
      const abortSession = () => client.session.abort({ sessionID: sessionId }).catch(() => undefined);
      // A failed turn's session must not work on behind our back while its retry runs (after a
      // context overflow OpenCode 1.18 compacts the session and carries on by itself), so it is
      // aborted first. What the abort itself then reports must not replace the real error.
      const fail = (error: Error) => {
        if (settled || failing) return;
        failing = error;
        let timer: NodeJS.Timeout | undefined;
        // Bounded: a server that does not answer must not keep the turn from failing.
        const waited = new Promise((r) => (timer = setTimeout(r, 3_000)));
        store.add({ dispose: () => clearTimeout(timer) });
        void Promise.race([abortSession(), waited]).finally(() => settle(() => reject(error)));
      };
      const onVerdict = (verdict: string) => {
        if (failing) return;
        // While aborting, the session's idle (or its MessageAbortedError) is the abort taking effect.
        if (aborting && verdict !== "continue") settle(() => reject(new TurnAbortedError(sessionId)));
        else if (verdict === "done") settle(() => resolve());
        else if (verdict === "error") {
          const error = tracker.error as SessionError;
          if (error.kind === "aborted") settle(() => reject(new TurnAbortedError(sessionId)));
          else fail(error);
        }
      };
      store.add(events.onSession(sessionId, (event) => {
        request.onEvent?.(event);
        onVerdict(tracker.feed(event));
      }));

      // After a reconnect, events of this turn may be lost: ask the server where the session stands.
      store.add(events.onReconnect(() => {
        void resync(client, tracker).then((verdict) => onVerdict(verdict)).catch((error: unknown) => logger.debug(`resync of ${sessionId} failed: ${String(error)}`));
      }));

      if (deps.lost) {
        const onLost = () => settle(() => reject(new ServerUnreachableError(`The OpenCode server exited while session ${sessionId} was working.`)));
        deps.lost.addEventListener("abort", onLost, { once: true });
        store.add({ dispose: () => deps.lost?.removeEventListener("abort", onLost) });
      }

      if (request.signal) {
        // Settle only once the server has let go of the session, so "stopped" means nothing is busy.
        const onAbort = () => {
          aborting = true;
          void abortSession()
            .then(() => client.session.status({}, { throwOnError: true }))
            .then((status) => {
              if (!status.data[sessionId]) settle(() => reject(new TurnAbortedError(sessionId)));
            })
            .catch(() => undefined);
          const fallback = setTimeout(() => settle(() => reject(new TurnAbortedError(sessionId))), 3_000);
          store.add({ dispose: () => clearTimeout(fallback) });
        };
        if (request.signal.aborted) return onAbort();
        request.signal.addEventListener("abort", onAbort, { once: true });
        store.add({ dispose: () => request.signal?.removeEventListener("abort", onAbort) });
      }

      let probing = false;
      let probedAt = started;
      const watchdog = setInterval(() => {
        if (failing) return;
        const age = Date.now() - started;
        // Not begun yet: a queued prompt is no stall, but a lost one (or a dead event stream) must not
        // wait for the TTL. Ask the server once a liveness period; three periods never begun is a stall.
        if (!tracker.sawActivity && Date.now() - probedAt > livenessMs && !probing) {
          probing = true;
          probedAt = Date.now();
          void client.session
            .status({}, { throwOnError: true })
            .then((status) => {
              if (status.data[sessionId]) {
                tracker.sawActivity = true;
                tracker.lastActivityAt = Date.now();
              } else if (Date.now() - started > 3 * livenessMs) fail(new TurnStalledError(sessionId, Date.now() - started));
            })
            .catch(() => undefined)
            .finally(() => (probing = false));
        }
        if (request.ttlMs !== undefined && age > request.ttlMs) {
          logger.warn(`Turn in ${sessionId} ran ${age} ms, past its time limit; aborting it`);
          fail(new SessionExpiredError(sessionId, age));
          return;
        }
        const silent = tracker.silentFor(Date.now());
        request.watch?.silent(sessionId, silent);
        if (silent > livenessMs && (request.watch?.shouldAbort(sessionId, silent, livenessMs) ?? true)) {
          logger.warn(`Turn in ${sessionId} silent for ${silent} ms; aborting it`);
          fail(new TurnStalledError(sessionId, silent));
        }
      }, Math.max(50, Math.min(1000, livenessMs / 4)));
      store.add({ dispose: () => clearInterval(watchdog) });
      store.add({ dispose: () => request.watch?.ended(sessionId) });

      const format = request.schema ? { type: "json_schema" as const, schema: z.toJSONSchema(request.schema) as Record<string, unknown> } : undefined;
      client.session
        .promptAsync({ sessionID: sessionId, agent: request.agent, model: request.model, format, parts: [{ type: "text", text: request.prompt }] }, { throwOnError: true })
        .then(() => logger.debug(`prompt sent to ${sessionId} (${request.agent})`))
        .catch((error: unknown) => settle(() => reject(error instanceof Error ? error : new Error(String(error)))));
    });
  } finally {
    store.dispose();
  }

  let text = "";
  let structured: unknown = tracker.structured;
  // A structured turn's result already came with its message.updated event; fetching the message
  // again costs a round trip to a server that may be busy with fifty sessions (docs/benchmarks.md).
  if (tracker.lastAssistantId && !(request.schema && structured !== undefined)) {
    const message = await client.session.message({ sessionID: sessionId, messageID: tracker.lastAssistantId }, { throwOnError: true });
    text = textOf(message.data.parts);
    if (structured === undefined && message.data.info.role === "assistant") structured = message.data.info.structured;
  }
  const parsed = request.schema ? parseStructured(request.schema, structured, sessionId) : undefined;
  return { ok: true, sessionId, messageId: tracker.lastAssistantId, text, structured: parsed, tokens: tracker.tokens, cost: tracker.cost, requests: tracker.requests, durationMs: Date.now() - started, work: tracker.progress.work };
}

/** Brings a tracker up to date from the server after events may have been missed. */
async function resync(client: OpencodeClient, tracker: TurnTracker): Promise<string> {
  // Whatever it missed, it can no longer tell when the turn's last tool call ended.
  tracker.progress.lost();
  const status = await client.session.status({}, { throwOnError: true });
  if (status.data[tracker.sessionId]) return "continue"; // still busy or retrying; events will follow
  // Idle. Only the newest message is asked for: listing a json_schema session's history fails on 1.18 (ENVIRONMENT.md).
  const last = await client.session.messages({ sessionID: tracker.sessionId, limit: 1 }, { throwOnError: true });
  const info = last.data[0]?.info;
  if (!info || info.role !== "assistant" || info.time.completed === undefined || !tracker.isOfThisTurn(info)) return "continue";
  tracker.recordAssistant(info);
  if (info.error) {
    tracker.error = sessionErrorFrom(tracker.sessionId, info.error);
    return "error";
  }
  return tracker.feed({ id: "resync", type: "session.idle", properties: { sessionID: tracker.sessionId } });
}
