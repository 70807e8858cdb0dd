/**
 * Permission and question requests from agents, in the host's own terms: the editor shows them and
 * answers through the host, which sends the answer to the engine that asked. No view sees the SDK.
 */
import type { Engine } from "../engine/engine";
import type { OpencodeEvent } from "../engine/eventRouter";

/** Where a request is answered: the engine that asked (OpenCode 2 answers by session and request). */
type Answerer = Pick<Engine, "replyPermission" | "replyQuestion" | "rejectQuestion">;
import type { Logger } from "../common/logger";
import type { AgentRequest, AgentRequestUpdate, PermissionReply } from "../../shared/agentRequests";

export type { AgentRequest, AgentRequestUpdate, PermissionReply };

/** A permission ask the mission answers itself (a Worker's write outside its files), never shown to the user. */
export type PermissionAsk = { sessionId: string; permission: string; patterns: string[] };
export type PermissionDecider = (ask: PermissionAsk) => Promise<{ reply: PermissionReply; message?: string }> | undefined;

/** A request not yet answered: where it came from, whether the mission decides it, when it gives up. */
interface OpenRequest {
  engine: Answerer;
  sessionId: string;
  kind: AgentRequest["kind"];
  /** The mission answers it (a Worker's write outside its files): the user never sees it. */
  decided: boolean;
  timer?: NodeJS.Timeout;
}

/**
 * Follows the requests of the engines a mission uses and routes each answer to the engine that asked.
 * No request outlives its reason: one whose session ended is withdrawn (and rejected in OpenCode);
 * one nobody answers within the permission timeout is rejected, and the agent is told so and goes on.
 */
export class AgentRequests {
  private readonly open = new Map<string, OpenRequest>();
  private decider?: PermissionDecider;
  /** Asks of the host itself (a background job's command), answered by the user like an agent's. */
  private readonly ownAsks = new Map<string, (reply: PermissionReply) => void>();
  private ownSeq = 0;
  /** orchestrator.permissionTimeoutMinutes, in ms; 0: wait as long as the session lives. */
  private timeoutMs = 0;

  constructor(
    private readonly who: (sessionId: string) => string,
    private readonly publish: (update: AgentRequestUpdate) => void,
    private readonly logger: Logger,
  ) {}

  /** Who answers permission asks before the user does (the running mission); undefined: nobody. */
  decideWith(decider: PermissionDecider | undefined): void {
    this.decider = decider;
  }

  /** How long a request shown to the user waits for an answer (for requests asked from now on). */
  setTimeout(ms: number): void {
    this.timeoutMs = ms;
  }

  /** Feeds one engine event; `engine` is the one it came from. */
  apply(engine: Answerer, event: OpencodeEvent): void {
    if (event.type === "permission.asked") {
      const p = event.properties;
      const decision = this.decider?.({ sessionId: p.sessionID, permission: p.permission, patterns: p.patterns });
      this.track(p.id, { engine, sessionId: p.sessionID, kind: "permission", decided: decision !== undefined });
      if (decision) {
        void decision.then((d) => this.replyPermission(p.id, d.reply, d.message));
        return;
      }
      this.publish({ type: "asked", request: { kind: "permission", id: p.id, sessionId: p.sessionID, who: this.who(p.sessionID), permission: p.permission, patterns: p.patterns } });
    } else if (event.type === "question.asked") {
      const q = event.properties;
      this.track(q.id, { engine, sessionId: q.sessionID, kind: "question", decided: false });
      const questions = q.questions.map((x) => ({ header: x.header, question: x.question, multiple: x.multiple === true, options: x.options.map((o) => ({ label: o.label, description: o.description })) }));
      this.publish({ type: "asked", request: { kind: "question", id: q.id, sessionId: q.sessionID, who: this.who(q.sessionID), questions } });
    } else if (event.type === "permission.replied" || event.type === "question.replied" || event.type === "question.rejected") {
      this.forget(event.properties.requestID);
    } else if (event.type === "session.idle" || (event.type === "session.status" && event.properties.status.type === "idle")) {
      this.sessionEnded(event.properties.sessionID, "its session went idle");
    } else if (event.type === "session.error" && event.properties.sessionID) {
      this.sessionEnded(event.properties.sessionID, "its session failed");
    }
  }

  private track(id: string, request: OpenRequest): void {
    this.open.set(id, request);
    if (!request.decided && this.timeoutMs > 0) {
      request.timer = setTimeout(() => void this.withdraw(id, `Nobody answered within ${Math.round(this.timeoutMs / 60_000) || "<1"} minute(s), so the request was declined. Go on without it, or report blocked and say what you needed.`), this.timeoutMs);
      request.timer.unref?.();
    }
  }

  /** Answered (by anyone) or withdrawn: the user's prompt for it closes. */
  private forget(id: string): void {
    const request = this.open.get(id);
    if (!request) return;
    clearTimeout(request.timer);
    this.open.delete(id);
    if (!request.decided) this.publish({ type: "gone", id });
  }

  /** A session that ended asks nothing any more: its requests close here and in OpenCode. */
  private sessionEnded(sessionId: string, why: string): void {
    for (const [id, request] of this.open) if (request.sessionId === sessionId && !request.decided) void this.withdraw(id, `Withdrawn: ${why}.`);
  }

  /** Rejects a request in OpenCode (the agent reads `message`) and closes it for the user. */
  private async withdraw(id: string, message: string): Promise<void> {
    const request = this.open.get(id);
    if (!request) return;
    this.forget(id);
    this.logger.warn(`${request.kind === "permission" ? "Permission" : "Question"} ${id} of ${this.who(request.sessionId)} withdrawn: ${message}`);
    if (request.kind === "permission") await request.engine.replyPermission({ id, sessionId: request.sessionId }, "reject", message).catch(() => undefined);
    else await request.engine.rejectQuestion({ id, sessionId: request.sessionId }).catch(() => undefined);
  }

  /** Asks the user about something the host itself is about to run for an agent; declined when unanswered in time. */
  askUser(who: string, permission: string, patterns: string[]): Promise<PermissionReply> {
    const id = `orchestrator-ask-${++this.ownSeq}`;
    return new Promise<PermissionReply>((resolve) => {
      const timer = this.timeoutMs > 0 ? setTimeout(() => void this.replyPermission(id, "reject"), this.timeoutMs) : undefined;
      timer?.unref?.();
      this.ownAsks.set(id, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      this.publish({ type: "asked", request: { kind: "permission", id, sessionId: "", who, permission, patterns } });
    });
  }

  /** `message` goes back to the agent with a rejection: it goes on, told why, instead of stopping. */
  async replyPermission(id: string, reply: PermissionReply, message?: string): Promise<void> {
    const own = this.ownAsks.get(id);
    if (own) {
      this.ownAsks.delete(id);
      own(reply);
      this.publish({ type: "gone", id });
      return;
    }
    const request = this.open.get(id);
    if (!request) return;
    await request.engine.replyPermission({ id, sessionId: request.sessionId }, reply, message).catch((error: unknown) => this.logger.warn(`Permission reply failed: ${String(error)}`));
    this.logger.info(`Permission ${id}: ${reply}`);
  }

  async answerQuestion(id: string, answers: string[][]): Promise<void> {
    const request = this.open.get(id);
    await request?.engine.replyQuestion({ id, sessionId: request.sessionId }, answers).catch((error: unknown) => this.logger.warn(`Question reply failed: ${String(error)}`));
  }

  async rejectQuestion(id: string): Promise<void> {
    const request = this.open.get(id);
    await request?.engine.rejectQuestion({ id, sessionId: request.sessionId }).catch(() => undefined);
  }

  /** The mission ended: its requests need no answer any more (queued prompts are withdrawn). */
  clear(): void {
    for (const id of [...this.ownAsks.keys()]) void this.replyPermission(id, "reject");
    const open = [...this.open.entries()];
    this.open.clear();
    for (const [id, request] of open) {
      clearTimeout(request.timer);
      if (!request.decided) this.publish({ type: "gone", id });
    }
  }
}
