/**
 * Demultiplexes OpenCode's single event stream by session id, so that each turn sees only its
 * own session's events and thousands of sessions cost one map lookup per event.
 */
import { toDisposable, type Disposable } from "../common/disposable";
import type { EngineEvent } from "./engineEvents";

/** An event of a server, in the port's vocabulary (engineEvents.ts), whichever OpenCode sent it. */
export type OpencodeEvent = EngineEvent;
export type EventListener = (event: OpencodeEvent) => void;

/** The session an event belongs to, wherever OpenCode put the id in that event type. */
export function sessionIdOf(event: OpencodeEvent): string | undefined {
  const props = (event as { properties?: Record<string, unknown> }).properties;
  if (!props) return undefined;
  if (typeof props.sessionID === "string") return props.sessionID;
  const nested = (props.info ?? props.part) as { sessionID?: unknown } | undefined;
  return typeof nested?.sessionID === "string" ? nested.sessionID : undefined;
}

export class EventRouter {
  private readonly bySession = new Map<string, Set<EventListener>>();
  private readonly all = new Set<EventListener>();

  onSession(sessionId: string, listener: EventListener): Disposable {
    let set = this.bySession.get(sessionId);
    if (!set) this.bySession.set(sessionId, (set = new Set()));
    set.add(listener);
    return toDisposable(() => {
      set.delete(listener);
      if (set.size === 0 && this.bySession.get(sessionId) === set) this.bySession.delete(sessionId);
    });
  }

  onAny(listener: EventListener): Disposable {
    this.all.add(listener);
    return toDisposable(() => this.all.delete(listener));
  }

  /** How many sessions have listeners: listeners must not outlive their turns. */
  get sessionCount(): number {
    return this.bySession.size;
  }

  dispatch(event: OpencodeEvent): void {
    for (const listener of this.all) listener(event);
    const id = sessionIdOf(event);
    if (id === undefined) return;
    const set = this.bySession.get(id);
    if (!set) return;
    // Copy: a listener may dispose itself (a turn that just finished) while we iterate.
    for (const listener of [...set]) listener(event);
  }
}
