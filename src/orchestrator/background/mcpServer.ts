/**
 * The MCP server that gives agents the orchestrator's tools. It runs in the extension host on
 * loopback, answers only with its random bearer token, and is registered with OpenCode at server
 * start; OpenCode offers the tools to the model as `orchestrator_<tool>`: the background-job tools
 * (`orchestrator_background_*`, given the job manager), the roles' report tools (reportTool.ts: how
 * a structured result comes back from OpenCode 2), and, given a WorkspaceSearch, `workspace_search`,
 * the read-only chat's search (the mission's agents do not see it: agents/roles.ts denies it them).
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { z } from "zod";
import type { Logger } from "../common/logger";
import type { ToolsEndpoint } from "../engine/serverConfig";
import { JobRefusedError, type BackgroundJob, type BackgroundJobManager } from "./jobManager";
import { registerReportTools, ReportBook } from "./reportTool";
import type { WorkspaceSearch } from "./workspaceSearch";

export interface RunningMcpServer {
  url: string;
  token: string;
  /** Where OpenCode reaches it (each engine renders its own `mcp` entry from it: engine/serverConfig.ts). */
  endpoint: ToolsEndpoint;
  /** The reports it heard, by session (the engine's cross-check of a turn's result). */
  reports: ReportBook;
  close(): Promise<void>;
}

const describe = (job: BackgroundJob) => ({
  jobId: job.id,
  command: job.command,
  status: job.status,
  exitCode: job.exitCode ?? null,
  ...(job.reason ? { reason: job.reason } : {}),
  runningForSeconds: Math.round(((job.endedAt ?? Date.now()) - job.startedAt) / 1000),
  outputCharacters: job.output.total,
  logFile: job.logFile,
});

const text = (value: unknown) => ({ content: [{ type: "text" as const, text: JSON.stringify(value, null, 1) }] });

/** The name OpenCode offers the search under (server "orchestrator"), for permission rules and tool switches. */
export const WORKSPACE_SEARCH_TOOL = "orchestrator_workspace_search";

function toolServer(jobs: BackgroundJobManager | undefined, reports: ReportBook, search?: WorkspaceSearch): McpServer {
  const server = new McpServer({ name: "orchestrator", version: "1.0.0" });
  registerReportTools(server, reports);
  if (jobs) registerJobTools(server, jobs);
  if (search) registerSearch(server, search);
  return server;
}

function registerJobTools(server: McpServer, jobs: BackgroundJobManager): void {
  server.registerTool("background_start", {
    description: "Start a long command (install, build, test suite) in the background and return at once with its job id. Check it with background_status and background_output.",
    inputSchema: { command: z.string().describe("Shell command, run in the workspace"), timeoutSeconds: z.number().int().positive().optional().describe("Kill it after this long (default 1800)") },
  }, async ({ command, timeoutSeconds }) => {
    // Decided like the bash tool's commands (the permission rules; the user where they ask).
    try {
      return text(describe(await jobs.startGated(command, timeoutSeconds)));
    } catch (error) {
      if (error instanceof JobRefusedError) return text({ error: error.message });
      throw error;
    }
  });
  server.registerTool("background_status", {
    description: "Status of a background job: running, exited (with exit code), killed, timed-out, or failed (ended without an exit code; reason says why).",
    inputSchema: { jobId: z.string() },
  }, ({ jobId }) => {
    const job = jobs.get(jobId);
    return job ? text(describe(job)) : text({ error: `No job ${jobId}.` });
  });
  server.registerTool("background_output", {
    description: "The latest output of a background job (stdout and stderr together).",
    inputSchema: { jobId: z.string(), tail: z.number().int().positive().max(65_536).optional().describe("Characters from the end (default 4000)") },
  }, ({ jobId, tail }) => {
    const job = jobs.get(jobId);
    return job ? text({ ...describe(job), output: job.output.read(tail ?? 4_000) }) : text({ error: `No job ${jobId}.` });
  });
  server.registerTool("background_kill", {
    description: "Kill a background job and every process it started.",
    inputSchema: { jobId: z.string() },
  }, async ({ jobId }) => {
    const job = await jobs.kill(jobId);
    return job ? text(describe(job)) : text({ error: `No job ${jobId}.` });
  });
}

function registerSearch(server: McpServer, search: WorkspaceSearch): void {
  server.registerTool("workspace_search", {
    description: "Search the contents of the workspace's files with a regular expression (ripgrep syntax). Returns the matching lines with their paths and line numbers. Secret files (.env, keys, credentials) are never searched.",
    inputSchema: {
      pattern: z.string().describe("The regular expression to search for"),
      path: z.string().optional().describe("A folder or file to search in (default: the whole workspace)"),
      include: z.string().optional().describe('Only files matching this glob, e.g. "*.ts" or "*.{ts,tsx}"'),
    },
  }, async (request) => ({ content: [{ type: "text" as const, text: await search.search(request) }] }));
}

/** A request's JSON body, or undefined (a GET, an empty or malformed body: the transport answers those). */
async function jsonBody(req: IncomingMessage): Promise<unknown> {
  if (req.method !== "POST") return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown;
  } catch {
    return undefined;
  }
}

const rpcMethod = (body: unknown): string | undefined => (typeof body === "object" && body !== null && !Array.isArray(body) && typeof (body as { method?: unknown }).method === "string" ? (body as { method: string }).method : undefined);

/** `jobs`: serve the background-job tools (a server for report tools alone has none). */
export async function startMcpServer(jobs: BackgroundJobManager | undefined, logger: Logger, search?: WorkspaceSearch): Promise<RunningMcpServer> {
  const token = randomBytes(24).toString("base64url");
  const reports = new ReportBook();
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.headers.authorization !== `Bearer ${token}`) {
      res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ error: "unauthorized" }));
      return;
    }
    if (!req.url?.startsWith("/mcp")) {
      res.writeHead(404).end();
      return;
    }
    // Stateless: a fresh server and transport per request, as the SDK recommends for it.
    const server = toolServer(jobs, reports, search);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on("close", () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    // Read here (the transport takes it parsed) to count handshakes and tool listings: the engine
    // sends OpenCode 2 its first prompt only once every client that connected has our tools.
    const body = await jsonBody(req);
    await transport.handleRequest(req, res, body);
    reports.answered(rpcMethod(body));
  };
  const http: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      logger.warn(`MCP request failed: ${String(error)}`);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = http.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}/mcp`;
  logger.info(`The orchestrator's tools served on ${url}`);
  return {
    url,
    token,
    endpoint: { url, token },
    reports,
    close: () =>
      new Promise((resolve) => {
        http.closeAllConnections?.();
        http.close(() => resolve());
      }),
  };
}
