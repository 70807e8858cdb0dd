/** Attaching to a server that is not there, or not answering: a bounded wait and a cause the user can act on. */
import assert from "node:assert/strict";
import { createServer, type Socket } from "node:net";
import { test } from "node:test";
import { Engine } from "../../src/orchestrator/engine/engine";
import { memoryLogger } from "../../src/orchestrator/logger";

test("a port that accepts but never answers times out, and the error says what that means", async () => {
  const sockets = new Set<Socket>();
  const silent = createServer((socket) => void sockets.add(socket)); // accepts, never answers
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  const port = (silent.address() as { port: number }).port;
  try {
    const started = Date.now();
    await assert.rejects(Engine.attach({ directory: "/tmp", url: `http://127.0.0.1:${port}`, logger: memoryLogger(), timeoutMs: 500 }), (error: Error) => {
      assert.match(error.message, /^Cannot attach: OpenCode at http:\/\/127\.0\.0\.1:\d+ did not answer within 1 s: something accepts connections on that port but does not answer like an OpenCode server/);
      return true;
    });
    assert.ok(Date.now() - started < 5_000, "bounded by the timeout, not by the OS");
  } finally {
    for (const s of sockets) s.destroy();
    silent.close();
  }
});

test("nothing listening is named as such, with the way on", async () => {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  await assert.rejects(Engine.attach({ directory: "/tmp", url: `http://127.0.0.1:${port}`, logger: memoryLogger() }), /Nothing listens at http:\/\/127\.0\.0\.1:\d+ \(connection refused on port \d+\): start it with `opencode serve --port \d+`/);
});
