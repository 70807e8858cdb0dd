/** What a TODO's status says about it, decided here once for every place that asks. */

/** Failed or blocked: it will not go on by itself; it waits for a replan or for the user. */
export function isStuck(status: string): boolean {
  return status === "failed" || status === "blocked";
}
