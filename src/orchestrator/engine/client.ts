/** An SDK v2 client that authenticates to the server and always names the workspace directory. */
import { createOpencodeClient, type OpencodeClient } from "@opencode-ai/sdk/v2";
import { ServerUnreachableError } from "./errors";

export interface ServerCredentials {
  url: string;
  /** OPENCODE_SERVER_PASSWORD of that server; undefined only for a server that has none. */
  password?: string;
}

export function basicAuthHeader(password: string): string {
  return "Basic " + Buffer.from(`opencode:${password}`).toString("base64");
}

export function createEngineClient(server: ServerCredentials, directory: string): OpencodeClient {
  return createOpencodeClient({
    baseUrl: server.url,
    // The extension host's cwd is not the workspace: without this, OpenCode works on the wrong folder.
    directory,
    headers: server.password ? { authorization: basicAuthHeader(server.password) } : {},
  });
}

/** How long attaching waits for a server's answer: a port that accepts but never answers must not hang a mission. */
export const ATTACH_TIMEOUT_MS = 10_000;

/** How long a request of the start or the attach (configuration, providers, paths, event stream) may take. */
export const REQUEST_TIMEOUT_MS = ATTACH_TIMEOUT_MS;

/** A server's requests that must not hang: each bounded, its failure naming what did not answer. */
export interface BoundedRequests {
  /** `what` names the request for a person ("its configuration (GET /config)"). */
  request<T>(what: string, call: (client: OpencodeClient, signal: AbortSignal) => Promise<T>): Promise<T>;
}

/** Whether an error is a bounded request's timeout (the server hangs), not the server's own answer. */
export const isRequestTimeout = (error: unknown): error is RequestTimeoutError => error instanceof RequestTimeoutError;

export class RequestTimeoutError extends ServerUnreachableError {}

/** What a user can do about a server that answers its health but hangs on a request. */
export function hungServerAdvice(url: string, attached: boolean): string {
  const port = (() => {
    try {
      return new URL(url).port || "80";
    } catch {
      return "?";
    }
  })();
  return attached
    ? `Something answers on that port but this request hangs: restart that server (\`opencode serve --port ${port}\`), or clear orchestrator.opencode.serverUrl to let the extension start its own.`
    : "The server the extension started is stuck or overloaded: run the mission again (a new server starts), and see the Orchestrator log if it happens again.";
}

/**
 * `call` with a deadline: its signal is aborted and the promise rejects after `timeoutMs`, with a
 * message that names the server, the request and `advice` (the way on).
 */
export async function withinDeadline<T>(url: string, what: string, advice: string, timeoutMs: number, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new RequestTimeoutError(`OpenCode at ${url} did not answer ${what} within ${Math.max(1, Math.round(timeoutMs / 1000))} s. ${advice}`));
      controller.abort();
    }, timeoutMs);
  });
  try {
    return await Promise.race([call(controller.signal), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Why a request to a server failed, in words a user can act on (fetch itself says only "fetch failed"). */
export function describeFetchFailure(error: unknown, url: string, timeoutMs: number): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === "TimeoutError" || e?.name === "AbortError") return `OpenCode at ${url} did not answer within ${Math.max(1, Math.round(timeoutMs / 1000))} s: something accepts connections on that port but does not answer like an OpenCode server (a hung server, or another program).`;
  const code = e?.cause?.code;
  const port = (() => {
    try {
      return new URL(url).port || "80";
    } catch {
      return "?";
    }
  })();
  if (code === "ECONNREFUSED") return `Nothing listens at ${url} (connection refused on port ${port}): start it with \`opencode serve --port ${port}\`, or clear orchestrator.opencode.serverUrl to let the extension start its own.`;
  if (code === "ECONNRESET" || code === "UND_ERR_SOCKET") return `OpenCode at ${url} closed the connection (${code}): is it an OpenCode server, and is it still running?`;
  if (code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT") return `OpenCode at ${url} did not answer in time (${code}).`;
  return `OpenCode at ${url} could not be reached: ${code ?? e?.cause?.message ?? e?.message ?? String(error)}.`;
}

/** GET /global/health; resolves to the server's version or throws. */
export async function checkHealth(server: ServerCredentials, signal?: AbortSignal, timeoutMs = ATTACH_TIMEOUT_MS): Promise<string> {
  let response: Response;
  try {
    response = await fetch(`${server.url}/global/health`, {
      headers: server.password ? { authorization: basicAuthHeader(server.password) } : {},
      signal: signal ?? AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new Error(describeFetchFailure(error, server.url, timeoutMs), { cause: error });
  }
  if (response.status === 401) throw new Error(`OpenCode at ${server.url} refused the password (401).`);
  if (!response.ok) throw new Error(`OpenCode at ${server.url} is not healthy (HTTP ${response.status}).`);
  const body = (await response.json()) as { healthy?: boolean; version?: string };
  if (!body.healthy) throw new Error(`OpenCode at ${server.url} reports it is not healthy.`);
  return body.version ?? "unknown";
}
