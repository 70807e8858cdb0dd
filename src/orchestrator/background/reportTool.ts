/**
 * The roles' report tools on our MCP server (agents/reportTools.ts): one per result schema, its
 * input schema the role's zod schema, so OpenCode offers the model the exact fields and the MCP
 * SDK refuses a call that does not fit (the model reads why and may call again). Each call is kept
 * with the session OpenCode 2 says made it (`_meta["ai.opencode/sessionID"]`; OpenCode 1 does not
 * say): the engine checks a turn's report against it (engine/structuredResult.ts).
 */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { REPORT_RECEIVED, REPORT_TOOLS } from "../agents/reportTools";
import type { ReportLedger } from "../engine/structuredResult";

/** The `_meta` key under which OpenCode 2 names the session of a tool call. */
export const SESSION_META = "ai.opencode/sessionID";

/** Sessions remembered, and reports per session: a mission's live sessions are far fewer. */
const SESSIONS_KEPT = 2_000;
const REPORTS_KEPT = 4;

export class ReportBook implements ReportLedger {
  private readonly bySession = new Map<string, unknown[]>();
  private namesSessions = false;

  record(sessionId: unknown, report: unknown): void {
    if (typeof sessionId !== "string" || !sessionId) return;
    this.namesSessions = true;
    const reports = this.bySession.get(sessionId) ?? [];
    this.bySession.delete(sessionId);
    this.bySession.set(sessionId, [...reports, report].slice(-REPORTS_KEPT));
    if (this.bySession.size > SESSIONS_KEPT) this.bySession.delete(this.bySession.keys().next().value as string);
  }

  reportsOf(sessionId: string): readonly unknown[] | undefined {
    return this.namesSessions ? (this.bySession.get(sessionId) ?? []) : undefined;
  }

  private handshakes = 0;
  private listings = 0;

  /** A JSON-RPC request our tool server answered: handshakes and tool listings are counted. */
  answered(method: string | undefined): void {
    if (method === "initialize") this.handshakes++;
    else if (method === "tools/list") this.listings++;
  }

  everyClientListed(): boolean {
    return this.listings >= this.handshakes;
  }
}

export function registerReportTools(server: McpServer, book: ReportBook): void {
  for (const tool of REPORT_TOOLS) {
    server.registerTool(tool.name, { description: tool.description, inputSchema: tool.schema.shape }, (report, extra) => {
      book.record(extra._meta?.[SESSION_META], report);
      return { content: [{ type: "text" as const, text: REPORT_RECEIVED }] };
    });
  }
}
