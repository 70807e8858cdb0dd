/**
 * Every OpenCode session of the mission as the views show it: role, TODO, status, timing, tokens,
 * cost and a bounded transcript. Fed by the Commander's events (live, or replayed from the journal
 * after a reload or a resume) and by OpenCode's own events for those sessions.
 */
import type { Role } from "../domain/roles";
import type { OpencodeEvent } from "../engine/eventRouter";
import type { OrchestratorEvent } from "../domain/events";
import { sessionIdOf } from "../engine/eventRouter";
import { transcriptEntry, type TranscriptEntry } from "./transcriptEntry";
import type { SessionModel } from "../../shared/session";
import type { TranscriptLine } from "../../shared/transcript";

/** A session as the registry keeps it: what its view model shows, why it retries or failed, and its transcript. */
export interface SessionRecord extends Omit<SessionModel, "role" | "detail"> {
  role: Role;
  retryMessage?: string;
  error?: string;
  transcript: TranscriptEntry[];
  /** Where the session works (its assistant messages say): its transcript names files relative to it. */
  directory?: string;
}

/** A session as the views show it: a copy, never the record the registry goes on changing. */
export function sessionModel(s: SessionRecord): SessionModel {
  return {
    id: s.id,
    role: s.role,
    todoIds: [...s.todoIds],
    status: s.status,
    retryAttempt: s.status === "retry" ? s.retryAttempt : undefined,
    detail: s.status === "retry" ? s.retryMessage : s.error,
    startedAt: s.startedAt,
    endedAt: s.endedAt,
    inputTokens: s.inputTokens,
    outputTokens: s.outputTokens,
    cost: s.cost,
    server: s.server,
  };
}

/** A transcript entry as the views show it; its part id stays here. */
const transcriptLine = ({ kind, text, tool, toolStatus, title, detail, exit, lines }: TranscriptEntry): TranscriptLine =>
  kind === "tool" ? { kind, text, tool, toolStatus, title, detail, exit, lines: lines?.map((l) => ({ ...l })) } : { kind, text };

/** Running sessions first (newest first), then finished ones (newest first): the order every list shows. */
const byDisplayOrder = (a: SessionRecord, b: SessionRecord) => (a.endedAt === undefined ? 0 : 1) - (b.endedAt === undefined ? 0 : 1) || b.startedAt - a.startedAt;

export const TRANSCRIPT_LIMIT = 300;
/** Finished sessions that keep their transcript, and finished sessions kept at all (newest first). */
export const FINISHED_WITH_TRANSCRIPT = 200;
export const FINISHED_KEPT = 1_000;

export class SessionRegistry {
  private readonly sessions = new Map<string, SessionRecord>();
  private readonly waiting = new Map<string, Set<string>>();
  /** Finished sessions, oldest first: memory stays bounded however long the mission runs. */
  private readonly finished: string[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  get(id: string): SessionRecord | undefined {
    return this.sessions.get(id);
  }

  list(): SessionRecord[] {
    return [...this.sessions.values()];
  }

  /** Every session's view model, in the order every list shows them. */
  models(): SessionModel[] {
    return this.list().sort(byDisplayOrder).map(sessionModel);
  }

  /** A session's transcript as the views show it. */
  transcript(id: string): TranscriptLine[] | undefined {
    return this.sessions.get(id)?.transcript.map(transcriptLine);
  }

  has(id: string): boolean {
    return this.sessions.has(id);
  }

  clear(): void {
    this.sessions.clear();
    this.waiting.clear();
    this.finished.length = 0;
  }

  private retire(id: string): void {
    this.waiting.delete(id);
    this.finished.push(id);
    const withTranscript = this.finished.length - FINISHED_WITH_TRANSCRIPT;
    if (withTranscript > 0) {
      const old = this.sessions.get(this.finished[withTranscript - 1] as string);
      if (old) old.transcript = [];
    }
    while (this.finished.length > FINISHED_KEPT) this.sessions.delete(this.finished.shift() as string);
  }

  /** Sessions at work now. */
  runningCount(): number {
    return this.sessions.size - this.finished.length;
  }

  /** "Worker (TODO T3)": who a session is, for prompts that name the agent asking. */
  describe(id: string): string {
    const s = this.sessions.get(id);
    if (!s) return "An agent";
    const role = s.role.charAt(0).toUpperCase() + s.role.slice(1);
    return s.todoIds.length ? `${role} (TODO ${s.todoIds.join(", ")})` : role;
  }

  /**
   * Ends the sessions still open: a journal replayed after a reload has turns that never finished
   * (their sessions did not survive). Returns their ids.
   */
  closeOpen(at: number): string[] {
    const open = [...this.sessions.values()].filter((s) => s.endedAt === undefined);
    for (const s of open) {
      s.endedAt = Math.max(s.startedAt, at);
      s.status = "aborted";
      this.retire(s.id);
    }
    return open.map((s) => s.id);
  }

  /** Returns the id of the session that changed, if any. `at`: when it happened (a replayed event's own time). */
  applyMission(event: OrchestratorEvent, at = this.now()): string | undefined {
    if (event.type === "turn.started") {
      const known = this.sessions.get(event.sessionId);
      if (known) {
        // A turn continued in its session (the Planner corrects its plan in its own): busy again.
        if (known.endedAt === undefined) return undefined;
        const i = this.finished.indexOf(known.id);
        if (i >= 0) this.finished.splice(i, 1);
        known.endedAt = undefined;
        known.status = "busy";
        return known.id;
      }
      this.sessions.set(event.sessionId, { id: event.sessionId, role: event.role, todoIds: event.todoIds, status: "busy", startedAt: at, inputTokens: 0, outputTokens: 0, cost: 0, transcript: [] });
      return event.sessionId;
    }
    if (event.type === "turn.finished") {
      const s = this.sessions.get(event.sessionId);
      if (!s || s.endedAt !== undefined) return undefined;
      s.endedAt = at;
      this.retire(s.id);
      s.inputTokens = Math.max(s.inputTokens, event.inputTokens);
      s.outputTokens = Math.max(s.outputTokens, event.outputTokens);
      s.cost = Math.max(s.cost, event.cost);
      if (event.ok) s.status = "idle";
      else if (/aborted/i.test(event.error ?? "")) s.status = "aborted";
      else {
        s.status = "error";
        s.error = event.error;
      }
      return s.id;
    }
    return undefined;
  }

  /** Returns the id of the session that changed, if it is one of ours. `server`: the pool member the event came from. */
  applyOpencode(event: OpencodeEvent, server?: number): string | undefined {
    const id = sessionIdOf(event);
    const s = id ? this.sessions.get(id) : undefined;
    if (!s) return undefined;
    // A session lives on one member, and only that member's stream carries its events.
    const placed = server !== undefined && s.server === undefined;
    if (placed) s.server = server;
    return this.applyToSession(s, event) ?? (placed ? s.id : undefined);
  }

  private applyToSession(s: SessionRecord, event: OpencodeEvent): string | undefined {
    switch (event.type) {
      case "session.status": {
        const status = event.properties.status;
        if (s.endedAt !== undefined) return undefined;
        if (status.type === "retry") {
          s.status = "retry";
          s.retryAttempt = status.attempt;
          s.retryMessage = status.message;
        } else if (status.type === "busy") s.status = this.waiting.get(s.id)?.size ? "waiting" : "busy";
        return s.id;
      }
      case "permission.asked":
      case "question.asked": {
        const set = this.waiting.get(s.id) ?? new Set<string>();
        set.add(event.properties.id);
        this.waiting.set(s.id, set);
        if (s.endedAt === undefined) s.status = "waiting";
        return s.id;
      }
      case "permission.replied":
      case "question.replied":
      case "question.rejected": {
        this.waiting.get(s.id)?.delete(event.properties.requestID);
        if (s.endedAt === undefined && s.status === "waiting" && !this.waiting.get(s.id)?.size) s.status = "busy";
        return s.id;
      }
      case "message.updated": {
        const info = event.properties.info;
        if (info.role !== "assistant") return undefined;
        // Tokens and cost are per message; the turn's total arrives with turn.finished.
        s.inputTokens = Math.max(s.inputTokens, info.tokens.input);
        s.outputTokens = Math.max(s.outputTokens, info.tokens.output);
        s.cost = Math.max(s.cost, info.cost);
        s.directory ??= info.path?.cwd;
        return s.id;
      }
      case "message.part.updated": {
        // Each entry is bounded (transcriptEntry.ts), as is their number.
        const entry = transcriptEntry(event.properties.part, s.directory);
        if (!entry) return undefined;
        const existing = s.transcript.findIndex((e) => e.partId === entry.partId);
        if (existing >= 0) s.transcript[existing] = entry;
        else {
          s.transcript.push(entry);
          if (s.transcript.length > TRANSCRIPT_LIMIT) s.transcript.splice(0, s.transcript.length - TRANSCRIPT_LIMIT);
        }
        return s.id;
      }
      default:
        return undefined;
    }
  }
}
