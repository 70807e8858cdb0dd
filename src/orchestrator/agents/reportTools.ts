/**
 * The roles' report tools: how a structured result comes back where OpenCode has no json_schema
 * output (OpenCode 2). Our MCP server serves one tool per result schema (background/reportTool.ts),
 * its input schema the role's zod schema; the agent is told to finish by calling it, and the turn's
 * result is the input of its completed call, parsed again with zod (engine/structuredResult.ts).
 * One tool per schema, not one `report` for all: a model is shown the exact fields it must fill.
 */
import type { z } from "zod";
import type { Role } from "../domain/roles";
import { Plan, Review, WorkerReport } from "../domain/schemas";

export interface ReportTool {
  /** The role that hands it in (the others' agents are denied it). */
  role: Role;
  /** The MCP tool's name on our server ("report_work"). */
  name: string;
  /** The name OpenCode offers it under (our MCP server is "orchestrator"). */
  offered: string;
  schema: z.ZodObject;
  description: string;
}

const tool = (role: Role, name: string, schema: z.ZodObject, description: string): ReportTool => ({ role, name, offered: `orchestrator_${name}`, schema, description });

export const REPORT_TOOLS: readonly ReportTool[] = [
  tool("planner", "report_plan", Plan, "Hand in the TODO graph you planned. Call it once, as your last step: its input is the plan."),
  tool("worker", "report_work", WorkerReport, "Hand in your report on the TODO. Call it once, as your last step: its input is the report."),
  tool("reviewer", "report_review", Review, "Hand in your review. Call it once, as your last step: its input is the verdicts."),
];

/** What our tool server answers a report that fits (the model reads it; the scripted model knows its turn is over by it). */
export const REPORT_RECEIVED = "Report received.";

/** The names OpenCode offers the report tools under. */
export const REPORT_TOOL_NAMES: ReadonlySet<string> = new Set(REPORT_TOOLS.map((t) => t.offered));

/** The report tool of a result schema; undefined for a schema no role hands in. */
export function reportToolFor(schema: z.ZodType): ReportTool | undefined {
  return REPORT_TOOLS.find((t) => t.schema === schema);
}

/** What the prompt of a turn that must hand in a result ends with. */
export function reportInstruction(tool: ReportTool): string {
  return `When you are done, hand in your result by calling the \`${tool.offered}\` tool once, as your last step; its parameters are the result's fields. Your turn's result is what you pass to it, nothing else.`;
}

/** The one follow-up a turn gets that ended without its report, in the same session. */
export function reportReminder(tool: ReportTool): string {
  return `You ended your turn without calling \`${tool.offered}\`. Call it now, once, with your result (its parameters are the result's fields); do nothing else.`;
}
