/**
 * An in-process stand-in for the engine, for core unit tests and benchmarks that measure the
 * orchestrator alone (no network, no model). E2E tests use the real OpenCode server instead.
 */
import type { TurnRunner } from "../../src/orchestrator/engine/turnRunner";
import { turnFailed, type TurnOutcome, type TurnRequest } from "../../src/orchestrator/engine/turn";
import { noWork } from "../../src/orchestrator/engine/turnProgress";
import { TurnAbortedError } from "../../src/orchestrator/engine/errors";
import { parseStructured } from "../../src/orchestrator/engine/structuredResult";

/** `request` lets an answer act as the turn would (report a background job it started). */
export type FakeAnswer = (agent: string, prompt: string, request: TurnRequest<unknown>) => unknown | Promise<unknown>;

export class FakeTurnRunner implements TurnRunner {
  readonly calls: Array<{ agent: string; prompt: string; sessionId: string }> = [];
  private next = 0;

  /** `recordCalls: false` keeps no log (a soak must measure the orchestrator's memory, not the fake's). */
  constructor(
    private readonly answer: FakeAnswer,
    private readonly recordCalls = true,
  ) {}

  /** As the real engine's: never rejects; an answer that throws is a failed turn. */
  async runTurn<T>(request: TurnRequest<T>): Promise<TurnOutcome<T>> {
    const started = Date.now();
    const sessionId = request.sessionId ?? `ses_fake_${++this.next}`;
    try {
      request.onSession?.(sessionId);
      if (this.recordCalls) this.calls.push({ agent: request.agent, prompt: request.prompt, sessionId });
      if (request.signal?.aborted) throw new TurnAbortedError(sessionId);
      const value = await this.answer(request.agent, request.prompt, request as TurnRequest<unknown>);
      if (request.signal?.aborted) throw new TurnAbortedError(sessionId);
      // The real runTurn's check, so a result that does not fit the schema fails here as it would there.
      const structured = request.schema ? parseStructured(request.schema, value, sessionId) : undefined;
      return { ok: true, sessionId, text: "", structured, tokens: { input: 10, output: 2, reasoning: 0, cacheRead: 0, cacheWrite: 0 }, cost: 0.001, durationMs: 0, work: noWork() };
    } catch (error) {
      return turnFailed(error, started, noWork(), sessionId);
    }
  }

  async abortSession(): Promise<void> {}
}

export const todoIdsOf = (prompt: string) => [...prompt.matchAll(/<todo id="([^"]+)"/g)].map((m) => m[1] as string);
