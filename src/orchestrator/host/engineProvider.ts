/**
 * Owns the engine for the workspace: started lazily on the first mission (activation stays cheap),
 * reused after, restarted if the server died, stopped with the host. Editor-free: the extension
 * hands it the server password (from its secret storage) and the folder of the bundled binary.
 */
import { homedir } from "node:os";
import { join } from "node:path";
import { Engine } from "../engine/engine";
import { hasConfiguredModel, takesStepSnapshots } from "../engine/modelSetup";
import { buildServerConfig } from "../engine/serverConfig";
import type { ModelRef } from "../domain/modelRef";
import type { RedactingLogger } from "../logger";
import type { ScriptedModel } from "../scriptedModel/server";
import { DEMO_MODEL, demoProvider, startDemoModel } from "./demoModel";
import type { BackgroundJobManager } from "../background/jobManager";
import { startMcpServer, type RunningMcpServer } from "../background/mcpServer";
import type { EngineSettings } from "./hostSettings";

export interface EngineSession {
  engine: Engine;
  model: ModelRef | undefined;
  demo: boolean;
  /** An attached server that snapshots the worktree at every step: missions run slower on it. */
  stepSnapshots?: boolean;
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
}

export class EngineProvider {
  private current?: Promise<EngineSession>;
  private demoModel?: ScriptedModel;
  /** How the current engine was made, to make another the same way after a crash. */
  private relaunch?: () => Promise<Engine>;
  private last?: EngineSession;

  private mcp?: RunningMcpServer;

  private readonly logger: RedactingLogger;
  private readonly jobs?: BackgroundJobManager;

  constructor(private readonly options: EngineProviderOptions) {
    this.logger = options.logger;
    this.jobs = options.jobs;
  }

  /** The `mcp` entry that registers the background-job tools with a server we start. */
  private async toolsConfig(): Promise<Record<string, unknown> | undefined> {
    if (!this.jobs) return undefined;
    if (!this.mcp) {
      this.mcp = await startMcpServer(this.jobs, this.logger);
      this.logger.addSecret(this.mcp.token);
    }
    return { mcp: this.mcp.config() };
  }

  get(directory: string, settings: EngineSettings): Promise<EngineSession> {
    if (!this.current) {
      const starting = this.start(directory, settings);
      this.current = starting;
      starting.then(
        (session) => {
          this.last = session;
          void session.engine.server?.exited.then(() => {
            if (this.current === starting) {
              this.logger.warn("OpenCode server exited; it will be started again when needed");
              this.current = undefined;
            }
          });
        },
        () => {
          if (this.current === starting) this.current = undefined;
        },
      );
    }
    return this.current;
  }

  private async start(directory: string, settings: EngineSettings): Promise<EngineSession> {
    if (settings.serverUrl) {
      const password = await this.options.serverPassword();
      if (password) this.logger.addSecret(password);
      this.relaunch = () => Engine.attach({ directory, url: settings.serverUrl, password, logger: this.logger });
      const engine = await this.relaunch();
      return { engine, model: settings.model, demo: false, stepSnapshots: await takesStepSnapshots(engine.client) };
    }
    const binary = {
      configuredPath: settings.opencodePath,
      pathEnv: process.env.PATH,
      // OpenCode's own installer puts it in ~/.opencode/bin, which a GUI-started editor's PATH often lacks.
      fallbacks: [join(homedir(), ".opencode", "bin", "opencode"), join(this.options.extensionPath, "node_modules", ".bin", "opencode")],
    };
    const launch = (config: Record<string, unknown>) => Engine.start({ directory, binary, config, env: this.options.env, logger: this.logger }).then((engine) => {
      if (engine.credentials.password) this.logger.addSecret(engine.credentials.password);
      return engine;
    });

    const extra = await this.toolsConfig();
    if (settings.demoMode !== "always") {
      this.relaunch = () => launch(buildServerConfig({ extra }));
      const engine = await this.relaunch();
      if (settings.model || settings.demoMode === "never" || (await hasConfiguredModel(engine.client))) {
        return { engine, model: settings.model, demo: false };
      }
      this.logger.info("No model provider is configured in OpenCode: using the scripted demo model");
      await engine.stop(500);
    }
    this.demoModel ??= await startDemoModel(directory);
    const demoConfig = buildServerConfig({ provider: demoProvider(this.demoModel.baseURL), model: `${DEMO_MODEL.providerID}/${DEMO_MODEL.modelID}`, extra });
    this.relaunch = () => launch(demoConfig);
    return { engine: await this.relaunch(), model: DEMO_MODEL, demo: true };
  }

  /** A new engine made like the last one (the server died); it becomes the window's engine. */
  async restart(): Promise<Engine> {
    const previous = this.last;
    if (!this.relaunch || !previous) throw new Error("No OpenCode server was started in this window.");
    const engine = await this.relaunch();
    const current = Promise.resolve({ ...previous, engine });
    this.last = { ...previous, engine };
    this.current = current;
    void engine.server?.exited.then(() => {
      // As for the first server: once it is gone, the next mission starts a new one instead of getting a dead engine.
      if (this.current !== current) return;
      this.logger.warn("OpenCode server exited; it will be started again when needed");
      this.current = undefined;
    });
    return engine;
  }

  /** Stops the server (and the demo model) and forgets them. */
  async stop(graceMs?: number): Promise<void> {
    const current = this.current;
    this.current = undefined;
    this.last = undefined;
    if (current) {
      const session = await current.catch(() => undefined);
      await session?.engine.stop(graceMs);
    }
    await this.demoModel?.close();
    this.demoModel = undefined;
    await this.jobs?.killAll();
    await this.mcp?.close();
    this.mcp = undefined;
  }

}
