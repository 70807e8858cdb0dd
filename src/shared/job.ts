/** A background job an agent (or the orchestrator's own check) started, as the Jobs view shows it. */
import { z } from "zod";

/** "failed": it ended without its command's exit status (its guard was killed, or the launcher went away); `reason` says how. */
export const JobStatus = z.enum(["running", "exited", "killed", "timed-out", "failed"]);
export type JobStatus = z.infer<typeof JobStatus>;

export const JobModel = z.object({
  id: z.string(),
  command: z.string(),
  /** Its process (the guard's, which leads its process group). */
  pid: z.number(),
  status: JobStatus,
  exitCode: z.number().nullable().optional(),
  /** Why it failed, for a person: what happened and what became of what it started. */
  reason: z.string().optional(),
  startedAt: z.number(),
  endedAt: z.number().optional(),
  /** Characters it has written so far (the newest are kept in memory, all of them in `logFile`). */
  outputChars: z.number(),
  logFile: z.string(),
  /** Who started it: a mission's Worker for its TODOs, its Reviewer, or the orchestrator's check. */
  owner: z.object({ missionId: z.string(), role: z.string(), todoIds: z.array(z.string()) }).optional(),
});
export type JobModel = z.infer<typeof JobModel>;

/** A job's output from a character on: what is still kept of it, and how much was written in all. */
export const JobOutput = z.object({
  text: z.string(),
  /** Characters written in all: pass it back to read only what comes next. */
  total: z.number(),
  /** Characters no longer kept in memory (they are in the log file). */
  dropped: z.number(),
});
export type JobOutput = z.infer<typeof JobOutput>;
