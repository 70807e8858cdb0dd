/** How the engine reaches a server: its credentials, bounded requests, and what it says it is. */
import type { EngineApi } from "./engineApi";
import { identityFromHealth, type EngineMajor } from "./engineVersion";
import { ServerUnreachableError } from "./errors";

export interface ServerCredentials {
  url: string;
  /** OPENCODE_SERVER_PASSWORD of that server; undefined only for a server that has none. */
  password?: string;
}

export function basicAuthHeader(password: string): string {
  return "Basic " + Buffer.from(`opencode:${password}`).toString("base64");
}

/** How long attaching waits for a server's answer: a port that accepts but never answers must not hang a mission. */
export const ATTACH_TIMEOUT_MS = 10_000;

/** How long a request of the start or the attach (configuration, providers, paths, event stream) may take. */
export const REQUEST_TIMEOUT_MS = ATTACH_TIMEOUT_MS;

/** A server's requests that must not hang: each bounded, its failure naming what did not answer. */
export interface BoundedRequests {
  /** The server's adapter (its `describe` names requests for a person). */
  readonly api: EngineApi;
  /** `what` names the request for a person ("its configuration (GET /config)"). */
  request<T>(what: string, call: (api: EngineApi, signal: AbortSignal) => Promise<T>): Promise<T>;
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

/** What a server said it is: its major (from which health answer it gave) and version. */
export interface ServerIdentity {
  major: EngineMajor;
  version: string;
}

async function ask(server: ServerCredentials, path: "/global/health" | "/api/info", signal: AbortSignal | undefined, timeoutMs: number): Promise<{ status: number; identity?: ServerIdentity; healthy?: boolean }> {
  let response: Response;
  try {
    response = await fetch(`${server.url}${path}`, {
      headers: server.password ? { authorization: basicAuthHeader(server.password) } : {},
      signal: signal ?? AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new Error(describeFetchFailure(error, server.url, timeoutMs), { cause: error });
  }
  if (response.status === 401) throw new Error(`OpenCode at ${server.url} refused the password (401).`);
  const type = response.headers.get("content-type");
  const body = (await response.text().then((text) => JSON.parse(text) as unknown).catch(() => undefined)) as { healthy?: unknown } | undefined;
  return { status: response.status, identity: identityFromHealth(path, type, body), healthy: body?.healthy === true };
}

/**
 * Which OpenCode answers at `server.url`, from its own health answer: OpenCode 1 answers
 * `GET /global/health` with JSON `{healthy, version}`, OpenCode 2 `GET /api/info` with JSON
 * `{version, pid}`; each answers the other's path with its web app's HTML, which says nothing.
 * OpenCode 1's path is asked first: OpenCode 2 answers it at once (and without a password).
 */
export async function identifyServer(server: ServerCredentials, signal?: AbortSignal, timeoutMs = ATTACH_TIMEOUT_MS): Promise<ServerIdentity> {
  const v1 = await ask(server, "/global/health", signal, timeoutMs);
  if (v1.identity) {
    if (!v1.healthy) throw new Error(`OpenCode at ${server.url} reports it is not healthy.`);
    return v1.identity;
  }
  const v2 = await ask(server, "/api/info", signal, timeoutMs);
  if (v2.identity) return v2.identity;
  const status = v2.status >= 400 ? v2.status : v1.status;
  if (status >= 400) throw new Error(`OpenCode at ${server.url} is not healthy (HTTP ${status}).`);
  throw new Error(`${server.url} does not answer like an OpenCode server: neither GET /global/health (OpenCode 1) nor GET /api/info (OpenCode 2) gave its JSON.`);
}
