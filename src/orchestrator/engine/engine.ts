/**
 * The engine: one OpenCode server (started by us or attached to), the adapter that speaks its major
 * (v1/api.ts, v2/api.ts) and its event stream, bound to one workspace. Everything above it talks to
 * OpenCode through here. Which adapter is decided from what the binary says it is (`--version`),
 * confirmed by the server's own health answer; an attached server by its health answer alone.
 */
import { setMaxListeners } from "node:events";
import type { Disposable } from "../common/disposable";
import type { Logger } from "../common/logger";
import { agentName } from "../agents/roles";
import { ROLES } from "../domain/roles";
import { resolveOpencodeBinary, type BinarySearch } from "./binary";
import { hungServerAdvice, identifyServer, REQUEST_TIMEOUT_MS, withinDeadline, type BoundedRequests, type ServerCredentials } from "./client";
import type { EngineApi } from "./engineApi";
import { identifyBinary, requireSupported, type EngineIdentity, type EngineMajor } from "./engineVersion";
import { ServerStartError, ServerUnreachableError } from "./errors";
import { EventStream, type EventStreamOptions } from "./eventStream";
import type { PoolMember } from "./poolMember";
import { renderServerConfig, type ServerConfigOptions } from "./serverConfig";
import { startServer, type RunningServer } from "./serverProcess";
import type { ReportLedger } from "./structuredResult";
import { isLoopbackUrl } from "./serverUrl";
import { runTurn, type TurnOutcome, type TurnRequest } from "./turn";
import { V1Api } from "./v1/api";
import { V2Api } from "./v2/api";

export interface EngineStartOptions {
  directory: string;
  binary: BinarySearch;
  /** What the server runs with, rendered in the shape of the OpenCode the binary is (serverConfig.ts). */
  config: ServerConfigOptions;
  env?: NodeJS.ProcessEnv;
  logger: Logger;
  events?: EventStreamOptions;
  startTimeoutMs?: number;
  /** How long each request of the start and after it (configuration, providers, event stream) may take (default REQUEST_TIMEOUT_MS). */
  requestTimeoutMs?: number;
  /** The reports our MCP server heard: a turn's report must be one of them (structuredResult.ts). */
  reports?: ReportLedger;
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

/** What a server we started must show before its first turn: our agents, and our tools when we serve them. */
interface Readiness {
  agents: readonly string[];
  tools: boolean;
  /** Whether every client of our tool server has listed its tools (OpenCode 2 is "connected" before). */
  toolsListed?: () => boolean;
}

/** Aborts asked and not yet seen that are remembered: far more than sessions that run at once. */
const MAX_ABORTS_REMEMBERED = 1_000;

function apiFor(identity: EngineIdentity, credentials: ServerCredentials, directory: string): EngineApi {
  return identity.major === 1 ? new V1Api(identity, credentials, directory) : new V2Api(identity, credentials, directory);
}

export class Engine implements Disposable, PoolMember, BoundedRequests {
  private disposed = false;
  /** Aborted when a server we started exits without being asked to. */
  private readonly lostController = new AbortController();
  /** Sessions whose abort was asked through this engine and not yet seen by their turn (bounded: an abort of an idle session is never seen). */
  private readonly abortsAsked = new Set<string>();

  private constructor(
    readonly directory: string,
    readonly credentials: ServerCredentials,
    /** The adapter of this server's major: every request goes through it. */
    readonly api: EngineApi,
    readonly events: EventStream,
    private readonly logger: Logger,
    private readonly requestTimeoutMs: number,
    /** Present when this engine started the server (and so must stop it). */
    readonly server?: RunningServer,
    private readonly reports?: ReportLedger,
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

  /** Which OpenCode this server is (1 or 2), and its version. */
  get identity(): EngineIdentity {
    return this.api.identity;
  }

  get major(): EngineMajor {
    return this.api.identity.major;
  }

  static async start(options: EngineStartOptions): Promise<Engine> {
    const binary = resolveOpencodeBinary(options.binary);
    // Before anything starts: a version we cannot run stops here, saying which it is and which run.
    const said = await identifyBinary(binary);
    if (said.untested) options.logger.warn(`OpenCode ${said.version} is newer than the versions this extension was tested with; if something fails, say so in an issue`);
    options.logger.info(`Starting OpenCode ${said.version} (${binary}) for ${options.directory}`);
    const server = await startServer({ binary, cwd: options.directory, config: renderServerConfig(said.major, options.config), env: options.env, logger: options.logger, startTimeoutMs: options.startTimeoutMs });
    try {
      // The server confirms what its binary said (a wrapper script could have started another one).
      if (server.identity.major !== said.major) throw new ServerStartError(`${binary} said it is OpenCode ${said.version}, but its server answers as OpenCode ${server.identity.version}.`, "");
      const listed = options.reports?.everyClientListed?.bind(options.reports);
      const ready: Readiness = { agents: ROLES.map(agentName), tools: options.config.tools !== undefined, ...(listed ? { toolsListed: listed } : {}) };
      return await Engine.connect(options.directory, server, { major: said.major, version: server.identity.version }, options.logger, options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS, options.events, server, ready, options.reports);
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
    let identity: EngineIdentity;
    try {
      // Bounded (ATTACH_TIMEOUT_MS unless told otherwise): a port that accepts but never answers must not hang the mission.
      const said = await identifyServer(credentials, undefined, options.timeoutMs);
      identity = { major: said.major, version: said.version };
    } catch (error) {
      throw new ServerUnreachableError(`Cannot attach: ${(error as Error).message}`);
    }
    // Classified like a binary: a version that does not run stops here, named.
    const supported = requireSupported(identity.version, `The server at ${credentials.url}`);
    if (supported.major !== identity.major) throw new ServerUnreachableError(`Cannot attach: the server at ${credentials.url} says it is OpenCode ${identity.version} but answers as OpenCode ${identity.major}.`);
    options.logger.info(`Attached to OpenCode ${identity.version} at ${credentials.url}`);
    return Engine.connect(options.directory, credentials, identity, options.logger, options.timeoutMs ?? REQUEST_TIMEOUT_MS, options.events);
  }

  private static async connect(directory: string, credentials: ServerCredentials, identity: EngineIdentity, logger: Logger, requestTimeoutMs: number, eventOptions?: EventStreamOptions, server?: RunningServer, ready?: Readiness, reports?: ReportLedger): Promise<Engine> {
    const api = apiFor(identity, credentials, directory);
    const events = new EventStream(api, logger, eventOptions);
    const engine = new Engine(directory, credentials, api, events, logger, requestTimeoutMs, server, reports);
    try {
      if (server) await Engine.firstAnswer(engine, server, ready ?? { agents: [], tools: false });
      else await engine.request(api.identity.major === 1 ? "its event stream (GET /event)" : "its event stream (GET /api/event)", () => events.start());
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
  private static async firstAnswer(engine: Engine, server: RunningServer, ready: Readiness): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const slow = setTimeout(() => engine.logger.info("OpenCode is still preparing the workspace (a first start installs its plugin package into .opencode/)"), 10_000);
    const controller = new AbortController();
    try {
      await Promise.race([
        // OpenCode 2 loads the workspace (its location) lazily: our agents and tools are there only once it did.
        engine.events.start().then(() => engine.api.prepare(controller.signal, ready)),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new ServerUnreachableError(`OpenCode did not get ready for the workspace within ${FIRST_ANSWER_MS / 1000} s.`)), FIRST_ANSWER_MS))),
        server.exited.then((code) => Promise.reject(new ServerUnreachableError(`OpenCode exited (${code}) before it was ready for the workspace.`))),
      ]);
    } finally {
      controller.abort();
      clearTimeout(timer);
      clearTimeout(slow);
    }
  }

  /** A request to this server, bounded: a server that answers its health and then hangs must not hang us (see BoundedRequests). */
  request<T>(what: string, call: (api: EngineApi, signal: AbortSignal) => Promise<T>): Promise<T> {
    return withinDeadline(this.credentials.url, what, hungServerAdvice(this.credentials.url, !this.server), this.requestTimeoutMs, (signal) => call(this.api, signal));
  }

  runTurn<T>(request: TurnRequest<T>): Promise<TurnOutcome<T>> {
    return runTurn({ api: this.api, events: this.events, logger: this.logger, lost: this.lostController.signal, reports: this.reports, abortedHere: (sessionId) => this.abortsAsked.delete(sessionId) }, request);
  }

  /** Answers a permission request of `sessionId`; `message` reaches the agent with a rejection. */
  async replyPermission(request: { id: string; sessionId: string }, reply: "once" | "always" | "reject", message?: string): Promise<void> {
    await this.api.replyPermission(request, reply, message);
  }

  /** Answers a question request, one list of chosen labels per question. */
  async replyQuestion(request: { id: string; sessionId: string }, answers: string[][]): Promise<void> {
    await this.api.replyQuestion(request, answers);
  }

  async rejectQuestion(request: { id: string; sessionId: string }): Promise<void> {
    await this.api.rejectQuestion(request);
  }

  async abortSession(sessionId: string): Promise<void> {
    this.abortsAsked.add(sessionId);
    if (this.abortsAsked.size > MAX_ABORTS_REMEMBERED) this.abortsAsked.delete(this.abortsAsked.values().next().value as string);
    await this.api.abort(sessionId);
  }

  /** The sessions at work now (busy or waiting to retry). */
  busySessions(): Promise<string[]> {
    return this.request("its busy sessions", (api, signal) => api.busySessions(signal));
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
