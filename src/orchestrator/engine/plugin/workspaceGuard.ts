/**
 * The workspace guard: an OpenCode plugin the orchestrator loads into every server it starts
 * (serverConfig.ts registers it; it runs inside the OpenCode process, under Bun). Two jobs:
 *  - Secrets: once the server has read its password and configuration, they leave its environment,
 *    so nothing it starts later — formatters, language servers, MCP servers, the bash tool,
 *    plugins' shells — inherits them; and the process is made non-dumpable, so another process of
 *    the same user cannot read them from /proc/<pid>/environ or its memory either.
 *  - Writes: every path OpenCode's writing tools are about to write is judged by where it lands
 *    (guardedPaths.ts), before OpenCode's own permission checks run.
 * This module exports the plugin and nothing else: OpenCode calls every function a plugin exports.
 */
import { SECRET_VARIABLES } from "../../process/secrets";
import { guardToolCall } from "./guardedPaths";
import { GUARD_SETTINGS_VARIABLE, parseGuardSettings } from "./guardSettings";
import { makeNonDumpable } from "./nonDumpable";

interface PluginInput {
  directory: string;
}

interface ToolCall {
  tool: string;
}

export async function OrchestratorWorkspaceGuard(input: PluginInput) {
  const settings = parseGuardSettings(process.env[GUARD_SETTINGS_VARIABLE]);
  for (const name of [...SECRET_VARIABLES, GUARD_SETTINGS_VARIABLE]) delete process.env[name];
  await makeNonDumpable();
  const options = { workspace: input.directory, sandbox: settings.sandbox };
  return {
    "tool.execute.before": async (call: ToolCall, output: { args: Record<string, unknown> }) => {
      guardToolCall(call.tool, output.args ?? {}, options);
    },
  };
}
