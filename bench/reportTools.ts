/**
 * What a benchmark's server needs to hand in structured results on OpenCode 2: the roles' report
 * tools on our MCP server, as the product serves them (OpenCode 2 has no json_schema result). On
 * OpenCode 1 its json_schema format does it, and the server runs as the figures measured before.
 */
import { startMcpServer } from "../src/orchestrator/background/mcpServer";
import type { ReportBook } from "../src/orchestrator/background/reportTool";
import { silentLogger } from "../src/orchestrator/common/logger";
import type { ServerConfigOptions } from "../src/orchestrator/engine/serverConfig";
import type { EngineName } from "../test/support/engines";

export interface BenchReportTools {
  /** To spread into the server's config. */
  config: Pick<ServerConfigOptions, "tools">;
  /** For Engine.start's `reports`. */
  reports?: ReportBook;
  close(): Promise<void>;
}

export async function reportToolsFor(engine: EngineName): Promise<BenchReportTools> {
  if (engine === "v1") return { config: {}, close: async () => undefined };
  const mcp = await startMcpServer(undefined, silentLogger);
  return { config: { tools: mcp.endpoint }, reports: mcp.reports, close: () => mcp.close() };
}
