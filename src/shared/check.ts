/** An acceptance check as the views show it: the command, how its latest run went, its output's end. */
import { z } from "zod";

export const CheckView = z.object({
  command: z.string(),
  /** running until it ends; error: it could not be run at all; refused: the permission policy or the user said no (the reason is in `tail`). */
  status: z.enum(["running", "passed", "failed", "timed-out", "error", "refused"]),
  exitCode: z.number().nullable().optional(),
  /** The end of its output (bounded). */
  tail: z.string(),
  /** The background job that ran it: its full output. */
  jobId: z.string().optional(),
});
export type CheckView = z.infer<typeof CheckView>;

/** A check as a mission's views show it now: its run, and whether that still says anything. */
export const CheckShown = CheckView.extend({
  /** What it checked was reverted since: the result no longer says anything of the workspace. */
  stale: z.boolean().optional(),
});
export type CheckShown = z.infer<typeof CheckShown>;
