/**
 * `opencode serve` announces where it listens on stdout; with port 0 this is the only way to learn the
 * port. OpenCode 1 says `opencode server listening on http://…`, OpenCode 2 `server listening on
 * http://…`: only `listening on <url>` is read, and which OpenCode it is comes from elsewhere (engineVersion.ts).
 */
const LISTENING = /\blistening on (https?:\/\/[^\s]+)/;

export function parseListeningUrl(output: string): string | undefined {
  const match = LISTENING.exec(output);
  if (!match?.[1]) return undefined;
  try {
    const url = new URL(match[1]);
    return url.origin;
  } catch {
    return undefined;
  }
}

/** Only loopback servers are accepted: the server runs tools with the user's rights. */
export function isLoopbackUrl(value: string): boolean {
  try {
    const host = new URL(value).hostname;
    return host === "127.0.0.1" || host === "localhost" || host === "[::1]" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
  } catch {
    return false;
  }
}
