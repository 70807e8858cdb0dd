/**
 * The headless permission policy: nobody sits at OpenCode's terminal, so anything that would ask
 * must either be allowed by policy or reach the user through VS Code (permission.asked).
 * Inside the workspace agents may edit and run commands; outside it, OpenCode asks, and the
 * extension routes the question to the user. The question tool is denied: a Worker must not stop
 * and wait for a chat answer nobody will type.
 */
export function headlessPermissionPolicy(): Record<string, unknown> {
  return {
    "*": "allow",
    external_directory: "ask",
    doom_loop: "ask",
    question: "deny",
  };
}
