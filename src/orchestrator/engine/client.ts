/** An SDK v2 client that authenticates to the server and always names the workspace directory. */
import { createOpencodeClient, type OpencodeClient } from "@opencode-ai/sdk/v2";

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

/** GET /global/health; resolves to the server's version or throws. */
export async function checkHealth(server: ServerCredentials, signal?: AbortSignal): Promise<string> {
  const response = await fetch(`${server.url}/global/health`, {
    headers: server.password ? { authorization: basicAuthHeader(server.password) } : {},
    signal,
  });
  if (response.status === 401) throw new Error(`OpenCode at ${server.url} refused the password (401).`);
  if (!response.ok) throw new Error(`OpenCode at ${server.url} is not healthy (HTTP ${response.status}).`);
  const body = (await response.json()) as { healthy?: boolean; version?: string };
  if (!body.healthy) throw new Error(`OpenCode at ${server.url} reports it is not healthy.`);
  return body.version ?? "unknown";
}
