/** An agent's OpenCode session as the Sessions view and the dashboard show it. */
import { z } from "zod";

export const SessionStatus = z.enum(["busy", "retry", "waiting", "idle", "error", "aborted"]);
export type SessionStatus = z.infer<typeof SessionStatus>;

export const SessionModel = z.object({
  id: z.string(),
  /** planner, worker, reviewer. */
  role: z.string(),
  todoIds: z.array(z.string()),
  status: SessionStatus,
  /** Which retry OpenCode is waiting for (status "retry"). */
  retryAttempt: z.number().optional(),
  /** Why it retries (status "retry") or how it failed (status "error"). */
  detail: z.string().optional(),
  startedAt: z.number(),
  endedAt: z.number().optional(),
  inputTokens: z.number(),
  outputTokens: z.number(),
  cost: z.number(),
  /** The OpenCode server (pool member, 1-based) it runs on; absent with a single server. */
  server: z.number().optional(),
});
export type SessionModel = z.infer<typeof SessionModel>;

