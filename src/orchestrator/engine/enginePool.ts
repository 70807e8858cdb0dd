/**
 * The engine a mission runs on: a pool of OpenCode servers for one workspace. One `opencode serve`
 * is bound to about one core (docs/benchmarks.md), so parallel sessions are spread over several.
 * A new session goes to the least-loaded live member (placement.ts); everything about a session
 * after that (its next turns, its abort) goes to the member that owns it. When a member's server
 * exits, its turns in flight fail at once (ServerUnreachableError), the recovery policy redoes them
 * in new sessions on the other members, and the member is started again (at most `maxRestarts`
 * times per mission). A pool of one is the single engine of before: its turns wait for the restart.
 */
import { toDisposable, type Disposable } from "../common/disposable";
import type { Logger } from "../common/logger";
import { ServerUnreachableError } from "./errors";
import { placeSession, type MemberState } from "./placement";
import type { PoolMember } from "./poolMember";
import { turnFailed, type TurnOutcome, type TurnRequest } from "./turn";
import type { TurnRunner } from "./turnRunner";

export interface EnginePoolOptions<M extends PoolMember> {
  /** Members at most (orchestrator.servers, resolved: poolSize.ts). */
  size: number;
  /** Starts member `index` (0-based): the first time, or again after its server exited. */
  start: (index: number) => Promise<M>;
  /** Member 0, already running (the provider starts it first, to read the server's configuration). */
  first?: M;
  logger: Logger;
  /** Starts after a crash, per member, until renewRestarts(). */
  maxRestarts?: number;
  /** Turns every running member takes before the next member is started (default 1: a member per concurrent turn). */
  perMember?: number;
}

interface Slot<M> {
  readonly index: number;
  member?: M;
  starting?: Promise<M>;
  /** `starting` is a start after a crash. */
  restarting: boolean;
  /** A server ran (or failed to start) here: the next start is a restart, and counts. */
  ran: boolean;
  restarts: number;
  /** Turns placed here and not finished, those waiting for its start included. */
  load: number;
}

/** Sessions remembered for routing; the oldest are forgotten first (a mission's live ones are far fewer). */
const OWNERS_KEPT = 20_000;

export class EnginePool<M extends PoolMember = PoolMember> implements TurnRunner, Disposable {
  private readonly slots: Array<Slot<M>>;
  private readonly owners = new Map<string, { slot: Slot<M>; member: M }>();
  private readonly listeners = new Set<(member: M, index: number) => void>();
  /** Turns waiting for a member's start, told when a running member has room again. */
  private readonly idleWaiters = new Set<() => void>();
  private readonly maxRestarts: number;
  private stopped = false;

  constructor(private readonly options: EnginePoolOptions<M>) {
    if (!Number.isInteger(options.size) || options.size < 1) throw new Error(`An engine pool needs at least one member (got ${options.size}).`);
    this.maxRestarts = options.maxRestarts ?? 3;
    this.slots = Array.from({ length: options.size }, (_, index) => ({ index, restarting: false, ran: false, restarts: 0, load: 0 }));
    if (options.first) this.adopt(this.slots[0] as Slot<M>, options.first);
  }

  get size(): number {
    return this.slots.length;
  }

  /** Starts after a crash so far, all members together. */
  get restarts(): number {
    return this.slots.reduce((sum, s) => sum + s.restarts, 0);
  }

  /** The running members with their index (0-based). */
  members(): Array<{ index: number; member: M }> {
    return this.slots.filter((s) => s.member?.alive).map((s) => ({ index: s.index, member: s.member as M }));
  }

  /** Turns in flight per member, by index. */
  loads(): number[] {
    return this.slots.map((s) => s.load);
  }

  /** The member a session was created on, while that member runs. */
  ownerOf(sessionId: string): { index: number; member: M } | undefined {
    const owner = this.owners.get(sessionId);
    return owner && owner.slot.member === owner.member && owner.member.alive ? { index: owner.slot.index, member: owner.member } : undefined;
  }

  /** Told each member that starts running, the first time or after a crash (the host follows its events). */
  onMember(listener: (member: M, index: number) => void): Disposable {
    this.listeners.add(listener);
    return toDisposable(() => this.listeners.delete(listener));
  }

  /** A new mission: each member may be restarted `maxRestarts` times again. */
  renewRestarts(): void {
    for (const slot of this.slots) slot.restarts = 0;
  }

  /** Starts members that never ran until `count` run, without waiting for a wave to need them (benchmarks, a warm window). */
  async ensureMembers(count: number): Promise<void> {
    const wanted = this.slots.slice(0, count).filter((s) => this.stateOf(s) === "idle" || s.starting);
    await Promise.all(wanted.map((s) => s.starting ?? this.startSlot(s)));
  }

  /** Never rejects: a turn that finds no server is a failed outcome, as is one that failed on its member. */
  async runTurn<T>(request: TurnRequest<T>): Promise<TurnOutcome<T>> {
    const started = Date.now();
    if (request.sessionId !== undefined) return this.continueTurn(request, request.sessionId, started);
    let placed: { slot: Slot<M> };
    try {
      // Placed and counted before the first await: a wave of turns asked for in one tick spreads out.
      placed = { slot: this.place() };
    } catch (error) {
      return turnFailed(error, started);
    }
    placed.slot.load++;
    try {
      const member = await this.ready(placed);
      const slot = placed.slot;
      // Only the session hook is wrapped: the rest of the request (its permission rules) reaches session creation as it is.
      return await member.runTurn({ ...request, onSession: (sessionId) => (this.own(sessionId, slot, member), request.onSession?.(sessionId)) });
    } catch (error) {
      return turnFailed(error, started);
    } finally {
      this.release(placed.slot);
    }
  }

  /**
   * The member a placed turn runs on. A turn placed on a member that is still starting waits for it,
   * unless a running member has room again first (below its share of turns): then it goes there, so
   * a start (seconds, and the new server's first turn loads its providers) never holds up a turn
   * another server can take now. Its session is created only once it has a running member, and stays there.
   */
  private async ready(placed: { slot: Slot<M> }): Promise<M> {
    for (;;) {
      const slot = placed.slot;
      if (slot.member?.alive && !slot.starting) return slot.member;
      const starting = slot.starting ?? this.startSlot(slot);
      let wake!: () => void;
      const idle = new Promise<"idle">((resolve) => (wake = () => resolve("idle")));
      this.idleWaiters.add(wake);
      let outcome: "started" | "idle" | "failed";
      try {
        outcome = await Promise.race([starting.then(() => "started" as const), idle]);
      } catch (error) {
        outcome = "failed";
        if (!this.leastLoadedLive()) throw error; // nowhere else to go: the turn fails, the recovery policy retries it
      } finally {
        this.idleWaiters.delete(wake);
      }
      if (outcome === "started") continue;
      const other = this.leastLoadedLive(outcome === "idle" ? this.perMember : Number.POSITIVE_INFINITY);
      if (other) {
        slot.load--;
        other.load++;
        placed.slot = other;
      }
    }
  }

  /** A turn left its member: a running member with room again takes the turns waiting for a start. */
  private release(slot: Slot<M>): void {
    slot.load--;
    if (slot.load < this.perMember && slot.member?.alive && !slot.starting && this.idleWaiters.size > 0) {
      const waiting = [...this.idleWaiters];
      this.idleWaiters.clear();
      for (const wake of waiting) wake();
    }
  }

  /** The running member with the fewest turns, if it has fewer than `below`. */
  private leastLoadedLive(below = Number.POSITIVE_INFINITY): Slot<M> | undefined {
    let best: Slot<M> | undefined;
    for (const s of this.slots) if (s.member?.alive && !s.starting && s.load < below && (!best || s.load < best.load)) best = s;
    return best;
  }

  private get perMember(): number {
    return this.options.perMember ?? 1;
  }

  async abortSession(sessionId: string): Promise<void> {
    const owner = this.owners.get(sessionId);
    const member = owner ? owner.member : this.slots[0]?.member;
    if (member?.alive) await member.abortSession(sessionId);
  }

  /** Stops every member; nothing is started or restarted after. */
  async stop(graceMs?: number): Promise<void> {
    this.stopped = true;
    this.owners.clear();
    await Promise.all(
      this.slots.map(async (slot) => {
        const member = slot.starting ? await slot.starting.catch(() => undefined) : slot.member;
        await member?.stop(graceMs);
      }),
    );
  }

  dispose(): void {
    void this.stop();
  }

  /** A turn in an existing session goes to the member that holds the session, or nowhere. */
  private async continueTurn<T>(request: TurnRequest<T>, sessionId: string, started: number): Promise<TurnOutcome<T>> {
    // A session the pool did not create (an engine of one handed in with its history) is member 0's.
    const owner = this.owners.get(sessionId) ?? (this.slots[0]?.member && { slot: this.slots[0], member: this.slots[0].member });
    if (!owner || !owner.member.alive || owner.slot.member !== owner.member) {
      return turnFailed(new ServerUnreachableError(`Session ${sessionId} was on OpenCode server ${(owner?.slot.index ?? 0) + 1}, which exited; its turn goes on in a new session.`), started, undefined, sessionId);
    }
    owner.slot.load++;
    try {
      return await owner.member.runTurn(request);
    } finally {
      this.release(owner.slot);
    }
  }

  private stateOf(slot: Slot<M>): MemberState {
    if (this.stopped) return "out";
    if (slot.starting) return slot.restarting ? "restarting" : "starting";
    if (slot.member?.alive) return "live";
    if (!slot.ran) return "idle";
    return slot.restarts < this.maxRestarts ? "dead" : "out";
  }

  private place(): Slot<M> {
    const placement = placeSession(this.slots.map((s) => ({ state: this.stateOf(s), load: s.load })), this.perMember);
    if (!placement) {
      throw new ServerUnreachableError(this.stopped ? "The OpenCode servers were stopped." : `OpenCode exited ${this.maxRestarts + 1} times during this mission${this.size > 1 ? " on every server" : ""}; not starting it again.`);
    }
    const slot = this.slots[placement.index] as Slot<M>;
    if (placement.start) {
      if (!slot.ran) this.options.logger.info(`Every running OpenCode server has ${this.perMember} turn(s) or more: the pool grows`);
      void this.startSlot(slot).catch(() => undefined); // the turn awaits slot.starting
    }
    return slot;
  }

  /** Starts a member (a restart when one ran there before); concurrent callers share the start. */
  private startSlot(slot: Slot<M>): Promise<M> {
    if (slot.starting) return slot.starting;
    const n = `OpenCode server ${slot.index + 1}${this.size > 1 ? ` of ${this.size}` : ""}`;
    if (slot.ran) {
      if (slot.restarts >= this.maxRestarts) return Promise.reject(new ServerUnreachableError(`${n} exited ${slot.restarts + 1} times during this mission; not starting it again.`));
      slot.restarts++;
      slot.restarting = true;
      this.options.logger.warn(`Restarting ${n} (restart ${slot.restarts} of ${this.maxRestarts})`);
    } else if (slot.index > 0) {
      this.options.logger.info(`Starting ${n}`);
    }
    // Settled here, before anyone awaiting the start resumes: they find the member running, not still starting.
    const settle = () => {
      if (slot.starting === starting) {
        slot.starting = undefined;
        slot.restarting = false;
      }
    };
    const starting: Promise<M> = this.options.start(slot.index).then(
      (member) => {
        settle();
        if (this.stopped) {
          void member.stop();
          throw new ServerUnreachableError("The OpenCode servers were stopped.");
        }
        this.adopt(slot, member);
        return member;
      },
      (error: unknown) => {
        settle();
        slot.ran = true; // a member that cannot start is tried again only as a restart, within the budget
        this.options.logger.error(`${n} did not start: ${(error as Error).message}`);
        throw error;
      },
    );
    slot.starting = starting;
    return starting;
  }

  private adopt(slot: Slot<M>, member: M): void {
    slot.member = member;
    slot.ran = true;
    if (member.lost.aborted) queueMicrotask(() => this.onLost(slot, member));
    else member.lost.addEventListener("abort", () => this.onLost(slot, member), { once: true });
    for (const listener of [...this.listeners]) listener(member, slot.index);
  }

  private onLost(slot: Slot<M>, member: M): void {
    if (this.stopped || slot.member !== member) return;
    for (const [id, owner] of this.owners) if (owner.member === member) this.owners.delete(id);
    const busy = slot.load > 0;
    this.options.logger.warn(`OpenCode server ${slot.index + 1}${this.size > 1 ? ` of ${this.size}` : ""} exited${busy ? ` with ${slot.load} turn(s) in flight; they go on in new sessions` : ""}`);
    // A member the mission was using comes back at once; an idle one when the next wave needs it.
    if (busy && slot.restarts < this.maxRestarts) void this.startSlot(slot).catch(() => undefined);
  }

  private own(sessionId: string, slot: Slot<M>, member: M): void {
    this.owners.set(sessionId, { slot, member });
    if (this.owners.size > OWNERS_KEPT) this.owners.delete(this.owners.keys().next().value as string);
  }
}
