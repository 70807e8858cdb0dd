/** Structured results the roles return through OpenCode's json_schema output, as zod schemas. */
import { z } from "zod";
import { TodoId } from "./ids";

export const WorkerReport = z.object({
  status: z.enum(["done", "blocked", "failed"]).describe("done: the TODO is implemented; blocked: it cannot be done as planned; failed: it was tried and did not work"),
  summary: z.string().describe("What was done, in one or two sentences"),
  filesChanged: z.array(z.string()).describe("Workspace-relative paths of the files written or edited"),
  checksRun: z.array(z.string()).describe("Commands run to check the work (tests, build)"),
  notes: z.string().describe("Anything the Reviewer or the next Worker must know; empty if nothing"),
});
export type WorkerReport = z.infer<typeof WorkerReport>;

/** check: a TODO that rightly changes no file (an investigation, a verification); every other kind must. */
export const TodoKind = z.enum(["setup", "code", "test", "docs", "check"]);

export const PlannedTodo = z.object({
  id: TodoId.describe("Short unique id, e.g. T1 or api-auth"),
  title: z.string().min(1).describe("One line: the outcome"),
  description: z.string().describe("What to do, precisely enough for a Worker who sees only this TODO"),
  files: z.array(z.string()).describe("Workspace-relative files it will create or edit"),
  dependsOn: z.array(z.string()).describe("Ids of TODOs that must be done first"),
  acceptance: z.string().min(1).describe("How the Reviewer will know it is done (a check to run, a behaviour to see)"),
  kind: TodoKind,
  check: z.string().max(2000).optional().describe("A shell command, run in the workspace when the Worker is done, that exits 0 when the TODO works (a test, a build, a request); omit if none"),
});
export type PlannedTodo = z.infer<typeof PlannedTodo>;

export const Plan = z.object({
  todos: z.array(PlannedTodo).describe("The TODO graph; independent TODOs run in parallel"),
  check: z.string().max(2000).optional().describe("The project's whole check (build and test suite), run when every TODO is done; omit if the project has none yet"),
});
export type Plan = z.infer<typeof Plan>;

export const Review = z.object({
  verdicts: z
    .array(
      z.object({
        todoId: z.string(),
        verdict: z.enum(["pass", "fail"]),
        issues: z.array(z.string()).describe("Concrete problems a Worker can fix; empty on pass"),
      }),
    )
    .describe("One verdict per TODO under review"),
  syncIssues: z
    .array(z.object({ title: z.string(), detail: z.string(), todoIds: z.array(z.string()) }))
    .describe("Mission-level problems: pieces that do not fit together; empty if none"),
  summary: z.string().describe("One or two sentences on the state of the work"),
});
export type Review = z.infer<typeof Review>;
