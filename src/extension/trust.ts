/**
 * Which commands need a trusted workspace. Agents edit files and run commands as the user, so in
 * Restricted Mode nothing may start one — not Run Task, not Ask (a read-only agent still reads the
 * workspace into a model), and not Resume, Retry or Skip either, which resume a mission — nor write
 * the workspace (reverts), nor read its mission state or run git on its checkpoint store (Show TODO
 * Changes, Review Mission Changes: the state and the store are the workspace's, as untrusted as it
 * is). Every command of src/shared/commands.ts is classified here (the compiler holds the table
 * to the list), and extension.ts registers every command through `guardedCommands`.
 * No `vscode` import: the classification is tested without an editor.
 */
import * as l10n from "@vscode/l10n";
import { COMMANDS, type CommandId, type CommandName } from "../shared/commands";

/**
 * trusted: starts agents (directly or by resuming a mission), writes workspace files, or reads its
 * mission state and checkpoints. untrusted: shows, stops or kills what runs, or touches only the
 * Orchestrator's own state: safe in Restricted Mode.
 */
export const TRUST: Readonly<Record<CommandName, "trusted" | "untrusted">> = {
  runTask: "trusted",
  ask: "trusted",
  resume: "trusted",
  approvePlan: "trusted",
  replanPlan: "trusted",
  retryTodo: "trusted",
  skipTodo: "trusted",
  revertTodo: "trusted",
  revertMission: "trusted",
  undoRevert: "trusted",
  showTodoChanges: "trusted",
  reviewMissionChanges: "trusted",
  openMission: "trusted",
  showMissionReport: "trusted",
  deleteMission: "trusted",
  stop: "untrusted",
  cancelPlan: "untrusted",
  // The three answers, each its own command, guarded as above: the pick itself reads nothing.
  showPlanApproval: "untrusted",
  abortSession: "untrusted",
  killJob: "untrusted",
  openDashboard: "untrusted",
  showLog: "untrusted",
  showJob: "untrusted",
  openSession: "untrusted",
  openTodoSession: "untrusted",
  openTodoFiles: "untrusted",
  setServerPassword: "untrusted",
  setMissionAside: "untrusted",
};

const names = Object.keys(TRUST) as CommandName[];
export const TRUSTED_ONLY: readonly CommandId[] = names.filter((name) => TRUST[name] === "trusted").map((name) => COMMANDS[name]);
export const ALLOWED_UNTRUSTED: readonly CommandId[] = names.filter((name) => TRUST[name] === "untrusted").map((name) => COMMANDS[name]);

const trustedOnly = new Set<string>(TRUSTED_ONLY);

export function needsTrust(command: string): boolean {
  return trustedOnly.has(command);
}

/** Why a command is refused in Restricted Mode, and the way out. */
export const untrustedMessage = (): string => l10n.t("Orchestrator runs no agents in an untrusted workspace: agents edit files and run commands. Trust this workspace to run, resume, retry, skip or revert a mission, or to review its changes.");

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

export type CommandHandler = (...args: never[]) => unknown;

/** Every command with its handler, each guarded as TRUST says: what the extension registers, all of it. */
export function guardedCommands(handlers: Readonly<Record<CommandName, CommandHandler>>, isTrusted: () => boolean, refuse: () => void): Array<[CommandId, CommandHandler]> {
  return names.map((name) => [COMMANDS[name], requireTrust(COMMANDS[name], handlers[name], isTrusted, refuse)]);
}
