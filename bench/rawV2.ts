/**
 * Raw OpenCode 2 for the benchmarks' baselines: the calls a user's own script would make against a
 * 2.x server's HTTP API, nothing of the product's engine. A session carries its agent, model and
 * workspace (`location.directory`; v2 takes no `?directory=`), a prompt is admitted and returns at
 * once, and a turn is done at its `session.execution.succeeded|failed|interrupted` event on
 * `/api/event` (v2 sends no `session.idle`). Which line a server is comes from what it answers:
 * `GET /api/info` is JSON with a `version` on v2, the web app's HTML on v1.
 */
import { basicAuthHeader } from "../src/orchestrator/engine/client";

export interface RawServer {
  url: string;
  password?: string;
}

const headers = (s: RawServer): Record<string, string> => (s.password ? { authorization: basicAuthHeader(s.password) } : {});

/** The major version the server says it is: 2 when `/api/info` answers JSON with a version, else 1. */
export async function serverMajor(s: RawServer): Promise<1 | 2> {
  const response = await fetch(`${s.url}/api/info`, { headers: headers(s) });
  const json = response.ok && (response.headers.get("content-type") ?? "").includes("application/json");
  const version = json ? ((await response.json()) as { version?: unknown }).version : undefined;
  if (!json) await response.body?.cancel();
  return typeof version === "string" && /^2\./.test(version) ? 2 : 1;
}

async function call<T>(s: RawServer, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${s.url}${path}`, { method, headers: { ...headers(s), ...(body === undefined ? {} : { "content-type": "application/json" }) }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${text.slice(0, 300)}`);
  const parsed = (text ? JSON.parse(text) : {}) as { data?: T };
  return (parsed.data ?? parsed) as T;
}

export interface RawEvents {
  /** Resolves with the event type when the session's execution ends (succeeded, failed or interrupted). */
  finished(sessionID: string): Promise<string>;
  close(): void;
}

/** Follows `/api/event`; resolves once the stream is open (its first event, `server.connected`). */
export async function followEvents(s: RawServer): Promise<RawEvents> {
  const abort = new AbortController();
  const waiting = new Map<string, (type: string) => void>();
  const ended = new Map<string, string>();
  const response = await fetch(`${s.url}/api/event`, { headers: { ...headers(s), accept: "text/event-stream" }, signal: abort.signal });
  if (!response.ok || !response.body) throw new Error(`/api/event: HTTP ${response.status}`);
  const reader = response.body.getReader();
  let connected!: () => void;
  const ready = new Promise<void>((resolve) => (connected = resolve));
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let cut: number;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const data = block.split("\n").filter((line) => line.startsWith("data:")).map((line) => line.slice(5).trim()).join("\n");
        if (!data) continue; // the heartbeat is a comment
        const event = JSON.parse(data) as { type: string; data?: { sessionID?: string } };
        if (event.type === "server.connected") connected();
        const id = event.data?.sessionID;
        if (id && /^session\.execution\.(succeeded|failed|interrupted)$/.test(event.type)) {
          ended.set(id, event.type);
          waiting.get(id)?.(event.type);
        }
      }
    }
  })().catch(() => undefined);
  await ready;
  return {
    finished: (sessionID) => {
      const already = ended.get(sessionID);
      return already ? Promise.resolve(already) : new Promise((resolve) => waiting.set(sessionID, resolve));
    },
    close: () => abort.abort(),
  };
}

/** One turn: a session for `agent` on `model` in `directory`, one prompt, until its execution ends; throws unless it succeeded. */
export async function rawTurn(s: RawServer, events: RawEvents, turn: { title: string; agent: string; model: { providerID: string; modelID: string }; directory: string; prompt: string }): Promise<void> {
  const session = await call<{ id: string }>(s, "POST", "/api/session", { title: turn.title, agent: turn.agent, model: { id: turn.model.modelID, providerID: turn.model.providerID }, location: { directory: turn.directory } });
  const finished = events.finished(session.id);
  await call(s, "POST", `/api/session/${session.id}/prompt`, { text: turn.prompt });
  const outcome = await finished;
  if (outcome !== "session.execution.succeeded") throw new Error(`raw turn "${turn.title}" ended with ${outcome}`);
}
