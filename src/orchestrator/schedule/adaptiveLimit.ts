/**
 * How many sessions may run at once: the configured maximum, halved on a rate-limit signal and
 * raised back one step per success, so a provider's limits are respected without manual tuning.
 */
export const MAX_PARALLEL_SESSIONS = 50;

export class AdaptiveLimit {
  private value: number;

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1 || max > MAX_PARALLEL_SESSIONS) throw new Error(`maxParallelSessions must be 1–${MAX_PARALLEL_SESSIONS}, got ${max}`);
    this.value = max;
  }

  get current(): number {
    return this.value;
  }

  onRateLimit(): void {
    this.value = Math.max(1, Math.floor(this.value / 2));
  }

  /** The server cannot keep up: fewer sessions at once (never below one). */
  onOverload(): void {
    this.onRateLimit();
  }

  onSuccess(): void {
    this.value = Math.min(this.max, this.value + 1);
  }
}
