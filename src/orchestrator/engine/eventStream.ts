/**
 * One subscription to a server's event stream, kept alive for the server's lifetime.
 * OpenCode's SSE stream has no replay ids and may end cleanly without an error, so this
 * reconnects by itself and tells consumers when to resync what they might have missed.
 * The connection itself is the adapter's (EngineApi.events): events arrive in the port's vocabulary.
 */
import { toDisposable, type Disposable } from "../common/disposable";
import type { Logger } from "../common/logger";
import type { EngineApi } from "./engineApi";
import { EventRouter, type EventListener } from "./eventRouter";

export interface EventStreamOptions {
  /** First reconnect delay; doubles up to maxReconnectDelayMs. */
  reconnectDelayMs?: number;
  maxReconnectDelayMs?: number;
}

export class EventStream implements Disposable {
  readonly router = new EventRouter();
  private readonly abort = new AbortController();
  private readonly reconnectListeners = new Set<() => void>();
  private connectedOnce = false;
  private firstConnect!: () => void;
  private readonly connected = new Promise<void>((resolve) => (this.firstConnect = resolve));
  /** Wall-clock time of the last sign of the stream (events, heartbeats, keep-alive comments). */
  lastEventAt = 0;
  reconnects = 0;

  constructor(
    private readonly source: Pick<EngineApi, "events">,
    private readonly logger: Logger,
    private readonly options: EventStreamOptions = {},
  ) {}

  /** Starts the loop; resolves once the first connection is up (so no event of a turn is missed). */
  start(): Promise<void> {
    void this.loop();
    return this.connected;
  }

  onSession(sessionId: string, listener: EventListener): Disposable {
    return this.router.onSession(sessionId, listener);
  }

  onAny(listener: EventListener): Disposable {
    return this.router.onAny(listener);
  }

  /** Called after each reconnect: events may have been lost in the gap. */
  onReconnect(listener: () => void): Disposable {
    this.reconnectListeners.add(listener);
    return toDisposable(() => this.reconnectListeners.delete(listener));
  }

  dispose(): void {
    this.abort.abort();
    this.reconnectListeners.clear();
  }

  private async loop(): Promise<void> {
    const base = this.options.reconnectDelayMs ?? 100;
    let delay = base;
    while (!this.abort.signal.aborted) {
      try {
        for await (const event of this.source.events(this.abort.signal, () => (this.lastEventAt = Date.now()))) {
          this.lastEventAt = Date.now();
          if (event.type === "server.connected") {
            delay = base;
            this.onConnected();
          }
          this.router.dispatch(event);
        }
        if (!this.abort.signal.aborted) this.logger.debug("OpenCode event stream ended; reconnecting");
      } catch (error) {
        if (this.abort.signal.aborted) break;
        this.logger.debug(`OpenCode event stream failed (${(error as Error).message}); reconnecting`);
      }
      if (this.abort.signal.aborted) break;
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, this.options.maxReconnectDelayMs ?? 5000);
    }
  }

  private onConnected(): void {
    if (!this.connectedOnce) {
      this.connectedOnce = true;
      this.firstConnect();
      return;
    }
    this.reconnects++;
    this.logger.info(`OpenCode event stream reconnected (${this.reconnects})`);
    for (const listener of [...this.reconnectListeners]) listener();
  }
}
