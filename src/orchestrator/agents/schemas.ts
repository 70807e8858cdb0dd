/** Structured results the roles return through OpenCode's json_schema output, as zod schemas. */
import { z } from "zod";

export const WorkerReport = z.object({
  status: z.enum(["done", "blocked", "failed"]).describe("done: the TODO is implemented; blocked: it cannot be done as planned; failed: it was tried and did not work"),
  summary: z.string().describe("What was done, in one or two sentences"),
  filesChanged: z.array(z.string()).describe("Workspace-relative paths of the files written or edited"),
  checksRun: z.array(z.string()).describe("Commands run to check the work (tests, build)"),
  notes: z.string().describe("Anything the Reviewer or the next Worker must know; empty if nothing"),
});
export type WorkerReport = z.infer<typeof WorkerReport>;
