/**
 * The headless permission policy: nobody sits at OpenCode's terminal, so anything that would ask
 * reaches the user through VS Code (permission.asked), naming the agent and the TODO. Outside the
 * workspace OpenCode asks; the question tool is allowed because the extension routes it too, as a
 * quick pick (the turn's watchdog waits for it). Everything else is OpenCode's own default (allow)
 * or the user's rules: no catch-all here, since OpenCode merges our configuration after the user's
 * and a "*" of ours would come last and override every rule the user wrote (last match wins).
 */
export function headlessPermissionPolicy(): Record<string, unknown> {
  return {
    external_directory: "ask",
    doom_loop: "ask",
    question: "allow",
  };
}

/**
 * Inside the workspace, what configures git, OpenCode and the editor (hooks, plugins, MCP commands,
 * settings, direnv's `.envrc`): code an agent put there would run outside its sandbox and its permission rules, so a
 * write there is the user's to allow (fileScopes.ts) and read-only in the sandbox (agentShell.ts).
 */
export const PROTECTED_IN_WORKSPACE = [".git", ".opencode", ".vscode", "opencode.json", "opencode.jsonc", ".envrc"] as const;
