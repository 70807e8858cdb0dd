/** What a TODO's status means, asked the same way by the Commander, the graph and every surface. */

/** Failed or blocked: it will not finish as planned; a replan or the user must act. (A string: the views' status too.) */
export function failedOrBlocked(status: string): boolean {
  return status === "failed" || status === "blocked";
}
