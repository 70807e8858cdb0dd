/**
 * Which commands need a trusted workspace. Agents edit files and run commands as the user, so in
 * Restricted Mode nothing may start one — not Run Task, not Ask (a read-only agent still reads the
 * workspace into a model), and not Resume, Retry or Skip either, which resume a mission — nor write
 * the workspace (reverts), nor read its mission state or run git on its checkpoint store (Show TODO
 * Changes, Review Mission Changes: the state and the store are the workspace's, as untrusted as it
 * is). Every command is classified here, and a
 * unit test holds package.json to this list, so a new command cannot slip through unclassified.
 * No `vscode` import: the classification is tested without an editor.
 */

/** Start agents (directly or by resuming a mission), write workspace files, or read its mission state and checkpoints. */
export const TRUSTED_ONLY = ["orchestrator.ask", "orchestrator.openMission", "orchestrator.showMissionReport", "orchestrator.deleteMission", "orchestrator.runTask", "orchestrator.resume", "orchestrator.approvePlan", "orchestrator.replanPlan", "orchestrator.retryTodo", "orchestrator.skipTodo", "orchestrator.revertTodo", "orchestrator.revertMission", "orchestrator.undoRevert", "orchestrator.showTodoChanges", "orchestrator.reviewMissionChanges"] as const;

/** Show, stop or kill what runs, or touch only the Orchestrator's own state: safe in Restricted Mode. */
export const ALLOWED_UNTRUSTED = [
  "orchestrator.stop",
  "orchestrator.cancelPlan",
  "orchestrator.abortSession",
  "orchestrator.killJob",
  "orchestrator.openDashboard",
  "orchestrator.showLog",
  "orchestrator.showJob",
  "orchestrator.openSession",
  "orchestrator.openTodoSession",
  "orchestrator.openTodoFiles",
  "orchestrator.setServerPassword",
  "orchestrator.setMissionAside",
] as const;

const trustedOnly = new Set<string>(TRUSTED_ONLY);

export function needsTrust(command: string): boolean {
  return trustedOnly.has(command);
}

export const UNTRUSTED_MESSAGE = "Orchestrator runs no agents in an untrusted workspace: agents edit files and run commands. Trust this workspace to run, resume, retry, skip or revert a mission, or to review its changes.";

/**
 * Wraps a command's handler so that it runs only in a trusted workspace; otherwise `refuse` says
 * why. Trust is read at each call: it can be granted (or, on reload, withdrawn) at any time.
 */
export function requireTrust<A extends unknown[], R>(command: string, handler: (...args: A) => R, isTrusted: () => boolean, refuse: () => void): (...args: A) => R | undefined {
  if (!needsTrust(command)) return handler;
  return (...args: A) => {
    if (isTrusted()) return handler(...args);
    refuse();
    return undefined;
  };
}
