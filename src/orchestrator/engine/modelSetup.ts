/**
 * What the orchestrator asks of a server's configuration, through its adapter and bounded: whether
 * OpenCode has a model it can really use (its keyless built-in provider, which cannot answer
 * offline, does not count), whether it snapshots every step, the models a user can pick.
 */
import { isRequestTimeout, type BoundedRequests } from "./client";
import type { ModelChoice } from "../../shared/actions";

export async function hasConfiguredModel(server: BoundedRequests): Promise<boolean> {
  return server.request(server.api.describe("configuration"), (api, signal) => api.hasConfiguredModel(signal));
}

/**
 * Whether the server snapshots the worktree at every step (OpenCode's default): slow with many
 * Workers. A server that hangs on its configuration is not one to run missions on: that is thrown.
 */
export async function takesStepSnapshots(server: BoundedRequests): Promise<boolean> {
  const snapshots = await server.request(server.api.describe("configuration"), (api, signal) => api.takesStepSnapshots(signal)).catch((error: unknown) => {
    if (isRequestTimeout(error)) throw error;
    return undefined;
  });
  return snapshots !== false;
}

/** A model a user can pick for a mission: from a provider OpenCode can reach, with its price where known. */
export type { ModelChoice } from "../../shared/actions";

/** The models of the providers OpenCode has connected (the keyless built-in one only when nothing else is). */
export async function listModels(server: BoundedRequests): Promise<ModelChoice[]> {
  return server.request(server.api.describe("models"), (api, signal) => api.listModels(signal));
}
