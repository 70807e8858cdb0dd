/**
 * One connection to OpenCode 2's event stream (`GET /api/event`, server-sent events), read here
 * rather than through `@opencode/client`'s subscription: that one needs `Promise.withResolvers`
 * (Node 22; the tests and older editors run Node 20) and shares one connection among subscribers,
 * while the engine wants its own, ending when the connection does (EventStream reconnects and
 * resyncs). Every chunk is a sign of life — the 15 s keep-alive is a comment, not an event.
 */
import type { V2RawEvent } from "./eventTranslator";

export async function* readEvents(url: string, headers: Record<string, string>, signal: AbortSignal, onActivity: () => void): AsyncIterable<V2RawEvent> {
  const response = await fetch(`${url}/api/event`, { headers: { ...headers, accept: "text/event-stream" }, signal });
  if (!response.ok || !response.body) throw new Error(`OpenCode's event stream answered HTTP ${response.status}.`);
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    onActivity();
    buffer += decoder.decode(chunk, { stream: true });
    for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block
        .split("\n")
        .filter((line) => line.startsWith("data:"))
        .map((line) => line.slice(5).replace(/^ /, ""))
        .join("\n");
      if (!data) continue; // a comment (the keep-alive) or an event without data
      let event: unknown;
      try {
        event = JSON.parse(data);
      } catch {
        continue; // not an event we can read; the next one may be
      }
      if (event && typeof event === "object" && typeof (event as { type?: unknown }).type === "string") yield event as V2RawEvent;
    }
  }
}
