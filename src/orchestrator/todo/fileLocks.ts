/**
 * File-scope locks: a TODO runs only when none of its files is held by another TODO. A TODO holds
 * its files from its first attempt until it is accepted (or fails, is replaced or skipped): a file
 * changed by another while its TODO waits for review would make the review judge text that is gone.
 */
import { workspacePath } from "../workspace/workspacePath";

export class FileLocks {
  private readonly holders = new Map<string, string>();

  /** `workspace`: absolute paths inside it are the same files as their relative spelling. */
  constructor(private readonly workspace?: string) {}

  private key(file: string): string {
    return workspacePath(file, this.workspace);
  }

  /** Whether all `files` are free (or already `todoId`'s: a TODO sent back keeps its files for its next attempt). */
  canAcquire(files: readonly string[], todoId?: string): boolean {
    return files.every((f) => {
      const holder = this.holders.get(this.key(f));
      return holder === undefined || holder === todoId;
    });
  }

  /** Takes all the files or none. */
  tryAcquire(todoId: string, files: readonly string[]): boolean {
    if (!this.canAcquire(files, todoId)) return false;
    for (const f of files) this.holders.set(this.key(f), todoId);
    return true;
  }

  /** Adds files to a running TODO's scope: all of them or none, where any is held by another TODO. */
  tryAcquireMore(todoId: string, files: readonly string[]): boolean {
    if (files.some((f) => (this.holders.get(this.key(f)) ?? todoId) !== todoId)) return false;
    for (const f of files) this.holders.set(this.key(f), todoId);
    return true;
  }

  release(todoId: string): void {
    for (const [file, holder] of this.holders) if (holder === todoId) this.holders.delete(file);
  }

  holderOf(file: string): string | undefined {
    return this.holders.get(this.key(file));
  }

  get size(): number {
    return this.holders.size;
  }
}
