/**
 * What the orchestrator asks of a server's configuration. Whether OpenCode has a model it can really use. OpenCode always lists its own keyless "opencode"
 * provider as connected, which cannot answer offline, so it does not count as a configured provider.
 */
import type { OpencodeClient } from "@opencode-ai/sdk/v2";

const KEYLESS_BUILTIN_PROVIDERS = new Set(["opencode"]);

export async function hasConfiguredModel(client: OpencodeClient): Promise<boolean> {
  const config = await client.config.get({}, { throwOnError: true });
  if (typeof config.data.model === "string" && config.data.model) return true;
  const providers = await client.provider.list({}, { throwOnError: true });
  return providers.data.connected.some((id) => !KEYLESS_BUILTIN_PROVIDERS.has(id));
}

/** Whether the server snapshots the worktree at every step (OpenCode's default): slow with many Workers. */
export async function takesStepSnapshots(client: OpencodeClient): Promise<boolean> {
  const config = await client.config.get({}, { throwOnError: true }).catch(() => undefined);
  return config?.data.snapshot !== false;
}
