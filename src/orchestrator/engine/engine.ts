/**
 * The engine: one OpenCode server (started by us or attached to), its authenticated client and
 * its event stream, bound to one workspace. Everything above it talks to OpenCode through here.
 */
import { setMaxListeners } from "node:events";
import type { OpencodeClient } from "@opencode-ai/sdk/v2";
import type { Disposable } from "../common/disposable";
import type { Logger } from "../common/logger";
import { resolveOpencodeBinary, type BinarySearch } from "./binary";
import { checkHealth, createEngineClient, hungServerAdvice, REQUEST_TIMEOUT_MS, withinDeadline, type BoundedRequests, type ServerCredentials } from "./client";
import { ServerUnreachableError } from "./errors";
import { EventStream, type EventStreamOptions } from "./eventStream";
import type { PoolMember } from "./poolMember";
import { startServer, type RunningServer } from "./serverProcess";
import { isLoopbackUrl } from "./serverUrl";
import { runTurn, type TurnOutcome, type TurnRequest } from "./turn";

export interface EngineStartOptions {
  directory: string;
  binary: BinarySearch;
  config: Record<string, unknown>;
  env?: NodeJS.ProcessEnv;
  logger: Logger;
  events?: EventStreamOptions;
  startTimeoutMs?: number;
  /** How long each request of the start and after it (configuration, providers, event stream) may take (default REQUEST_TIMEOUT_MS). */
  requestTimeoutMs?: number;
}

export interface EngineAttachOptions {
  directory: string;
  url: string;
  password?: string;
  logger: Logger;
  events?: EventStreamOptions;
  /** How long to wait for each answer of the server: health, event stream, configuration … (default ATTACH_TIMEOUT_MS). */
  timeoutMs?: number;
}

/** How long a server we started may take to answer its first request for the workspace (see connect). */
const FIRST_ANSWER_MS = 180_000;

export class Engine implements Disposable, PoolMember, BoundedRequests {
  private disposed = false;
  /** Aborted when a server we started exits without being asked to. */
  private readonly lostController = new AbortController();

  private constructor(
    readonly directory: string,
    readonly credentials: ServerCredentials,
    readonly client: OpencodeClient,
    readonly events: EventStream,
    private readonly logger: Logger,
    private readonly requestTimeoutMs: number,
    /** Present when this engine started the server (and so must stop it). */
    readonly server?: RunningServer,
  ) {
    // Every turn in flight listens for the server's loss: up to the 50 parallel sessions and more.
    setMaxListeners(200, this.lostController.signal);
    void server?.exited.then((code) => {
      if (this.disposed) return;
      logger.warn(`OpenCode exited unexpectedly (${code})`);
      this.lostController.abort();
      this.events.dispose();
    });
  }

  /** False once the server this engine started has exited. */
  get alive(): boolean {
    return !this.lostController.signal.aborted && !this.disposed;
  }

  get lost(): AbortSignal {
    return this.lostController.signal;
  }

  static async start(options: EngineStartOptions): Promise<Engine> {
    const binary = resolveOpencodeBinary(options.binary);
    options.logger.info(`Starting OpenCode (${binary}) for ${options.directory}`);
    const server = await startServer({ binary, cwd: options.directory, config: options.config, env: options.env, logger: options.logger, startTimeoutMs: options.startTimeoutMs });
    try {
      return await Engine.connect(options.directory, server, options.logger, options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS, options.events, server);
    } catch (error) {
      await server.stop();
      throw error;
    }
  }

  static async attach(options: EngineAttachOptions): Promise<Engine> {
    if (!isLoopbackUrl(options.url)) {
      throw new ServerUnreachableError(`Refusing to attach to ${options.url}: only a server on this machine (127.0.0.1) is allowed.`);
    }
    const credentials = { url: new URL(options.url).origin, password: options.password };
    try {
      // Bounded (ATTACH_TIMEOUT_MS unless told otherwise): a port that accepts but never answers must not hang the mission.
      const version = await checkHealth(credentials, undefined, options.timeoutMs);
      options.logger.info(`Attached to OpenCode ${version} at ${credentials.url}`);
    } catch (error) {
      throw new ServerUnreachableError(`Cannot attach: ${(error as Error).message}`);
    }
    return Engine.connect(options.directory, credentials, options.logger, options.timeoutMs ?? REQUEST_TIMEOUT_MS, options.events);
  }

  private static async connect(directory: string, credentials: ServerCredentials, logger: Logger, requestTimeoutMs: number, eventOptions?: EventStreamOptions, server?: RunningServer): Promise<Engine> {
    const client = createEngineClient(credentials, directory);
    const events = new EventStream(client, logger, eventOptions);
    const engine = new Engine(directory, credentials, client, events, logger, requestTimeoutMs, server);
    try {
      if (server) await Engine.firstAnswer(events, logger, server);
      else await engine.request("its event stream (GET /event)", () => events.start());
    } catch (error) {
      events.dispose();
      throw error;
    }
    return engine;
  }

  /**
   * A server we started answers its first request for a folder only once it is ready there: the
   * first start in a workspace installs OpenCode's plugin package into its config folders (a server
   * with a plugin, ours, waits for it), seconds to a minute. It is alive meanwhile, and its exit
   * ends the wait at once; an attached server gets the ordinary request bound instead.
   */
  private static async firstAnswer(events: EventStream, logger: Logger, server: RunningServer): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const slow = setTimeout(() => logger.info("OpenCode is still preparing the workspace (a first start installs its plugin package into .opencode/)"), 10_000);
    try {
      await Promise.race([
        events.start(),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new ServerUnreachableError(`OpenCode's event stream did not connect within ${FIRST_ANSWER_MS / 1000} s.`)), FIRST_ANSWER_MS))),
        server.exited.then((code) => Promise.reject(new ServerUnreachableError(`OpenCode exited (${code}) before its event stream connected.`))),
      ]);
    } finally {
      clearTimeout(timer);
      clearTimeout(slow);
    }
  }

  /** A request to this server, bounded: a server that answers its health and then hangs must not hang us (see BoundedRequests). */
  request<T>(what: string, call: (client: OpencodeClient, signal: AbortSignal) => Promise<T>): Promise<T> {
    return withinDeadline(this.credentials.url, what, hungServerAdvice(this.credentials.url, !this.server), this.requestTimeoutMs, (signal) => call(this.client, signal));
  }

  runTurn<T>(request: TurnRequest<T>): Promise<TurnOutcome<T>> {
    return runTurn({ client: this.client, events: this.events, logger: this.logger, lost: this.lostController.signal }, request);
  }

  /** Answers a permission request; `message` reaches the agent with a rejection. */
  async replyPermission(requestId: string, reply: "once" | "always" | "reject", message?: string): Promise<void> {
    await this.client.permission.reply({ requestID: requestId, reply, ...(message ? { message } : {}) }, { throwOnError: true });
  }

  /** Answers a question request, one list of chosen labels per question. */
  async replyQuestion(requestId: string, answers: string[][]): Promise<void> {
    await this.client.question.reply({ requestID: requestId, answers }, { throwOnError: true });
  }

  async rejectQuestion(requestId: string): Promise<void> {
    await this.client.question.reject({ requestID: requestId }, { throwOnError: true });
  }

  async abortSession(sessionId: string): Promise<void> {
    await this.client.session.abort({ sessionID: sessionId });
  }

  /** Stops the event stream and, if we started it, the server with its whole process group. */
  async stop(graceMs?: number): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.events.dispose();
    if (this.server) {
      await this.server.stop(graceMs);
      this.logger.info("OpenCode stopped");
    }
  }

  dispose(): void {
    void this.stop();
  }
}
