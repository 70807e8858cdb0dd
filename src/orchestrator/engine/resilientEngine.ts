/**
 * One engine that survives the death of its OpenCode server: a pool of one. When the server exits
 * (crash, SIGKILL, out of memory), turns in flight fail at once with ServerUnreachableError, the
 * recovery policy retries them, and they wait for a new server (at most `maxRestarts` per
 * mission). Work already written to the workspace stays; the TODOs continue in new sessions.
 */
import type { Logger } from "../logger";
import type { Disposable } from "../disposable";
import type { Engine } from "./engine";
import { EnginePool } from "./enginePool";

export class ResilientEngine extends EnginePool<Engine> {
  constructor(first: Engine, start: () => Promise<Engine>, logger: Logger, maxRestarts = 3) {
    super({ size: 1, first, start: () => start(), logger, maxRestarts });
  }

  /** The engine now: the first, or the one started after the last crash. */
  get engine(): Engine {
    return this.memberAt(0) as Engine;
  }

  /** Told each new engine after a restart (views re-subscribe to its events). */
  onRestart(listener: (engine: Engine) => void): Disposable {
    return this.onMember((engine) => listener(engine));
  }
}
