/**
 * The orchestrator's own secrets, as environment variables of the servers it starts: with the
 * password a process could answer its own permission requests, with the config's MCP token start
 * background jobs (OpenCode 2 reads its password from OPENCODE_PASSWORD first, then from
 * OPENCODE_SERVER_PASSWORD). No process an agent can influence may see them (agentShell.ts for
 * commands, the workspace guard inside the server for everything else the server starts).
 */
export const SECRET_VARIABLES = ["OPENCODE_SERVER_PASSWORD", "OPENCODE_PASSWORD", "OPENCODE_SERVER_USERNAME", "OPENCODE_CONFIG_CONTENT", "OPENCODE_ORCHESTRATOR_TOKEN"] as const;

/** The environment minus the orchestrator's secrets: what a command we spawn ourselves gets. */
export function withoutSecrets(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const copy = { ...env };
  for (const name of SECRET_VARIABLES) delete copy[name];
  return copy;
}
