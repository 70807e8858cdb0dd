/**
 * Owns the engine for the window: started lazily on the first mission (activation stays cheap),
 * reused after, restarted if the server died, stopped with the extension.
 */
import { homedir } from "node:os";
import { join } from "node:path";
import * as vscode from "vscode";
import { Engine } from "../orchestrator/engine/engine";
import { hasConfiguredModel } from "../orchestrator/engine/modelSetup";
import { buildServerConfig } from "../orchestrator/engine/serverConfig";
import type { ModelRef } from "../orchestrator/engine/turn";
import type { RedactingLogger } from "../orchestrator/logger";
import type { ScriptedModel } from "../../test/fixtures/scripted-model/server";
import { DEMO_MODEL, demoProvider, startDemoModel } from "./demoModel";
import type { OrchestratorSettings } from "./settings";

export const SERVER_PASSWORD_SECRET = "orchestrator.opencode.serverPassword";

export interface EngineSession {
  engine: Engine;
  model: ModelRef | undefined;
  demo: boolean;
}

export class EngineHost implements vscode.Disposable {
  private current?: Promise<EngineSession>;
  private demoModel?: ScriptedModel;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly logger: RedactingLogger,
  ) {}

  get(directory: string, settings: OrchestratorSettings): Promise<EngineSession> {
    if (!this.current) {
      const starting = this.start(directory, settings);
      this.current = starting;
      starting.then(
        (session) => void session.engine.server?.exited.then(() => {
          if (this.current === starting) {
            this.logger.warn("OpenCode server exited; it will be started again for the next mission");
            this.current = undefined;
          }
        }),
        () => {
          if (this.current === starting) this.current = undefined;
        },
      );
    }
    return this.current;
  }

  private async start(directory: string, settings: OrchestratorSettings): Promise<EngineSession> {
    if (settings.serverUrl) {
      const password = await this.context.secrets.get(SERVER_PASSWORD_SECRET);
      if (password) this.logger.addSecret(password);
      const engine = await Engine.attach({ directory, url: settings.serverUrl, password, logger: this.logger });
      return { engine, model: settings.model, demo: false };
    }
    const binary = {
      configuredPath: settings.opencodePath,
      pathEnv: process.env.PATH,
      // OpenCode's own installer puts it in ~/.opencode/bin, which a GUI-started editor's PATH often lacks.
      fallbacks: [join(homedir(), ".opencode", "bin", "opencode"), join(this.context.extensionPath, "node_modules", ".bin", "opencode")],
    };
    const launch = (config: Record<string, unknown>) => Engine.start({ directory, binary, config, logger: this.logger }).then((engine) => {
      if (engine.credentials.password) this.logger.addSecret(engine.credentials.password);
      return engine;
    });

    if (settings.demoMode !== "always") {
      const engine = await launch(buildServerConfig());
      if (settings.model || settings.demoMode === "never" || (await hasConfiguredModel(engine.client))) {
        return { engine, model: settings.model, demo: false };
      }
      this.logger.info("No model provider is configured in OpenCode: using the scripted demo model");
      await engine.stop(500);
    }
    this.demoModel ??= await startDemoModel(directory);
    const engine = await launch(buildServerConfig({ provider: demoProvider(this.demoModel.baseURL), model: `${DEMO_MODEL.providerID}/${DEMO_MODEL.modelID}` }));
    return { engine, model: DEMO_MODEL, demo: true };
  }

  /** Stops the server (and the demo model) and forgets them. */
  async stop(graceMs?: number): Promise<void> {
    const current = this.current;
    this.current = undefined;
    if (current) {
      const session = await current.catch(() => undefined);
      await session?.engine.stop(graceMs);
    }
    await this.demoModel?.close();
    this.demoModel = undefined;
  }

  dispose(): void {
    void this.stop(1000);
  }
}
