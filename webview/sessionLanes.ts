/**
 * Which lane of the session timeline each session takes: the first lane free when it starts
 * (greedy interval partitioning), so the lane count is the most sessions that ever ran at once and
 * a session keeps its lane as the mission goes on. Pure: no DOM, unit-tested.
 */

/** A session as the timeline places it: running while it has no end. */
export interface SessionSpan {
  id: string;
  startedAt: number;
  endedAt?: number;
}

export interface LanePlacement<T extends SessionSpan> {
  session: T;
  lane: number;
}

export interface Lanes<T extends SessionSpan> {
  /** Lanes used: the most sessions that overlapped at any moment. */
  count: number;
  /** Every session with its lane (0-based), in order of start. */
  placed: Array<LanePlacement<T>>;
}

export function assignLanes<T extends SessionSpan>(sessions: readonly T[]): Lanes<T> {
  // By start, then id: the same sessions always land in the same lanes.
  const ordered = [...sessions].sort((a, b) => a.startedAt - b.startedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  /** When each lane is free again; a running session holds its lane for good. */
  const freeAt: number[] = [];
  const placed = ordered.map((session) => {
    let lane = freeAt.findIndex((t) => t <= session.startedAt);
    if (lane < 0) lane = freeAt.length;
    freeAt[lane] = session.endedAt ?? Number.POSITIVE_INFINITY;
    return { session, lane };
  });
  return { count: freeAt.length, placed };
}
