/**
 * The OpenCode configuration the orchestrator injects at server start (OPENCODE_CONFIG_CONTENT):
 * what it needs, said once (ServerConfigOptions), rendered in the shape of the OpenCode that runs —
 * OpenCode 1's here (buildServerConfig), OpenCode 2's native one in v2/serverConfig.ts (its
 * migration guide: do not hand one major the other's shape). It merges over the user's and the
 * project's own config, so only what we need is set.
 */
import { agentDefinitions } from "../agents/roles";
import { headlessPermissionPolicy } from "../agents/permissions";
import type { EngineMajor } from "./engineVersion";
import { guardPluginUrl } from "./plugin/guardSettings";
import { buildV2ServerConfig } from "./v2/serverConfig";

export interface ProviderDefinition {
  id: string;
  name: string;
  baseURL: string;
  models: Record<string, { name: string; limit: { context: number; output: number } }>;
}

/** Our MCP server (background jobs, the chat's search, the roles' report tools): where, and its bearer token. */
export interface ToolsEndpoint {
  url: string;
  token: string;
}

export interface ServerConfigOptions {
  /** An extra OpenAI-compatible provider (the scripted demo model, or a test's). */
  provider?: ProviderDefinition;
  /** The default model, "provider/model". */
  model?: string;
  /** Our MCP server, registered as "orchestrator". */
  tools?: ToolsEndpoint;
  /** Agents' commands run in the sandbox: nothing else the server starts may run outside it. */
  sandbox?: boolean;
  /** Keep OpenCode's per-step snapshots on (off unless asked: benchmarks and tests of a slow server ask). */
  stepSnapshots?: boolean;
}

/** The configuration for the OpenCode a binary said it is. */
export function renderServerConfig(major: EngineMajor, options: ServerConfigOptions = {}): Record<string, unknown> {
  return major === 1 ? buildServerConfig(options) : buildV2ServerConfig(options);
}

/** OpenCode 1's shape. */
export function buildServerConfig(options: ServerConfigOptions = {}): Record<string, unknown> {
  const config: Record<string, unknown> = {
    $schema: "https://opencode.ai/config.json",
    agent: agentDefinitions(),
    permission: headlessPermissionPolicy(),
    autoupdate: false,
    share: "disabled",
    // OpenCode snapshots the whole worktree at every step of every session: ~75% of its CPU with
    // many sessions (docs/benchmarks.md). The orchestrator takes its own checkpoints instead.
    snapshot: options.stepSnapshots === true,
    // Judges every write by where it lands, and keeps our secrets from all the server starts (guard/).
    plugin: [guardPluginUrl()],
    // Formatters and language servers run the workspace's own tools (a prettier config is code)
    // from the server, outside the sandbox: with the sandbox on, they do not run at all.
    ...(options.sandbox ? { formatter: false, lsp: false } : {}),
  };
  if (options.provider) {
    const p = options.provider;
    config.provider = {
      [p.id]: { npm: "@ai-sdk/openai-compatible", name: p.name, options: { baseURL: p.baseURL, apiKey: "unused" }, models: p.models },
    };
  }
  if (options.model) config.model = options.model;
  if (options.tools) config.mcp = { orchestrator: { type: "remote", url: options.tools.url, headers: { Authorization: `Bearer ${options.tools.token}` }, enabled: true } };
  return config;
}
