/**
 * A wave of Workers that finish together asks for their diffs together, most between the same two
 * checkpoints (their checkpoints are coalesced). One git diff over the union of their paths serves
 * them all: a wave of 50 costs one diff, not 50 — each is a git process on a machine of two cores.
 */
import type { FileChange } from "../domain/state";

type Diff = (from: string, to: string, paths: readonly string[]) => Promise<FileChange[]>;

interface Pending {
  paths: Set<string>;
  waiters: Array<{ paths: ReadonlySet<string>; resolve: (files: FileChange[]) => void; reject: (error: unknown) => void }>;
}

export class DiffBatch {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly diff: Diff) {}

  /** The changes of `paths` between two checkpoints; asked in the same turn of the event loop, asked once. */
  request(from: string, to: string, paths: readonly string[]): Promise<FileChange[]> {
    const key = `${from}..${to}`;
    let batch = this.pending.get(key);
    if (!batch) {
      const created: Pending = { paths: new Set(), waiters: [] };
      this.pending.set(key, created);
      batch = created;
      setImmediate(() => void this.flush(key, from, to, created));
    }
    for (const p of paths) batch.paths.add(p);
    return new Promise((resolve, reject) => batch.waiters.push({ paths: new Set(paths), resolve, reject }));
  }

  private async flush(key: string, from: string, to: string, batch: Pending): Promise<void> {
    this.pending.delete(key);
    try {
      const files = batch.paths.size ? await this.diff(from, to, [...batch.paths]) : [];
      for (const w of batch.waiters) w.resolve(files.filter((f) => w.paths.has(f.path)));
    } catch (error) {
      for (const w of batch.waiters) w.reject(error);
    }
  }
}
