/**
 * How many OpenCode servers the pool may run (orchestrator.servers). One server works on about one
 * core, and the rest of a mission needs a core too (the extension host, the checkpoints' git, the
 * commands the agents run). Measured (docs/benchmarks.md, 10): on 16 cores a wave of 60 turns ran
 * 4.6× as fast on 8 servers and 4.5× on 16 (100 turns: 5.7× and 6.7×); on 2 cores a second server
 * gained nothing and its start cost a short mission more than it saved. So `auto` is one server per
 * core but one, never more than sessions that can run at once, at most 16: a single server on 2
 * cores. Members start only when the wave needs them, so a large pool costs nothing while idle.
 */
import { MAX_SERVERS, type ServerCount } from "../settings/settingsTable";

export interface PoolMachine {
  /** CPU cores the extension host's machine offers (os.availableParallelism()). */
  cores: number;
  /** Sessions that may run at once (orchestrator.maxParallelSessions). */
  maxParallelSessions: number;
}

export function poolSize(setting: ServerCount, machine: PoolMachine): number {
  if (setting !== "auto") return Math.min(MAX_SERVERS, Math.max(1, Math.floor(setting)));
  return Math.max(1, Math.min(MAX_SERVERS, Math.floor(machine.cores) - 1, Math.floor(machine.maxParallelSessions)));
}

/**
 * Turns each running member takes before the pool starts another: the parallel limit shared out
 * over the pool. A server holds several sessions that mostly wait on the model; another server is
 * worth its start (seconds, and its first turn loads the providers) only for a wave wider than that.
 */
export function turnsPerMember(size: number, maxParallelSessions: number): number {
  return Math.max(1, Math.ceil(maxParallelSessions / size));
}
