/** What the agents changed, as the views and the diff editor show it. */
import { z } from "zod";

/** One file changed between two checkpoints, with lines added and removed. */
export const ChangedFile = z.object({
  path: z.string(),
  status: z.enum(["added", "modified", "deleted"]),
  added: z.number(),
  removed: z.number(),
  binary: z.boolean(),
});
export type ChangedFile = z.infer<typeof ChangedFile>;

/** What a diff editor shows: each file between `original` and `modified` (a checkpoint, or "worktree": the workspace now). */
export const ChangeSet = z.object({
  title: z.string(),
  original: z.string(),
  modified: z.string(),
  files: z.array(ChangedFile),
});
export type ChangeSet = z.infer<typeof ChangeSet>;

/** A file a revert left as it is, and why (the workspace protects it). */
export const NotRestoredFile = z.object({ path: z.string(), why: z.string() });
export type NotRestoredFile = z.infer<typeof NotRestoredFile>;
