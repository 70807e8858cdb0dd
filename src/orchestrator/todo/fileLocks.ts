/** File-scope locks: a TODO runs only when none of its files is held by a running TODO. */
export class FileLocks {
  private readonly holders = new Map<string, string>();

  private static key(file: string): string {
    return file.replace(/\\/g, "/").replace(/^\.\//, "").replace(/\/+/g, "/");
  }

  canAcquire(files: readonly string[]): boolean {
    return files.every((f) => !this.holders.has(FileLocks.key(f)));
  }

  /** Takes all the files or none. */
  tryAcquire(todoId: string, files: readonly string[]): boolean {
    if (!this.canAcquire(files)) return false;
    for (const f of files) this.holders.set(FileLocks.key(f), todoId);
    return true;
  }

  release(todoId: string): void {
    for (const [file, holder] of this.holders) if (holder === todoId) this.holders.delete(file);
  }

  holderOf(file: string): string | undefined {
    return this.holders.get(FileLocks.key(file));
  }

  get size(): number {
    return this.holders.size;
  }
}
