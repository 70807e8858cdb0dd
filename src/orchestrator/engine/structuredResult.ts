/**
 * How a turn's structured result is checked against the schema it was asked for. OpenCode 1 hands
 * it over as its json_schema result; on OpenCode 2 it is the input of the turn's completed report
 * tool call (agents/reportTools.ts), which our MCP server also heard, with the session OpenCode 2
 * says made the call: the two must agree (ReportLedger).
 */
import { z } from "zod";
import { StructuredResultError } from "./errors";

/** What our MCP server heard of reports, by the session that made each call (as OpenCode 2 names it in the call's `_meta`). */
export interface ReportLedger {
  /** The reports heard from `sessionId`, oldest first; undefined while no call ever named its session (OpenCode 1 does not). */
  reportsOf(sessionId: string): readonly unknown[] | undefined;
  /**
   * Whether every OpenCode client that connected to our tool server has listed its tools since:
   * OpenCode 2 says our server is connected after the handshake, before it has the tool list.
   */
  everyClientListed?(): boolean;
}

/** Parses what the model gave with the turn's schema; a missing or misfit result is a StructuredResultError. */
export function parseStructured<T>(schema: z.ZodType<T>, value: unknown, sessionId: string, ledger?: ReportLedger): T {
  if (value === undefined) throw new StructuredResultError(sessionId, "the model gave no structured result");
  const result = schema.safeParse(value);
  if (!result.success) throw new StructuredResultError(sessionId, z.prettifyError(result.error));
  const heard = ledger?.reportsOf(sessionId);
  if (heard !== undefined) {
    const same = JSON.stringify(result.data);
    if (!heard.some((report) => JSON.stringify(schema.safeParse(report).data) === same)) {
      throw new StructuredResultError(sessionId, "the report in this session's events is not one the orchestrator's tool server received from this session");
    }
  }
  return result.data;
}
