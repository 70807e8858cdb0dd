/**
 * What the orchestrator asks of a server's configuration. Whether OpenCode has a model it can really use. OpenCode always lists its own keyless "opencode"
 * provider as connected, which cannot answer offline, so it does not count as a configured provider.
 */
import { isRequestTimeout, type BoundedRequests } from "./client";
import type { ModelChoice } from "../../shared/actions";

const CONFIG = "its configuration (GET /config)";
const PROVIDERS = "its providers (GET /provider)";

const KEYLESS_BUILTIN_PROVIDERS = new Set(["opencode"]);

export async function hasConfiguredModel(server: BoundedRequests): Promise<boolean> {
  const config = await server.request(CONFIG, (client, signal) => client.config.get({}, { throwOnError: true, signal }));
  if (typeof config.data.model === "string" && config.data.model) return true;
  const providers = await server.request(PROVIDERS, (client, signal) => client.provider.list({}, { throwOnError: true, signal }));
  return providers.data.connected.some((id) => !KEYLESS_BUILTIN_PROVIDERS.has(id));
}

/**
 * Whether the server snapshots the worktree at every step (OpenCode's default): slow with many
 * Workers. A server that hangs on its configuration is not one to run missions on: that is thrown.
 */
export async function takesStepSnapshots(server: BoundedRequests): Promise<boolean> {
  const config = await server.request(CONFIG, (client, signal) => client.config.get({}, { throwOnError: true, signal })).catch((error: unknown) => {
    if (isRequestTimeout(error)) throw error;
    return undefined;
  });
  return config?.data.snapshot !== false;
}

/** A model a user can pick for a mission: from a provider OpenCode can reach, with its price where known. */
export type { ModelChoice } from "../../shared/actions";

/** The models of the providers OpenCode has connected (the keyless built-in one only when nothing else is). */
export async function listModels(server: BoundedRequests): Promise<ModelChoice[]> {
  const [providers, config] = await Promise.all([
    server.request(PROVIDERS, (client, signal) => client.provider.list({}, { throwOnError: true, signal })),
    server.request(CONFIG, (client, signal) => client.config.get({}, { throwOnError: true, signal })).catch(() => undefined),
  ]);
  const connected = new Set(providers.data.connected);
  const real = [...connected].some((id) => !KEYLESS_BUILTIN_PROVIDERS.has(id));
  const defaultModel = typeof config?.data.model === "string" ? config.data.model : undefined;
  const choices: ModelChoice[] = [];
  for (const provider of providers.data.all) {
    if (!connected.has(provider.id) || (real && KEYLESS_BUILTIN_PROVIDERS.has(provider.id))) continue;
    for (const model of Object.values(provider.models)) {
      const priced = model.cost && (model.cost.input > 0 || model.cost.output > 0);
      choices.push({
        providerID: provider.id,
        modelID: model.id,
        name: model.name || model.id,
        providerName: provider.name || provider.id,
        cost: priced ? { input: model.cost.input, output: model.cost.output, cacheRead: model.cost.cache?.read, cacheWrite: model.cost.cache?.write } : undefined,
        isDefault: defaultModel ? defaultModel === `${provider.id}/${model.id}` : providers.data.default[provider.id] === model.id,
      });
    }
  }
  return choices;
}
