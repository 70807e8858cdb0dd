/**
 * Collects "this changed" marks and flushes them at most once per interval, so a burst of hundreds
 * of events a second becomes a few refreshes of only the nodes that changed. No VS Code import:
 * unit-tested with fake timers.
 */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export class Coalescer<K> {
  private keys = new Set<K>();
  private all = false;
  private handle: unknown;

  constructor(
    private readonly flush: (changed: ReadonlySet<K> | "all") => void,
    private readonly intervalMs = 250,
    private readonly timers: Timers = realTimers,
  ) {}

  mark(key: K): void {
    this.keys.add(key);
    this.schedule();
  }

  markAll(): void {
    this.all = true;
    this.schedule();
  }

  private schedule(): void {
    if (this.handle !== undefined) return;
    this.handle = this.timers.setTimeout(() => this.run(), this.intervalMs);
  }

  private run(): void {
    this.handle = undefined;
    const changed: ReadonlySet<K> | "all" = this.all ? "all" : this.keys;
    this.keys = new Set();
    this.all = false;
    if (changed === "all" || changed.size > 0) this.flush(changed);
  }

  dispose(): void {
    if (this.handle !== undefined) this.timers.clearTimeout(this.handle);
    this.handle = undefined;
  }
}
