/**
 * The guard package's entry, run from source (OpenCode 2 loads a plugin directory's `index` file;
 * its package.json says the same for OpenCode 1). The plugin itself is workspaceGuard.ts.
 */
export { default } from "./workspaceGuard";
