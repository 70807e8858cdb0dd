/**
 * One `opencode serve` child process: started on loopback with a random port and password,
 * in its own process group so that stopping it also ends every tool process it started.
 */
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { StringDecoder } from "node:string_decoder";
import { lineWriter, type Logger } from "../common/logger";
import { identifyServer, type ServerCredentials, type ServerIdentity } from "./client";
import { ServerStartError } from "./errors";
import { spawnGuarded, stopProcessGroup } from "../process/processGroup";
import { parseListeningUrl } from "./serverUrl";

export interface ServerLaunch {
  binary: string;
  /** The workspace: OpenCode's project root. */
  cwd: string;
  /** OPENCODE_CONFIG_CONTENT. */
  config: Record<string, unknown>;
  /** The environment to start from (defaults to process.env); isolation for tests goes here. */
  env?: NodeJS.ProcessEnv;
  startTimeoutMs?: number;
  logger: Logger;
}

export interface RunningServer extends ServerCredentials {
  readonly password: string;
  readonly pid: number;
  /** What the server said it is, once it listened (its health answer). */
  readonly identity: ServerIdentity;
  /** Resolves with the exit code (or signal) when the process ends, whoever ended it. */
  readonly exited: Promise<number | string>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the whole group is gone. */
  stop(graceMs?: number): Promise<void>;
}

const OUTPUT_KEPT = 8_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startServer(launch: ServerLaunch): Promise<RunningServer> {
  const password = randomBytes(24).toString("base64url");
  const env: NodeJS.ProcessEnv = {
    ...(launch.env ?? process.env),
    OPENCODE_SERVER_PASSWORD: password,
    // OpenCode 2 reads OPENCODE_PASSWORD before OPENCODE_SERVER_PASSWORD: one inherited from the
    // editor's environment would win over ours. Both are ours, and both are secrets (process/secrets.ts).
    OPENCODE_PASSWORD: password,
    OPENCODE_CONFIG_CONTENT: JSON.stringify(launch.config),
  };
  const started = Date.now();
  // Its own process group, guarded: one kill ends the server and its tools, and so does our death.
  const child: ChildProcess = spawnGuarded(launch.binary, ["serve", "--hostname", "127.0.0.1", "--port", "0"], { cwd: launch.cwd, env });
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-OUTPUT_KEPT);
  };
  const exited = new Promise<number | string>((resolve) => {
    child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown"));
    child.once("error", () => resolve("spawn-error"));
  });

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => fail(`OpenCode did not report a listening address within ${launch.startTimeoutMs ?? 30_000} ms.`), launch.startTimeoutMs ?? 30_000);
    const fail = (message: string) => {
      clearTimeout(timer);
      if (child.pid) void stopProcessGroup(child.pid, 500);
      reject(new ServerStartError(message, output.trim()));
    };
    child.stdout?.on("data", (chunk: Buffer) => {
      keep(chunk);
      const found = parseListeningUrl(output);
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    });
    child.stderr?.on("data", keep);
    child.once("error", (error) => fail(`Could not start ${launch.binary}: ${error.message}`));
    child.once("exit", (code, signal) => fail(`OpenCode exited during start (${code ?? signal}).`));
  });
  const pid = child.pid as number;
  // If our own process dies without a clean stop (a crashed extension host), take the server with it.
  const killOnExit = () => {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // already gone
    }
  };
  process.once("exit", killOnExit);
  void exited.then(() => process.removeListener("exit", killOnExit));
  // Keep draining the pipes so the server never blocks on a full buffer. Logged in whole lines
  // (characters too): the redactor sees a secret the server wrote in two pieces as one.
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    stream.removeAllListeners("data");
    const lines = lineWriter((text) => launch.logger.trace(`opencode: ${text.trimEnd()}`));
    const characters = new StringDecoder("utf8");
    stream.on("data", (chunk: Buffer) => lines.write(characters.write(chunk)));
    stream.once("end", () => {
      lines.write(characters.end());
      lines.end();
    });
  }

  const credentials = { url, password };
  let identity: ServerIdentity;
  for (let attempt = 0; ; attempt++) {
    try {
      identity = await identifyServer(credentials);
      break;
    } catch (error) {
      if (attempt >= 20) {
        await stopProcessGroup(pid, 500);
        throw new ServerStartError(`OpenCode at ${url} did not become healthy: ${(error as Error).message}`, output.trim());
      }
      await sleep(100);
    }
  }
  launch.logger.info(`OpenCode ${identity.version} listening on ${url} (pid ${pid}, started in ${Date.now() - started} ms)`);

  return {
    url,
    password,
    pid,
    identity,
    exited,
    stop: async (graceMs?: number) => {
      await stopProcessGroup(pid, graceMs);
      // The group is dead; wait until our child (the guard) is also reaped, so no trace of it is left.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 2_000)))]);
      clearTimeout(timer);
      process.removeListener("exit", killOnExit);
    },
  };
}
