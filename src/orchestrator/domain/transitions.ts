/** Small, pure edits of mission state that the Commander applies and then persists. */
import type { PlannedTodo } from "./schemas";
import { emptyUsageTotals, type MissionState, type TodoState, type TodoStatus, type Usage } from "./state";

/** What a turn cost: what accounting needs of a turn's result. */
export interface TurnCost {
  tokens: { input: number; output: number; cacheRead?: number; cacheWrite?: number };
  cost: number;
  /** Model requests; absent where the runner does not count them. */
  requests?: number;
}

export function setTodoStatus(todo: TodoState, to: TodoStatus, note?: string, now = Date.now()): TodoStatus {
  const from = todo.status;
  todo.status = to;
  todo.history.push(note ? { at: now, status: to, note } : { at: now, status: to });
  return from;
}

function add(usage: Usage, result: TurnCost): void {
  usage.inputTokens += result.tokens.input;
  usage.outputTokens += result.tokens.output;
  usage.cost += result.cost;
  usage.turns += 1;
  usage.requests = (usage.requests ?? 0) + (result.requests ?? 0);
  usage.cacheReadTokens = (usage.cacheReadTokens ?? 0) + (result.tokens.cacheRead ?? 0);
  usage.cacheWriteTokens = (usage.cacheWriteTokens ?? 0) + (result.tokens.cacheWrite ?? 0);
}

/** Rolls a turn's tokens and cost up into the mission, in total and per role. */
export function accountTurn(state: MissionState, role: string, result: TurnCost): void {
  add(state.usage, result);
  const byRole = (state.usageByRole[role] ??= emptyUsageTotals());
  add(byRole, result);
}

/** A TODO the Planner gave, as the mission holds it before any work: pending, with why it is there. */
export function pendingTodo(planned: PlannedTodo, note: string, at: number): TodoState {
  return { ...planned, status: "pending", attempts: 0, sessions: [], reviewIssues: [], history: [{ at, status: "pending", note }] };
}

export const liveTodos = (state: MissionState): TodoState[] => state.todos.filter((t) => t.status !== "replaced");

export function doneCount(state: MissionState): number {
  return liveTodos(state).filter((t) => t.status === "done").length;
}

/**
 * Which TODOs the user may Retry (fresh attempts now) or Skip (its dependents go on without it).
 * The menus, the read model and the Commander all ask these, so no surface can offer what the core refuses.
 */
const RETRYABLE: readonly TodoStatus[] = ["failed", "blocked", "skipped", "pending", "reverted"];
const SKIPPABLE: readonly TodoStatus[] = ["pending", "review", "failed", "blocked", "reverted"];
export const canRetry = (todo: Pick<TodoState, "status">): boolean => RETRYABLE.includes(todo.status);
export const canSkip = (todo: Pick<TodoState, "status">): boolean => SKIPPABLE.includes(todo.status);

/**
 * Whether a TODO's changes can be put back: they were recorded (a checkpoint after its work), name
 * files, and are not reverted already. Revert and every surface that offers it ask this.
 */
export const canRevert = (todo: Pick<TodoState, "status" | "changes">): boolean => todo.status !== "reverted" && !!todo.changes?.head && todo.changes.files.length > 0;

/** Whether the whole mission's changes can be put back: it has its start and end checkpoints, and a live TODO changed files not reverted yet. */
export function canRevertMission(state: Pick<MissionState, "checkpoints" | "todos">): boolean {
  return !!state.checkpoints.start && !!state.checkpoints.end && state.todos.some((t) => t.status !== "replaced" && t.status !== "reverted" && (t.changes?.files.length ?? 0) > 0);
}

/** The user's Retry: a failed or blocked TODO gets fresh attempts. Returns undefined if it cannot be retried now. */
export function retryTodo(state: MissionState, id: string): TodoState | undefined {
  const todo = state.todos.find((t) => t.id === id);
  if (!todo || !canRetry(todo)) return undefined;
  // A reverted TODO starts over from the workspace as it is now: a fresh base for its changes.
  if (todo.status === "reverted") delete todo.changes;
  todo.attempts = 0;
  setTodoStatus(todo, "pending", "retry requested by the user");
  return todo;
}

/** The user's Skip: the TODO is not done, and its dependents may go on. */
export function skipTodo(state: MissionState, id: string): TodoState | undefined {
  const todo = state.todos.find((t) => t.id === id);
  if (!todo || !canSkip(todo)) return undefined;
  setTodoStatus(todo, "skipped", "skipped by the user");
  return todo;
}
