/** Anything that holds a resource (listener, timer, process) gives it back through dispose(). */
export interface Disposable {
  dispose(): void;
}

export const toDisposable = (fn: () => void): Disposable => ({ dispose: fn });

/** Holds disposables and disposes them together, newest first. */
export class DisposableStore implements Disposable {
  private readonly items: Disposable[] = [];
  private disposed = false;

  add<T extends Disposable>(item: T): T {
    if (this.disposed) item.dispose();
    else this.items.push(item);
    return item;
  }

  dispose(): void {
    this.disposed = true;
    while (this.items.length) this.items.pop()?.dispose();
  }
}
