/**
 * Our configuration in OpenCode 2's native shape (its `/api/config` schema): agents with a `system`
 * prompt and permission rules, an ordered permission list, `snapshots`, providers with a `package`
 * and `settings`, MCP servers under `mcp.servers`, `plugins` naming a directory. OpenCode 2 reads
 * OpenCode 1's shape too, but not all of it: `codemode: false` exists only in the native MCP entry,
 * and without it our tools hide behind Code Mode's `execute`.
 */
import { headlessPermissionPolicy } from "../../agents/permissions";
import { REPORT_TOOLS } from "../../agents/reportTools";
import { roleAgents } from "../../agents/roles";
import { toV2Action } from "../../agents/toolDialects";
import { guardPluginUrl } from "../plugin/guardSettings";
import type { ServerConfigOptions } from "../serverConfig";

type Rule = { action: string; resource: string; effect: "allow" | "deny" | "ask" };

const deny = (action: string): Rule => ({ action, resource: "*", effect: "deny" });

/**
 * A role's rules: what it must not use (OpenCode 1's tool names, as actions), the other roles'
 * report tools, subagents (a subagent's work is nobody's TODO) and Code Mode's `execute` (it reaches
 * OpenCode's own tools: worktrees, moving a session, other MCP servers' tools).
 */
function roleRules(role: string, denied: readonly string[]): Rule[] {
  const actions = new Set([...denied.map(toV2Action), "subagent", "execute"]);
  for (const tool of REPORT_TOOLS) if (tool.role !== role) actions.add(tool.offered);
  actions.delete("todowrite"); // no such tool in OpenCode 2
  return [...actions].map(deny);
}

export function buildV2ServerConfig(options: ServerConfigOptions = {}): Record<string, unknown> {
  const config: Record<string, unknown> = {
    $schema: "https://opencode.ai/config.json",
    agents: Object.fromEntries(roleAgents().map((a) => [a.name, { mode: "primary", description: a.description, system: a.prompt, permissions: roleRules(a.role, a.denied) }])),
    permissions: Object.entries(headlessPermissionPolicy()).map(([permission, effect]) => ({ action: toV2Action(permission), resource: "*", effect: effect as Rule["effect"] })),
    update: "disable",
    share: "disabled",
    // Two snapshots per model step by default: ~44 % of a v2 server's CPU per turn (docs/benchmarks.md); we keep checkpoints of our own.
    snapshots: options.stepSnapshots === true,
    // A directory (a package): OpenCode 2 loads no single-file plugin. The same package serves OpenCode 1.
    plugins: [guardPluginUrl()],
    ...(options.sandbox ? { formatter: false, lsp: false } : {}),
  };
  if (options.provider) {
    const p = options.provider;
    config.providers = { [p.id]: { name: p.name, package: "aisdk:@ai-sdk/openai-compatible", settings: { baseURL: p.baseURL, apiKey: "unused" }, models: p.models } };
  }
  if (options.model) config.model = options.model;
  if (options.tools) {
    // codemode: false offers the tools to the model directly (orchestrator_<tool>), not only inside `execute`.
    config.mcp = { servers: { orchestrator: { type: "remote", url: options.tools.url, headers: { Authorization: `Bearer ${options.tools.token}` }, codemode: false } } };
  }
  return config;
}
