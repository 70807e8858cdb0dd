/** The port the Commander runs turns through: the real (resilient) engine, or an in-process fake in tests and benchmarks. */
import type { TurnRequest, TurnResult } from "./turn";

export interface TurnRunner {
  runTurn<T>(request: TurnRequest<T>): Promise<TurnResult<T>>;
  abortSession(sessionId: string): Promise<void>;
}
