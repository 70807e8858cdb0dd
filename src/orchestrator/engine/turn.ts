/**
 * One turn: a prompt sent to a session, finished when that session goes idle. Completion comes from
 * the event stream (never from polling), with a resync after a reconnect and a liveness watchdog so
 * a turn can never wait on something that will not finish. Engine-neutral: it talks to the port
 * (EngineApi, events in the port's vocabulary), whichever OpenCode serves it.
 */
import type { z } from "zod";
import { DisposableStore } from "../common/disposable";
import type { Logger } from "../common/logger";
import { NUMBER_SETTINGS } from "../settings/settingsTable";
import type { EngineApi, SessionPermissionRule } from "./engineApi";
import type { Part, TextPart } from "./engineEvents";
import { ServerUnreachableError, SessionExpiredError, sessionErrorFrom, SessionError, StructuredResultError, TurnAbortedError, TurnStalledError } from "./errors";
import type { OpencodeEvent } from "./eventRouter";
import type { EventStream } from "./eventStream";
import { parseStructured, type ReportLedger } from "./structuredResult";
import { mergeWork, noWork, type WorkDone } from "./turnProgress";
import { addUsage, TurnTracker, type TokenUsage } from "./turnTracker";
import type { ModelRef } from "../domain/modelRef";
import type { TurnWatch } from "../schedule/loadMonitor";

export type { ModelRef, SessionPermissionRule };

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
  api: EngineApi;
  events: EventStream;
  logger: Logger;
  /** Fires when the server is gone for good: the turn fails at once instead of waiting for its watchdog. */
  lost?: AbortSignal;
  /** What our MCP server heard of reports (a report tool's result is checked against it). */
  reports?: ReportLedger;
  /** Whether an abort of this session was asked through our engine (the user's Abort of a session); asked once per abort. */
  abortedHere?: (sessionId: string) => boolean;
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

/** Runs one turn; it never rejects: a failure is an outcome that carries what the turn did. */
export async function runTurn<T>(deps: TurnDeps, request: TurnRequest<T>): Promise<TurnOutcome<T>> {
  const started = Date.now();
  if (deps.lost?.aborted) return turnFailed(new ServerUnreachableError("The OpenCode server is gone."), started);
  let sessionId: string | undefined;
  // One tracker per prompt of the turn: its own, and the reminder of a missing report (below).
  const trackers: TurnTracker[] = [];
  const workSoFar = () => trackers.slice(1).reduce((work, t) => mergeWork(work, t.progress.work), trackers[0]?.progress.work ?? noWork());
  const track = (at: number) => {
    const tracker = new TurnTracker(sessionId as string, at);
    tracker.onJobStarted = request.onJobStarted;
    trackers.push(tracker);
    return tracker;
  };
  try {
    sessionId = request.sessionId ?? (await deps.api.createSession({ title: request.title, agent: request.agent, model: request.model, permission: request.permission }));
    request.onSession?.(sessionId);
    const first = track(started);
    await followTurn(deps, request, sessionId, first, started, request.prompt, request.schema);
    if (request.schema && first.structured === undefined) {
      // Where the result is a tool call the model may skip (OpenCode 2), one reminder in the same
      // session is cheaper than a retry in a fresh one; a call the events missed is looked up first.
      const reminder = deps.api.reportReminder(request.schema);
      if (reminder && (await resync(deps.api, first, true).catch(() => "continue"), first.structured === undefined)) {
        deps.logger.info(`Turn in ${sessionId} ended without its report; reminding it once in the same session`);
        const at = Date.now();
        await followTurn(deps, request, sessionId, track(at), at, reminder, undefined);
      }
    }
    return await finish(deps, request, sessionId, trackers, workSoFar(), started);
  } catch (error) {
    // A retry in a fresh session gets to know what this attempt already did.
    return turnFailed(error, started, workSoFar(), sessionId);
  }
}

/** The result of a turn that ended well: its answer's text, its structured result, what it cost. */
async function finish<T>(deps: TurnDeps, request: TurnRequest<T>, sessionId: string, trackers: TurnTracker[], work: WorkDone, started: number): Promise<TurnResult<T>> {
  const last = trackers.at(-1) as TurnTracker;
  let text = "";
  let structured: unknown = [...trackers].reverse().find((t) => t.structured !== undefined)?.structured;
  // A structured turn's result already came with its events; fetching the message again costs a
  // round trip to a server that may be busy with fifty sessions (docs/benchmarks.md).
  if (last.lastAssistantId && !(request.schema && structured !== undefined)) {
    const message = await deps.api.message(sessionId, last.lastAssistantId);
    text = textOf(message.parts);
    if (structured === undefined && message.info.role === "assistant") structured = message.info.structured;
  }
  const parsed = request.schema ? parseStructured(request.schema, structured, sessionId, deps.api.structuredBy === "report-tool" ? deps.reports : undefined) : undefined;
  return {
    ok: true,
    sessionId,
    messageId: last.lastAssistantId,
    text,
    structured: parsed,
    tokens: trackers.slice(1).reduce((sum, t) => addUsage(sum, t.tokens), (trackers[0] as TurnTracker).tokens),
    cost: trackers.reduce((sum, t) => sum + t.cost, 0),
    requests: trackers.reduce((sum, t) => sum + t.requests, 0),
    durationMs: Date.now() - started,
    work,
  };
}

/** Sends one prompt of the turn and waits until the session has finished with it (or the turn failed). */
async function followTurn<T>(deps: TurnDeps, request: TurnRequest<T>, sessionId: string, tracker: TurnTracker, started: number, promptText: string, schema: z.ZodType | undefined): Promise<void> {
  const { api, events, logger } = deps;
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
      const abortSession = () => api.abort(sessionId).catch(() => undefined);
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
          const error = tracker.error as SessionError | StructuredResultError;
          // The user's Abort of this session (through our engine) stops the turn: its TODO is
          // redone as a new attempt. Any other interruption is not ours (the turn's own aborts come
          // above, or through fail()) — OpenCode 2 interrupts a turn whose tool call the user
          // declined, another client may abort it — and counts as a failed attempt: taken for a
          // stop, the turn would be redone without end.
          if (error instanceof SessionError && error.kind === "aborted" && deps.abortedHere?.(sessionId)) settle(() => reject(new TurnAbortedError(sessionId)));
          else fail(error);
        }
      };
      store.add(events.onSession(sessionId, (event) => {
        request.onEvent?.(event);
        onVerdict(tracker.feed(event));
      }));

      // After a reconnect, events of this turn may be lost: ask the server where the session stands.
      store.add(events.onReconnect(() => {
        void resync(api, tracker).then((verdict) => onVerdict(verdict)).catch((error: unknown) => logger.debug(`resync of ${sessionId} failed: ${String(error)}`));
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
            .then(() => api.busySessions())
            .then((busy) => {
              if (!busy.includes(sessionId)) settle(() => reject(new TurnAbortedError(sessionId)));
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
          void api
            .busySessions()
            .then((busy) => {
              if (busy.includes(sessionId)) {
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

      api
        .prompt({ sessionId, agent: request.agent, model: request.model, text: promptText, schema })
        .then(() => logger.debug(`prompt sent to ${sessionId} (${request.agent})`))
        .catch((error: unknown) => settle(() => reject(error instanceof Error ? error : new Error(String(error)))));
    });
  } finally {
    store.dispose();
  }
}

/**
 * Brings a tracker up to date from the server after events may have been missed. `ended`: the turn
 * is known to have ended (only its messages are read again, for a result the events did not bring).
 */
async function resync(api: EngineApi, tracker: TurnTracker, ended = false): Promise<string> {
  // Whatever it missed, it can no longer tell when the turn's last tool call ended.
  if (!ended) tracker.progress.lost();
  if (!ended && (await api.busySessions()).includes(tracker.sessionId)) return "continue"; // still busy or retrying; events will follow
  const messages = (await api.turnMessages(tracker.sessionId)).filter((m) => tracker.isOfThisTurn(m.info));
  const last = messages.at(-1);
  for (const { info, parts } of messages) {
    tracker.recordAssistant(info);
    for (const part of parts) tracker.feedPart(part);
  }
  if (ended) return "done";
  if (!last || last.info.time.completed === undefined) return "continue";
  if (last.info.error) {
    tracker.error = sessionErrorFrom(tracker.sessionId, last.info.error);
    return "error";
  }
  return tracker.feed({ id: "resync", type: "session.idle", properties: { sessionID: tracker.sessionId } });
}
