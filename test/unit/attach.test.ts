/** Attaching to a server that is not there, or not answering: a bounded wait and a cause the user can act on. */
import assert from "node:assert/strict";
import { createServer as createHttpServer, type ServerResponse } from "node:http";
import { createServer, type Socket } from "node:net";
import { test } from "node:test";
import { Engine } from "../../src/orchestrator/engine/engine";
import { listModels } from "../../src/orchestrator/engine/modelSetup";
import { EngineProvider } from "../../src/orchestrator/host/engineProvider";
import { memoryLogger, RedactingLogger } from "../../src/orchestrator/common/logger";

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

/**
 * A server that answers like OpenCode on some routes and never on the others (the request stays
 * open, as a hung server's would): its health, its event stream, and what `answers` names.
 */
async function partlyAnswering(answers: Record<string, unknown>) {
  const open = new Set<ServerResponse>();
  const server = createHttpServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (path === "/global/health") return void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ healthy: true, version: "1.18.33" }));
    if (path === "/event") {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(`data: ${JSON.stringify({ type: "server.connected", properties: {} })}\n\n`);
      return void open.add(res);
    }
    if (path in answers) return void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answers[path]));
    open.add(res); // never answers
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    url,
    close: () => {
      for (const res of open) res.destroy();
      server.closeAllConnections();
      server.close();
    },
  };
}

test("a server that answers its health but never /config: attaching fails within the bound, naming what did not answer and what to do", { timeout: 30_000 }, async () => {
  const fake = await partlyAnswering({});
  const provider = new EngineProvider({ logger: new RedactingLogger(memoryLogger()), serverPassword: async () => undefined, extensionPath: "/nonexistent", requestTimeoutMs: 500 });
  try {
    const started = Date.now();
    await assert.rejects(provider.get("/tmp", { opencodePath: "", model: undefined, serverUrl: fake.url, demoMode: "never", sandbox: "off" }), (error: Error) => {
      assert.match(error.message, new RegExp(`^OpenCode at ${fake.url} did not answer its configuration \\(GET /config\\) within 1 s`));
      assert.match(error.message, /restart that server \(`opencode serve --port \d+`\), or clear orchestrator\.opencode\.serverUrl/);
      return true;
    });
    assert.ok(Date.now() - started < 5_000, `bounded: ${Date.now() - started} ms`);
  } finally {
    await provider.stop();
    fake.close();
  }
});

test("a server whose event stream never opens, or whose providers never answer the model picker: bounded, named", { timeout: 30_000 }, async () => {
  const mute = createHttpServer((req, res) => {
    if (new URL(req.url ?? "/", "http://x").pathname === "/global/health") res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ healthy: true, version: "1.18.33" }));
  });
  await new Promise<void>((resolve) => mute.listen(0, "127.0.0.1", resolve));
  const muteUrl = `http://127.0.0.1:${(mute.address() as { port: number }).port}`;
  try {
    await assert.rejects(Engine.attach({ directory: "/tmp", url: muteUrl, logger: memoryLogger(), timeoutMs: 500 }), /did not answer its event stream \(GET \/event\) within 1 s/);
  } finally {
    mute.closeAllConnections();
    mute.close();
  }
  const fake = await partlyAnswering({ "/config": { snapshot: false } });
  const engine = await Engine.attach({ directory: "/tmp", url: fake.url, logger: memoryLogger(), timeoutMs: 500 });
  try {
    const started = Date.now();
    await assert.rejects(listModels(engine), /did not answer its providers \(GET \/provider\) within 1 s/);
    assert.ok(Date.now() - started < 5_000);
  } finally {
    await engine.stop();
    fake.close();
  }
});
