/**
 * Files that hold credentials by their name: environment files, private keys, package-registry and
 * login tokens. Where nobody can be asked (the read-only chat), no tool hands their contents to a
 * model. OpenCode's own default asks before `read` of `*.env` and `*.env.*` and allows
 * `*.env.example`; this list matches it and adds the keys and token files.
 */

/** File names (globs on the name alone: `*` is any run of characters) that hold secrets. */
export const SECRET_FILE_NAMES = [
  "*.env",
  "*.env.*",
  "*.pem",
  "*.key",
  "*.p12",
  "*.pfx",
  "id_rsa*",
  "id_dsa*",
  "id_ecdsa*",
  "id_ed25519*",
  ".npmrc",
  ".netrc",
  ".pgpass",
  ".pypirc",
  ".git-credentials",
] as const;

/** Names among those that hold no secret by convention (as OpenCode's default rule says). */
export const NOT_SECRET_FILE_NAMES = ["*.env.example"] as const;

const nameRegex = (glob: string) => new RegExp(`^${glob.replace(/[.+^${}()|[\]\\?]/g, "\\$&").replace(/\*/g, ".*")}$`, "s");
const SECRET = SECRET_FILE_NAMES.map(nameRegex);
const NOT_SECRET = NOT_SECRET_FILE_NAMES.map(nameRegex);

/** Whether a path (any separator, any depth) names a secret file by its last part. */
export function isSecretFile(path: string): boolean {
  const name = path.split(/[\\/]/).pop() ?? "";
  return SECRET.some((r) => r.test(name)) && !NOT_SECRET.some((r) => r.test(name));
}

/**
 * OpenCode permission rules for `permission` (e.g. "read") over the secret files. Its patterns
 * are matched against the path relative to the worktree, `*` crossing folders: a name that starts
 * with `*` matches at any depth as it is; another needs a second pattern for its folders.
 */
export function secretFileRules(permission: string, action: "deny" | "ask"): Array<{ permission: string; pattern: string; action: "deny" | "ask" | "allow" }> {
  const patterns = SECRET_FILE_NAMES.flatMap((name) => (name.startsWith("*") ? [name] : [name, `*/${name}`]));
  return [...patterns.map((pattern) => ({ permission, pattern, action })), ...NOT_SECRET_FILE_NAMES.map((pattern) => ({ permission, pattern, action: "allow" as const }))];
}

/** ripgrep `--glob` arguments that leave the secret files out of a search (a name without a slash matches at any depth). */
export function secretFileGlobs(): string[] {
  return SECRET_FILE_NAMES.map((name) => `--glob=!${name}`);
}
