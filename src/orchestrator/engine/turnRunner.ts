/** The port the Commander runs turns through: the real engine (a pool of servers), or an in-process fake in tests and benchmarks. */
import type { TurnOutcome, TurnRequest } from "./turn";

export interface TurnRunner {
  /** Never rejects: a failed turn is an outcome too, with what it did. */
  runTurn<T>(request: TurnRequest<T>): Promise<TurnOutcome<T>>;
  abortSession(sessionId: string): Promise<void>;
}
