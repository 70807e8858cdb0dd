/**
 * Where a new session goes in the pool. Pure: the pool hands it each member's state and load (turns
 * placed there and not finished), so every rule can be unit-tested without a server.
 */

/**
 * - idle: never started (the wave has not needed it yet)
 * - starting: its first start is under way
 * - live: running
 * - restarting: its server exited with turns in flight and is being started again
 * - dead: its server exited while idle; it may be started again when needed
 * - out: no more starts for it (its restarts are spent, or it cannot start)
 */
export type MemberState = "idle" | "starting" | "live" | "restarting" | "dead" | "out";

export interface MemberLoad {
  state: MemberState;
  load: number;
}

/** The member to use, and whether it must be started first. */
export interface Placement {
  index: number;
  start: boolean;
}

/**
 * The least-loaded live member (a member still starting counts, with the turns already waiting for
 * it). Another member is started only when every running one already has `perMember` turns: a
 * mission that runs few sessions at once never pays for a second server's start, a wide wave spreads
 * over the whole pool. A member being restarted after a crash takes new sessions only when no other
 * member runs: its turns fail over to the others meanwhile. Ties go to a live member, then the lowest
 * index. Undefined: no member can take a session.
 */
export function placeSession(members: readonly MemberLoad[], perMember = 1): Placement | undefined {
  const best = leastLoaded(members, (m) => m.state === "live" || m.state === "starting");
  if (best !== undefined && (members[best] as MemberLoad).load < perMember) return { index: best, start: false };
  const spare = members.findIndex((m) => m.state === "idle");
  if (spare >= 0) return { index: spare, start: true };
  const stopped = members.findIndex((m) => m.state === "dead");
  if (stopped >= 0) return { index: stopped, start: true };
  if (best !== undefined) return { index: best, start: false };
  const restarting = leastLoaded(members, (m) => m.state === "restarting");
  return restarting === undefined ? undefined : { index: restarting, start: false };
}

function leastLoaded(members: readonly MemberLoad[], eligible: (m: MemberLoad) => boolean): number | undefined {
  let best: number | undefined;
  members.forEach((m, i) => {
    if (!eligible(m)) return;
    const b = best === undefined ? undefined : (members[best] as MemberLoad);
    if (!b || m.load < b.load || (m.load === b.load && m.state === "live" && b.state !== "live")) best = i;
  });
  return best;
}
