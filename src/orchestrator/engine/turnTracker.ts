/**
 * The state of one turn, reduced from its session's events. Pure: no I/O, no timers, so every
 * odd order of events can be unit-tested. The runner in turn.ts feeds it and acts on its verdicts.
 */
import { REPORT_TOOL_NAMES } from "../agents/reportTools";
import type { AssistantInfo, Part } from "./engineEvents";
import type { OpencodeEvent } from "./eventRouter";
import { sessionErrorFrom, StructuredResultError, type SessionError } from "./errors";
import { TurnProgress } from "./turnProgress";

export interface TokenUsage {
  input: number;
  output: number;
  reasoning: number;
  cacheRead: number;
  cacheWrite: number;
}

export const emptyUsage = (): TokenUsage => ({ input: 0, output: 0, reasoning: 0, cacheRead: 0, cacheWrite: 0 });

export function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  return { input: a.input + b.input, output: a.output + b.output, reasoning: a.reasoning + b.reasoning, cacheRead: a.cacheRead + b.cacheRead, cacheWrite: a.cacheWrite + b.cacheWrite };
}

export type TurnVerdict = "continue" | "done" | "error";

/**
 * Where the result is a report tool (OpenCode 2), our tool server refuses a report that does not fit
 * its schema and the model reads why, in the same turn. A model that keeps handing in misfits would
 * go on forever: after this many refusals the turn fails as an invalid result, and is retried in a
 * fresh session with the validation error, as OpenCode 1's misfit structured result is.
 */
export const REPORT_REFUSALS_PER_TURN = 3;

interface AssistantRecord {
  tokens: TokenUsage;
  cost: number;
  structured?: unknown;
  completed: boolean;
  error?: AssistantInfo["error"];
}

export class TurnTracker {
  /** Set once the session was seen working on this turn; an idle before that is someone else's. */
  sawActivity = false;
  lastActivityAt: number;
  /** When OpenCode itself waits to retry (rate limit), silence until then is expected. */
  retryUntil = 0;
  retryAttempt = 0;
  /** Why the turn failed: the session's error, or its reports refused too often (a StructuredResultError). */
  error?: SessionError | StructuredResultError;
  /** Permission or question requests of this session that wait for the user: silence is theirs. */
  readonly waitingForUser = new Set<string>();
  lastAssistantId?: string;
  /** What the turn has done so far (files, commands, jobs), for a retry that must build on it. */
  readonly progress = new TurnProgress();
  /** Told when the turn starts a background job, so the job can be attributed to its TODO. */
  onJobStarted?: (jobId: string) => void;
  private readonly assistants = new Map<string, AssistantRecord>();
  /** The input of the turn's latest completed report tool call (OpenCode 2's structured result). */
  private report: unknown;
  /** The turn's report calls our tool server refused, by part: why each was refused. */
  private readonly refusals = new Map<string, string>();

  constructor(readonly sessionId: string, private readonly startedAt: number, now = startedAt) {
    this.lastActivityAt = now;
  }

  feed(event: OpencodeEvent, now = Date.now()): TurnVerdict {
    this.lastActivityAt = now;
    switch (event.type) {
      case "session.status": {
        const status = event.properties.status;
        if (status.type === "busy") this.sawActivity = true;
        else if (status.type === "retry") {
          this.sawActivity = true;
          this.retryAttempt = status.attempt;
          this.retryUntil = status.next;
        } else if (status.type === "idle") return this.onIdle();
        return "continue";
      }
      case "session.idle":
        return this.onIdle();
      case "session.error":
        this.error = sessionErrorFrom(this.sessionId, event.properties.error);
        return "error";
      case "permission.asked":
      case "question.asked":
        this.sawActivity = true; // only a working session asks
        this.waitingForUser.add(event.properties.id);
        return "continue";
      case "permission.replied":
      case "question.replied":
      case "question.rejected":
        this.waitingForUser.delete(event.properties.requestID);
        return "continue";
      case "message.updated": {
        const info = event.properties.info;
        if (info.role === "assistant" && this.isOfThisTurn(info)) this.recordAssistant(info);
        return "continue";
      }
      case "message.part.updated":
        this.feedPart(event.properties.part);
        if (this.refusals.size >= REPORT_REFUSALS_PER_TURN && !this.error) {
          this.error = new StructuredResultError(this.sessionId, [...this.refusals.values()].at(-1) as string);
          return "error";
        }
        return "continue";
      default:
        return "continue";
    }
  }

  /** One part of the session: the turn's work, and its report when it is the completed call of a report tool. */
  feedPart(part: Part): void {
    const ofThisTurn = (messageId: string) => this.assistants.has(messageId);
    const jobId = this.progress.feed(part, ofThisTurn);
    if (jobId) this.onJobStarted?.(jobId);
    if (part.type !== "tool" || !REPORT_TOOL_NAMES.has(part.tool) || !ofThisTurn(part.messageID)) return;
    if (part.state.status === "completed") this.report = part.state.input;
    else if (part.state.status === "error") this.refusals.set(part.id, part.state.error);
  }

  /** Messages of an earlier turn in the same session can still be updated after it ended. */
  isOfThisTurn(info: AssistantInfo): boolean {
    return info.time.created >= this.startedAt - 2_000;
  }

  recordAssistant(info: AssistantInfo): void {
    this.sawActivity = true;
    this.lastAssistantId = info.id;
    this.assistants.set(info.id, {
      tokens: {
        input: info.tokens.input,
        output: info.tokens.output,
        reasoning: info.tokens.reasoning,
        cacheRead: info.tokens.cache.read,
        cacheWrite: info.tokens.cache.write,
      },
      cost: info.cost,
      structured: info.structured ?? this.assistants.get(info.id)?.structured,
      completed: info.time.completed !== undefined,
      error: info.error,
    });
  }

  get tokens(): TokenUsage {
    let total = emptyUsage();
    for (const a of this.assistants.values()) total = addUsage(total, a.tokens);
    return total;
  }

  /** One assistant message per step, each one model request. */
  get requests(): number {
    return this.assistants.size;
  }

  get cost(): number {
    let total = 0;
    for (const a of this.assistants.values()) total += a.cost;
    return total;
  }

  /** The structured result: from whichever assistant message of the turn carried it (OpenCode 1), else the turn's report call. */
  get structured(): unknown {
    for (const a of [...this.assistants.values()].reverse()) if (a.structured !== undefined) return a.structured;
    return this.report;
  }

  /** Milliseconds of silence that count against the watchdog (OpenCode's retry waits and the user's answers do not). */
  silentFor(now: number): number {
    // A prompt OpenCode has not begun (queued behind others on a busy server) is not silent yet.
    if (this.waitingForUser.size > 0 || !this.sawActivity) return 0;
    return now - Math.max(this.lastActivityAt, this.retryUntil);
  }

  private onIdle(): TurnVerdict {
    if (!this.sawActivity) return "continue";
    if (this.error) return "error";
    return "done";
  }
}
