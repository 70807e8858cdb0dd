/**
 * The Commander's side of file scopes (fileScopes.ts decides): which TODO a Worker's edit ask is
 * about, the answer journaled (waiting, granted, refused), and what a wait means for the loop — a
 * write parked on a TODO in review lends its session slot to that review, which must not wait for
 * the slot the write holds.
 */
import type { OrchestratorEvent } from "../domain/events";
import type { TodoState } from "../domain/state";
import type { FileLocks } from "../todo/fileLocks";
import type { SessionPermissionRule } from "../engine/turn";
import { FileScopes, type ScopeAnswer, type ScopeOptions } from "./fileScopes";

export interface ScopeAnswersDeps {
  missionId: string;
  locks: FileLocks;
  /** The scopes' options, but for what the answers know of the mission's TODOs (their titles, whether one was sent back). */
  scopes: Omit<ScopeOptions, "titleOf" | "sentBack">;
  todo(id: string): TodoState | undefined;
  /** Aborted when the mission halts: a write waiting for its holder is refused then. */
  signal: AbortSignal;
  halted(): boolean;
  /** Journals an answer; called inside the event dispatch, so it must not throw (a failure halts the mission). */
  journal(event: OrchestratorEvent): void;
  /** A write now waits on another TODO's files: a holder in review may be due for it now. */
  wake(): void;
}

export class ScopeAnswers {
  /** The running Worker sessions and their TODO: whose file scope an edit ask is about. */
  private readonly workers = new Map<string, string>();
  private readonly scopes: FileScopes;

  constructor(private readonly deps: ScopeAnswersDeps) {
    this.scopes = new FileScopes(deps.locks, {
      ...deps.scopes,
      titleOf: (id) => deps.todo(id)?.title ?? id,
      sentBack: (id) => deps.todo(id)?.status === "pending",
    });
  }

  /** A Worker's session rules for its TODO's files (FileScopes.rulesFor). */
  rulesFor(files: readonly string[]): SessionPermissionRule[] {
    return this.scopes.rulesFor(files);
  }

  /** The TODO let go of its files (accepted, or out of the plan's way): the writes waiting on them go ahead. */
  released(todoId: string): void {
    this.scopes.release(todoId);
  }

  /** The TODO was sent back and keeps its files: the writes waiting on them are refused. */
  sentBack(todoId: string): void {
    this.scopes.sentBack(todoId);
  }

  workerStarted(sessionId: string, todoId: string): void {
    this.workers.set(sessionId, todoId);
  }

  /** A session's turn ended: its asks are no longer a Worker's, and a write it waited for is not its next attempt's (that asks again in its own session). */
  sessionEnded(sessionId: string): void {
    this.workers.delete(sessionId);
    this.scopes.sessionEnded(sessionId);
  }

  /** An edit ask from one of this mission's Worker sessions, outside its TODO's files; undefined: not a scope question, the user's to answer. */
  answer(sessionId: string, permission: string, paths: readonly string[]): Promise<ScopeAnswer> | undefined {
    const { scopes } = this;
    const { missionId } = this.deps;
    const todoId = this.workers.get(sessionId);
    if (!todoId || permission !== "edit") return undefined;
    // A stopping mission writes nothing more; the ask must not reach the user, who could allow it "always".
    if (this.deps.halted()) return Promise.resolve({ reply: "reject", message: "The mission stopped." });
    const files = [...paths];
    const before = scopes.waiting;
    const answer = scopes.decide(todoId, files, this.deps.signal, sessionId);
    if (!answer) return undefined; // the user's own rules ask, or the file configures the tools: the user decides
    if (scopes.waiting > before) {
      const holder = files.map((f) => this.deps.locks.holderOf(f)).find((h) => h && h !== todoId);
      this.deps.journal({ type: "scope.decided", missionId, todoId, files, answer: "waiting", holder });
      this.deps.wake();
    }
    // A granted write is made by a tool, whose part names the file: the TODO's diff covers it without more.
    void answer.then((a) => {
      if (!this.deps.halted()) this.deps.journal({ type: "scope.decided", missionId, todoId, files, answer: a.reply === "once" ? "granted" : "refused" });
    });
    return answer;
  }

  /** Writes parked on TODOs in review: how many sessions they hold (one slot each to lend), and the TODOs they wait for. */
  parkedOnReview(): { slots: number; holders: Set<string> } {
    const holders = new Set<string>();
    const sessions = new Set<string>();
    for (const wait of this.scopes.waits()) {
      const inReview = wait.holders.filter((h) => this.deps.todo(h)?.status === "review");
      for (const h of inReview) holders.add(h);
      if (inReview.length) sessions.add(wait.sessionId ?? wait.todoId);
    }
    return { slots: sessions.size, holders };
  }
}
