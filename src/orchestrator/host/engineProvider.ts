/**
 * Owns the engine pool for the workspace: its first server started lazily on the first mission
 * (activation stays cheap), the others by the pool when a parallel wave needs them, all reused
 * after, restarted by the pool when one dies, stopped with the host. Editor-free: the extension
 * hands it the server password (from its secret storage) and the folder of the bundled binary.
 */
import { rmSync } from "node:fs";
import { availableParallelism, homedir } from "node:os";
import { join } from "node:path";
import { Engine } from "../engine/engine";
import { EnginePool } from "../engine/enginePool";
import { memberEnvironment } from "../engine/memberEnvironment";
import { ownedTempDir } from "../process/ownedTempDir";
import { hasConfiguredModel, takesStepSnapshots } from "../engine/modelSetup";
import { poolSize, turnsPerMember, type PoolMachine } from "../engine/poolSize";
import type { EngineMajor } from "../engine/engineVersion";
import type { ServerConfigOptions } from "../engine/serverConfig";
import type { ServerCount } from "../settings/settingsTable";
import type { Logger } from "../common/logger";
import { guardSettingsEnv } from "../engine/plugin/guardSettings";
import type { ModelRef } from "../domain/modelRef";
import type { RedactingLogger } from "../common/logger";
import type { ScriptedModel } from "../scriptedModel/server";
import { NUMBER_DEFAULTS } from "../settings/settingsTable";
import { DEMO_MODEL, demoProvider, startDemoModel } from "./demoModel";
import type { BackgroundJobManager } from "../background/jobManager";
import { startMcpServer, type RunningMcpServer } from "../background/mcpServer";
import { WorkspaceSearch } from "../background/workspaceSearch";
import { createAgentShell, type AgentShell } from "../process/agentShell";
import type { EngineSettings } from "./hostSettings";

/** What a mission or a question gets from the provider: the pool (shared, kept running), its model, demo mode. */
export interface EngineLease {
  /** The servers of the workspace: a mission's turns run on it, each session on one member. */
  pool: EnginePool<Engine>;
  model: ModelRef | undefined;
  demo: boolean;
  /** An attached server that snapshots the worktree at every step: missions run slower on it. */
  stepSnapshots?: boolean;
}

/**
 * The pool's size for the OpenCode that runs. OpenCode 2 keeps the user's provider logins in its
 * database (it imports `auth.json` once, when the database is made): a member with data of its own
 * sees the v1-era keys linked in and the providers configured in files, not the logins made with
 * OpenCode 2. Until members can share them safely (an OAuth token copied to several servers forks
 * when one refreshes it), `auto` runs one OpenCode 2 server (outside demo mode, whose provider is in
 * our config); an explicit count is honoured, with a warning.
 */
export function membersFor(setting: ServerCount, major: EngineMajor, demo: boolean, machine: PoolMachine, logger: Logger): number {
  const size = poolSize(setting, machine);
  if (major === 1 || demo || size === 1) return size;
  if (setting === "auto") {
    logger.info(`OpenCode 2: one server (orchestrator.servers: auto would start up to ${size}). OpenCode 2 keeps provider logins in its database, which another server with data of its own cannot read; set orchestrator.servers to a number to run more`);
    return 1;
  }
  logger.warn(`OpenCode 2 with ${size} servers: servers 2 and up see the providers configured in files and the keys in auth.json, not logins made with OpenCode 2 (they live in server 1's database)`);
  return size;
}

export interface EngineProviderOptions {
  logger: RedactingLogger;
  /** The password of an attached server (orchestrator.opencode.serverUrl), kept by the editor as a secret. */
  serverPassword: () => Promise<string | undefined>;
  /** Where the extension is installed: its bundled development copy of opencode is the last fallback. */
  extensionPath: string;
  /** Background jobs of the workspace; their tools reach the agents through MCP. */
  jobs?: BackgroundJobManager;
  /** The environment of the servers it starts (default: the extension host's). */
  env?: NodeJS.ProcessEnv;
  /** CPU cores for `orchestrator.servers: auto` (default: this machine's). */
  cores?: number;
  /** How long each request of a start or an attach may take (default REQUEST_TIMEOUT_MS, 10 s). */
  requestTimeoutMs?: number;
}

export class EngineProvider {
  private current?: Promise<EngineLease>;
  private demoModel?: ScriptedModel;
  private mcp?: RunningMcpServer;
  /** The data directories of members 2 and up (member 1 uses the user's), removed with the pool. */
  private poolDir?: string;
  /** The shell of every agent command (SHELL of the servers we start, the jobs' interpreter). */
  private shell?: AgentShell;

  private readonly logger: RedactingLogger;
  private readonly jobs?: BackgroundJobManager;

  constructor(private readonly options: EngineProviderOptions) {
    this.logger = options.logger;
    this.jobs = options.jobs;
  }

  /**
   * Our MCP server (background jobs, the chat's search, the roles' report tools) for the servers we
   * start: one in the extension host, the same endpoint registered with every member.
   */
  private async tools(directory: string): Promise<RunningMcpServer> {
    if (!this.mcp) {
      this.mcp = await startMcpServer(this.jobs, this.logger, new WorkspaceSearch(directory));
      this.logger.addSecret(this.mcp.token);
    }
    return this.mcp;
  }

  /** `maxParallelSessions` sizes an `auto` pool (no more servers than sessions that can run at once). */
  get(directory: string, settings: EngineSettings, maxParallelSessions = NUMBER_DEFAULTS.maxParallelSessions): Promise<EngineLease> {
    if (!this.current) {
      const starting = this.start(directory, settings, maxParallelSessions);
      this.current = starting;
      starting.catch(() => {
        if (this.current === starting) this.current = undefined;
      });
    }
    return this.current;
  }

  private async start(directory: string, settings: EngineSettings, maxParallelSessions: number): Promise<EngineLease> {
    if (settings.serverUrl) {
      const password = await this.options.serverPassword();
      if (password) this.logger.addSecret(password);
      const attach = () => Engine.attach({ directory, url: settings.serverUrl, password, logger: this.logger, timeoutMs: this.options.requestTimeoutMs });
      const engine = await attach();
      if (engine.major === 2) {
        // Its structured results come through our report tools, which only a server started with
        // our configuration has (engine/v2/serverConfig.ts): every Planner turn would fail.
        await engine.stop();
        throw new Error(`${settings.serverUrl} is OpenCode ${engine.identity.version}: attaching to an OpenCode 2 server is not supported yet (its missions need the orchestrator's report tools, which only a server the extension starts has). Clear orchestrator.opencode.serverUrl to let the extension start its own.`);
      }
      let stepSnapshots: boolean;
      try {
        stepSnapshots = await takesStepSnapshots(engine);
      } catch (error) {
        await engine.stop();
        throw error;
      }
      if (settings.servers !== undefined && settings.servers !== "auto" && settings.servers !== 1) this.logger.info("orchestrator.servers does not apply to an attached server: its sessions all run there");
      return { pool: new EnginePool({ size: 1, first: engine, start: attach, logger: this.logger }), model: settings.model, demo: false, stepSnapshots };
    }
    // Secrets out of the commands' environment, and the sandbox when asked for (agentShell.ts).
    this.shell ??= createAgentShell({ workspace: directory, sandbox: settings.sandbox ?? "off", userShell: (this.options.env ?? process.env).SHELL });
    this.jobs?.setShell(this.shell.jobShell, { plain: this.shell.sandbox === "off" });
    if (this.shell.sandbox !== "off") this.logger.info(`Agents' commands run in a ${this.shell.sandbox} sandbox: only the workspace is writable`);
    const binary = {
      configuredPath: settings.opencodePath,
      pathEnv: process.env.PATH,
      // OpenCode's own installer puts it in ~/.opencode/bin, which a GUI-started editor's PATH often lacks.
      fallbacks: [join(homedir(), ".opencode", "bin", "opencode"), join(this.options.extensionPath, "node_modules", ".bin", "opencode")],
    };
    const tools = await this.tools(directory);
    const launch = (config: ServerConfigOptions, index: number) =>
      Engine.start({ directory, binary, config, env: this.memberEnv(index), logger: this.logger, requestTimeoutMs: this.options.requestTimeoutMs, reports: tools.reports }).then((engine) => {
        if (engine.credentials.password) this.logger.addSecret(engine.credentials.password);
        return engine;
      });
    const pool = (config: ServerConfigOptions, first: Engine, demo: boolean) => {
      const size = membersFor(settings.servers ?? "auto", first.major, demo, { cores: this.options.cores ?? availableParallelism(), maxParallelSessions }, this.logger);
      if (size > 1) this.logger.info(`OpenCode pool: up to ${size} servers (orchestrator.servers: ${settings.servers ?? "auto"}); another starts when each running one has ${turnsPerMember(size, maxParallelSessions)} turn(s)`);
      return new EnginePool({ size, first, start: (index) => launch(config, index), logger: this.logger, perMember: turnsPerMember(size, maxParallelSessions) });
    };

    if (settings.demoMode !== "always") {
      const config: ServerConfigOptions = { tools: tools.endpoint, sandbox: this.shell.sandbox !== "off" };
      const engine = await launch(config, 0);
      try {
        if (settings.model || settings.demoMode === "never" || (await hasConfiguredModel(engine))) {
          return { pool: pool(config, engine, false), model: settings.model, demo: false };
        }
      } catch (error) {
        await engine.stop(500);
        throw error;
      }
      this.logger.info("No model provider is configured in OpenCode: using the scripted demo model");
      await engine.stop(500);
    }
    this.demoModel ??= await startDemoModel(directory);
    const demoConfig: ServerConfigOptions = { provider: demoProvider(this.demoModel.baseURL), model: `${DEMO_MODEL.providerID}/${DEMO_MODEL.modelID}`, tools: tools.endpoint, sandbox: this.shell.sandbox !== "off" };
    return { pool: pool(demoConfig, await launch(demoConfig, 0), true), model: DEMO_MODEL, demo: true };
  }

  /** Member 1 runs in the given environment; the others get data directories of their own. */
  private memberEnv(index: number): NodeJS.ProcessEnv {
    const base = { ...(this.options.env ?? process.env), ...(this.shell ? { SHELL: this.shell.path, ...guardSettingsEnv({ sandbox: this.shell.sandbox !== "off" }) } : {}) };
    if (index === 0) return base;
    this.poolDir ??= ownedTempDir("pool");
    return memberEnvironment(base, this.poolDir, index);
  }

  /** Stops every server (and the demo model, the jobs, the MCP server) and forgets them. */
  async stop(graceMs?: number): Promise<void> {
    const current = this.current;
    this.current = undefined;
    if (current) {
      const session = await current.catch(() => undefined);
      await session?.pool.stop(graceMs);
    }
    await this.demoModel?.close();
    this.demoModel = undefined;
    await this.jobs?.killAll();
    await this.mcp?.close();
    this.mcp = undefined;
    if (this.poolDir) rmSync(this.poolDir, { recursive: true, force: true });
    this.poolDir = undefined;
    this.jobs?.setShell("/bin/sh", { plain: true });
    this.shell?.dispose();
    this.shell = undefined;
  }
}
