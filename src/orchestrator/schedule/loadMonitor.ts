/**
 * Tells a stall from an overloaded server. One silent turn is a stall: its session is aborted and
 * the turn retried. Many turns silent at once mean the server (or the model behind it) cannot keep
 * up: aborting them all only adds their retries to the load (at 50 sessions this once snowballed
 * into 109 aborts and a failed mission). Then the silent turns get more time — up to
 * `maxGraceFactor` × the liveness limit — and the parallel limit is lowered instead, so fewer
 * sessions compete until the server catches up.
 */
export interface TurnWatch {
  /** The turn's current silence (ms), reported at each watchdog tick. */
  silent(sessionId: string, silentMs: number): void;
  /** The turn is past its liveness limit: abort it (a stall), or give it more time (overload)? */
  shouldAbort(sessionId: string, silentMs: number, livenessMs: number): boolean;
  ended(sessionId: string): void;
}

/** This many turns silent past half their limit at once, and at least this share of those running: overload. */
export const OVERLOAD_MIN_TURNS = 3;
const OVERLOAD_SHARE = 1 / 3;

export class LoadMonitor implements TurnWatch {
  private readonly silence = new Map<string, number>();
  /** When turns were judged stalled: a turn aborted a moment ago was silent at the same time as those silent now. */
  private stalls: number[] = [];
  private lastOverloadAt = -Infinity;

  constructor(
    /** Told once per burst: the server is overloaded with `silentTurns` turns waiting. */
    private readonly onOverload: (silentTurns: number) => void,
    private readonly maxGraceFactor = 4,
    private readonly now: () => number = Date.now,
  ) {}

  silent(sessionId: string, silentMs: number): void {
    this.silence.set(sessionId, silentMs);
  }

  ended(sessionId: string): void {
    this.silence.delete(sessionId);
  }

  shouldAbort(sessionId: string, silentMs: number, livenessMs: number): boolean {
    this.silence.set(sessionId, silentMs);
    const now = this.now();
    // A turn aborted within the last two liveness periods was silent alongside those silent now.
    this.stalls = this.stalls.filter((at) => now - at < 2 * livenessMs);
    const silentTurns = [...this.silence.values()].filter((ms) => ms > livenessMs / 2).length + this.stalls.length;
    const burst = silentTurns >= OVERLOAD_MIN_TURNS && silentTurns >= (this.silence.size + this.stalls.length) * OVERLOAD_SHARE;
    // After a burst the limit is lower, so fewer turns can be silent at once: the server counts as
    // overloaded until it has been quiet for the grace period, or the lowered limit would hide the load.
    const recovering = now - this.lastOverloadAt < livenessMs * this.maxGraceFactor;
    if (!(burst || recovering) || silentMs > livenessMs * this.maxGraceFactor) {
      this.stalls.push(now);
      return true;
    }
    // One signal per burst: the limit is lowered once, not once per silent turn.
    if (burst && now - this.lastOverloadAt > livenessMs) {
      this.lastOverloadAt = now;
      this.onOverload(silentTurns);
    }
    return false;
  }
}
