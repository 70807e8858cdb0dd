/**
 * One subscription to a server's event stream, kept alive for the server's lifetime.
 * OpenCode's SSE stream has no replay ids and may end cleanly without an error, so this
 * reconnects by itself and tells consumers when to resync what they might have missed.
 */
import type { OpencodeClient } from "@opencode-ai/sdk/v2";
import { toDisposable, type Disposable } from "../common/disposable";
import type { Logger } from "../common/logger";
import { EventRouter, type EventListener, type OpencodeEvent } from "./eventRouter";

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
  /** Wall-clock time of the last event of any kind (heartbeats included). */
  lastEventAt = 0;
  reconnects = 0;

  constructor(
    private readonly client: OpencodeClient,
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
        // sseMaxRetryAttempts 1: the SDK's own retry waits seconds and never tells us to resync.
        const subscription = await this.client.event.subscribe({}, { signal: this.abort.signal, sseMaxRetryAttempts: 1 });
        for await (const event of subscription.stream) {
          this.lastEventAt = Date.now();
          if ((event as OpencodeEvent).type === "server.connected") {
            delay = base;
            this.onConnected();
          }
          this.router.dispatch(event as OpencodeEvent);
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
