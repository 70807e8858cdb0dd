/**
 * What file scopes and the job gate need to know of a server, read through its bounded requests:
 * OpenCode's worktree for the workspace (the enclosing repository's root, "/" outside git: edit
 * asks name files from it) and the permission rules it runs with (its merged configuration, the
 * user's own rules included). Each is undefined when the server cannot say.
 */
import { permissionRules, type PermissionRule } from "../agents/commandPolicy";
import type { BoundedRequests } from "./client";

export async function configuredRules(server: BoundedRequests | undefined): Promise<PermissionRule[] | undefined> {
  try {
    const config = await server?.request("its configuration (GET /config)", (client, signal) => client.config.get({}, { throwOnError: true, signal }));
    return config ? permissionRules((config.data as { permission?: unknown }).permission) : undefined;
  } catch {
    return undefined;
  }
}

export async function worktreeOf(server: BoundedRequests | undefined): Promise<string | undefined> {
  try {
    return (await server?.request("its paths (GET /path)", (client, signal) => client.path.get({}, { throwOnError: true, signal })))?.data.worktree || undefined;
  } catch {
    return undefined;
  }
}
