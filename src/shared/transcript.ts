/**
 * A session's transcript as the dashboard shows it. A tool call reads as a header — tool · title
 * (the file, the command) · status or exit code · detail ("+12 −3") — over `text` (its error, a
 * summary) and a short body of `lines`.
 */
import { z } from "zod";

/** One line of a tool call's body: a diff's added, removed or context line, a command's output, or a note ("… 12 more lines"). */
export const TranscriptBodyLine = z.object({ kind: z.enum(["add", "del", "ctx", "out", "note"]), text: z.string() });
export type TranscriptBodyLine = z.infer<typeof TranscriptBodyLine>;

export const TranscriptLine = z.object({
  kind: z.enum(["text", "tool", "reasoning"]),
  /** Text and reasoning: the words. A tool call: a note under its header (its error, a command's description, a report's summary). */
  text: z.string(),
  /** The tool as OpenCode names it: `write`, `bash`, `orchestrator_background_start`. */
  tool: z.string().optional(),
  toolStatus: z.enum(["pending", "running", "completed", "error"]).optional(),
  /** What the call acted on, in one line: a workspace-relative file, a command, a pattern, a job. */
  title: z.string().optional(),
  /** How it went, in a few words: "+12 −3", "4 matches", "job j1 · running". */
  detail: z.string().optional(),
  /** A command's exit code. */
  exit: z.number().optional(),
  lines: z.array(TranscriptBodyLine).optional(),
});
export type TranscriptLine = z.infer<typeof TranscriptLine>;
