/** What a TODO's status means, asked the same way by the Commander, the graph and every surface. */
import type { TodoStatus } from "./state";

/** Failed or blocked: it will not finish as planned; a replan or the user must act. */
export function failedOrBlocked(status: TodoStatus): boolean {
  return status === "failed" || status === "blocked";
}
