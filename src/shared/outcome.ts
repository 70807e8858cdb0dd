/**
 * How a command ended, in the same words on every surface — the TODO tree, the Jobs view and its
 * terminal, the dashboard, the timeline: "passed", "failed (exit 1)", "timed out", "exited (exit 0)";
 * with no status (a command in a transcript), "exit 3". A pass is exit 0 by definition: not said.
 */
export function commandOutcome(status: string | undefined, exitCode?: number | null): string {
  const word = status === "timed-out" ? "timed out" : status;
  const code = exitCode === undefined || exitCode === null || status === "passed" ? undefined : `exit ${exitCode}`;
  if (!word) return code ?? "";
  return code ? `${word} (${code})` : word;
}
