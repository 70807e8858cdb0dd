/**
 * Permission and question requests from agents, in the host's own terms: the editor shows them and
 * answers through the host, which sends the answer to the engine that asked. No view sees the SDK.
 */
import type { Engine } from "../engine/engine";
import type { OpencodeEvent } from "../engine/eventRouter";
import type { Logger } from "../logger";

export type PermissionReply = "once" | "always" | "reject";

export interface AgentQuestion {
  header: string;
  question: string;
  multiple: boolean;
  options: Array<{ label: string; description: string }>;
}

export type AgentRequest =
  | { kind: "permission"; id: string; sessionId: string; who: string; permission: string; patterns: string[] }
  | { kind: "question"; id: string; sessionId: string; who: string; questions: AgentQuestion[] };

/** A request asked, or one that no longer needs an answer (answered elsewhere, or its session ended). */
export type AgentRequestUpdate = { type: "asked"; request: AgentRequest } | { type: "gone"; id: string };

/** Follows the requests of the engines a mission uses and routes each answer to the engine that asked. */
export class AgentRequests {
  private readonly owner = new Map<string, Engine>();

  constructor(
    private readonly who: (sessionId: string) => string,
    private readonly publish: (update: AgentRequestUpdate) => void,
    private readonly logger: Logger,
  ) {}

  /** Feeds one engine event; `engine` is the one it came from. */
  apply(engine: Engine, event: OpencodeEvent): void {
    if (event.type === "permission.asked") {
      const p = event.properties;
      this.owner.set(p.id, engine);
      this.publish({ type: "asked", request: { kind: "permission", id: p.id, sessionId: p.sessionID, who: this.who(p.sessionID), permission: p.permission, patterns: p.patterns } });
    } else if (event.type === "question.asked") {
      const q = event.properties;
      this.owner.set(q.id, engine);
      const questions = q.questions.map((x) => ({ header: x.header, question: x.question, multiple: x.multiple === true, options: x.options.map((o) => ({ label: o.label, description: o.description })) }));
      this.publish({ type: "asked", request: { kind: "question", id: q.id, sessionId: q.sessionID, who: this.who(q.sessionID), questions } });
    } else if (event.type === "permission.replied" || event.type === "question.replied" || event.type === "question.rejected") {
      this.owner.delete(event.properties.requestID);
      this.publish({ type: "gone", id: event.properties.requestID });
    }
  }

  async replyPermission(id: string, reply: PermissionReply): Promise<void> {
    const engine = this.owner.get(id);
    if (!engine) return;
    await engine.client.permission.reply({ requestID: id, reply }).catch((error: unknown) => this.logger.warn(`Permission reply failed: ${String(error)}`));
    this.logger.info(`Permission ${id}: ${reply}`);
  }

  async answerQuestion(id: string, answers: string[][]): Promise<void> {
    await this.owner.get(id)?.client.question.reply({ requestID: id, answers }).catch((error: unknown) => this.logger.warn(`Question reply failed: ${String(error)}`));
  }

  async rejectQuestion(id: string): Promise<void> {
    await this.owner.get(id)?.client.question.reject({ requestID: id }).catch(() => undefined);
  }

  /** The mission ended: its requests need no answer any more (queued prompts are withdrawn). */
  clear(): void {
    const open = [...this.owner.keys()];
    this.owner.clear();
    for (const id of open) this.publish({ type: "gone", id });
  }
}
