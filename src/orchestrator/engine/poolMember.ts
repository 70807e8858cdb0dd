/**
 * One member of the engine pool, as the pool and the host see it: an OpenCode server reached over
 * HTTP through the port (its adapter, whichever OpenCode it is) with its own event stream. Nothing
 * here says the server is a local process (the Engine that started it stops it), so a member can
 * later be a server on another machine.
 */
import type { ServerCredentials } from "./client";
import type { EngineApi } from "./engineApi";
import type { EventStream } from "./eventStream";
import type { TurnRunner } from "./turnRunner";

export interface PoolMember extends TurnRunner {
  readonly credentials: ServerCredentials;
  readonly api: EngineApi;
  /** This member's own event stream: every event of its sessions arrives here, and only here. */
  readonly events: EventStream;
  /** False once the member is gone (its server exited) or stopped. */
  readonly alive: boolean;
  /** Fires when the member is gone without being asked to stop. */
  readonly lost: AbortSignal;
  stop(graceMs?: number): Promise<void>;
}
