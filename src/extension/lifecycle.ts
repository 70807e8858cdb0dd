/**
 * One way to give resources back in the extension layer (the pattern of vscode-pull-request-github's
 * src/common/lifecycle.ts): a class extends Disposable and `_register`s what it holds — listeners,
 * emitters, timers, status bar items, panels — and its dispose() gives them all back, newest first,
 * once. No `vscode` import: the view models use it too, and are tested without an editor.
 */

/** Anything that gives a resource back; VS Code's Disposable and the core's subscriptions are ones. */
export interface IDisposable {
  dispose(): unknown;
}

export const toDisposable = (dispose: () => void): IDisposable => ({ dispose });

/** Disposes every item, newest first, and empties the list. */
export function disposeAll(items: IDisposable[]): void {
  while (items.length) items.pop()?.dispose();
}

export abstract class Disposable implements IDisposable {
  private disposed = false;
  private readonly held: IDisposable[] = [];

  /** Holds `value` until this is disposed; a value registered after that is disposed at once. */
  protected _register<T extends IDisposable>(value: T): T {
    if (this.disposed) value.dispose();
    else this.held.push(value);
    return value;
  }

  protected get isDisposed(): boolean {
    return this.disposed;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    disposeAll(this.held);
  }
}
