/**
 * The engine a mission runs on, surviving the death of its OpenCode server: when the server exits
 * (crash, SIGKILL, out of memory), turns in flight fail at once with ServerUnreachableError, the
 * recovery policy retries them, and the next turn starts a new server (at most `maxRestarts` per
 * mission). Work already written to the workspace stays; the TODOs continue in new sessions.
 */
import type { Logger } from "../logger";
import type { TurnRunner } from "./turnRunner";
import type { Engine } from "./engine";
import { ServerUnreachableError } from "./errors";
import type { TurnRequest, TurnResult } from "./turn";

export class ResilientEngine implements TurnRunner {
  private current: Engine;
  private restarting?: Promise<Engine>;
  private readonly listeners = new Set<(engine: Engine) => void>();
  restarts = 0;

  constructor(
    first: Engine,
    private readonly start: () => Promise<Engine>,
    private readonly logger: Logger,
    private readonly maxRestarts = 3,
  ) {
    this.current = first;
  }

  get engine(): Engine {
    return this.current;
  }

  /** Told each new engine after a restart (views re-subscribe to its events). */
  onRestart(listener: (engine: Engine) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private async live(): Promise<Engine> {
    if (this.current.alive) return this.current;
    this.restarting ??= (async () => {
      if (this.restarts >= this.maxRestarts) throw new ServerUnreachableError(`OpenCode exited ${this.restarts + 1} times during this mission; not starting it again.`);
      this.restarts += 1;
      this.logger.warn(`Restarting OpenCode (restart ${this.restarts} of ${this.maxRestarts})`);
      const engine = await this.start();
      this.current = engine;
      for (const listener of [...this.listeners]) listener(engine);
      return engine;
    })().finally(() => (this.restarting = undefined));
    return this.restarting;
  }

  async runTurn<T>(request: TurnRequest<T>): Promise<TurnResult<T>> {
    return (await this.live()).runTurn(request);
  }

  async abortSession(sessionId: string): Promise<void> {
    if (this.current.alive) await this.current.abortSession(sessionId);
  }
}
