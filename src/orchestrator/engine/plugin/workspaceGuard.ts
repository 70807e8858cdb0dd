/**
 * The workspace guard: an OpenCode plugin the orchestrator loads into every server it starts
 * (serverConfig.ts registers its package; it runs inside the OpenCode process, under Bun). One
 * package serves both majors: OpenCode 1 (from 1.18.29) calls `server()`, OpenCode 2 runs `setup(ctx)`.
 * Two jobs:
 *  - Secrets: once the server has read its password and configuration, they leave its environment,
 *    so nothing it starts later — formatters, language servers, MCP servers, the shell tool,
 *    plugins' shells — inherits them; and the process is made non-dumpable, so another process of
 *    the same user cannot read them from /proc/<pid>/environ or its memory either.
 *  - Writes: every path OpenCode's writing tools are about to write is judged by where it lands
 *    (guardedPaths.ts), before OpenCode's own permission checks run.
 * OpenCode 2 runs `setup` per location (a workspace), when it is first used: the secrets leave at
 * the first location, and a second location runs it again (harmless: they are gone).
 * This module exports the plugin and nothing else.
 */
import { SECRET_VARIABLES } from "../../process/secrets";
import { guardToolCall, V1_TOOLS, V2_TOOLS } from "./guardedPaths";
import { GUARD_SETTINGS_VARIABLE, parseGuardSettings, type GuardSettings } from "./guardSettings";
import { makeNonDumpable } from "./nonDumpable";

/** Read once, on the first call of either entry: the variable leaves the environment with the secrets. */
let settings: GuardSettings | undefined;

async function takeSecrets(): Promise<GuardSettings> {
  settings ??= parseGuardSettings(process.env[GUARD_SETTINGS_VARIABLE]);
  for (const name of [...SECRET_VARIABLES, GUARD_SETTINGS_VARIABLE]) delete process.env[name];
  await makeNonDumpable();
  return settings;
}

/** What OpenCode 1 hands `server()`. */
interface V1Input {
  directory: string;
}

/** What OpenCode 2 hands `setup()`: the part of its plugin context the guard uses. */
interface V2Context {
  location?: { directory?: string };
  tool: { hook(name: "execute.before", run: (event: { tool: string; input?: Record<string, unknown> }) => void | Promise<void>): unknown };
}

export default {
  id: "opencode-orchestrator.workspace-guard",

  /** OpenCode 2. */
  async setup(ctx: V2Context): Promise<void> {
    const { sandbox } = await takeSecrets();
    const workspace = ctx.location?.directory ?? process.cwd();
    await ctx.tool.hook("execute.before", (event) => {
      // A copy, assigned back: OpenCode 2 takes the event's input as it is after the hook.
      const input = { ...(event.input ?? {}) };
      guardToolCall(event.tool, input, { workspace, sandbox }, V2_TOOLS);
      event.input = input;
    });
  },

  /** OpenCode 1. */
  async server(input: V1Input) {
    const { sandbox } = await takeSecrets();
    const options = { workspace: input.directory, sandbox };
    return {
      "tool.execute.before": async (call: { tool: string }, output: { args: Record<string, unknown> }) => {
        guardToolCall(call.tool, output.args ?? {}, options, V1_TOOLS);
      },
    };
  },
};
