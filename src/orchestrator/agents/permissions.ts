/**
 * The headless permission policy: nobody sits at OpenCode's terminal, so anything that would ask
 * must either be allowed by policy or reach the user through VS Code (permission.asked).
 * Inside the workspace agents may edit and run commands; outside it, OpenCode asks, and the
 * extension routes the request to the user (naming the agent and the TODO). The question tool is
 * allowed because the extension routes it too, as a quick pick; the turn's watchdog waits for it.
 */
export function headlessPermissionPolicy(): Record<string, unknown> {
  return {
    "*": "allow",
    external_directory: "ask",
    doom_loop: "ask",
    question: "allow",
  };
}
