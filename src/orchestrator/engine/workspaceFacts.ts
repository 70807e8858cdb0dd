/**
 * What file scopes and the job gate need to know of a server, read through its bounded requests:
 * the folder its edit asks name files from (OpenCode 1: the enclosing repository's root, "/" outside
 * git; OpenCode 2: the workspace) and the permission rules the Workers run with (the user's own
 * rules included). Each is undefined when the server cannot say.
 */
import type { PermissionRule } from "../agents/commandPolicy";
import type { BoundedRequests } from "./client";

export async function configuredRules(server: BoundedRequests | undefined): Promise<PermissionRule[] | undefined> {
  try {
    return server ? await server.request(server.api.describe("rules"), (api, signal) => api.permissionRules(signal)) : undefined;
  } catch {
    return undefined;
  }
}

export async function worktreeOf(server: BoundedRequests | undefined): Promise<string | undefined> {
  try {
    return server ? await server.request(server.api.describe("paths"), (api, signal) => api.worktree(signal)) : undefined;
  } catch {
    return undefined;
  }
}
