/**
 * The OpenCode configuration the orchestrator injects at server start (OPENCODE_CONFIG_CONTENT).
 * It merges over the user's and the project's own config, so only what we need is set here.
 */
import { agentDefinitions } from "../agents/roles";
import { headlessPermissionPolicy } from "../agents/permissions";
import { guardPluginUrl } from "./plugin/guardSettings";

export interface ProviderDefinition {
  id: string;
  name: string;
  baseURL: string;
  models: Record<string, { name: string; limit: { context: number; output: number } }>;
}

export interface ServerConfigOptions {
  /** An extra OpenAI-compatible provider (the scripted demo model, or a test's). */
  provider?: ProviderDefinition;
  /** The default model, "provider/model". */
  model?: string;
  /** Extra keys merged last (e.g. `mcp`). */
  extra?: Record<string, unknown>;
  /** Agents' commands run in the sandbox: nothing else the server starts may run outside it. */
  sandbox?: boolean;
}

export function buildServerConfig(options: ServerConfigOptions = {}): Record<string, unknown> {
  const config: Record<string, unknown> = {
    $schema: "https://opencode.ai/config.json",
    agent: agentDefinitions(),
    permission: headlessPermissionPolicy(),
    autoupdate: false,
    share: "disabled",
    // OpenCode snapshots the whole worktree at every step of every session: ~75% of its CPU with
    // many sessions (docs/benchmarks.md). The orchestrator takes its own checkpoints instead.
    snapshot: false,
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
  return { ...config, ...options.extra };
}
