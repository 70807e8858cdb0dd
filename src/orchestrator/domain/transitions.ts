/** Small, pure edits of mission state that the Commander applies and then persists. */
import { emptyUsageTotals, type MissionState, type TodoState, type TodoStatus, type Usage } from "./state";

/** What a turn cost: what accounting needs of a turn's result. */
export interface TurnCost {
  tokens: { input: number; output: number };
  cost: number;
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
}

/** Rolls a turn's tokens and cost up into the mission, in total and per role. */
export function accountTurn(state: MissionState, role: string, result: TurnCost): void {
  add(state.usage, result);
  const byRole = (state.usageByRole[role] ??= emptyUsageTotals());
  add(byRole, result);
}

export const liveTodos = (state: MissionState): TodoState[] => state.todos.filter((t) => t.status !== "replaced");

export function doneCount(state: MissionState): number {
  return liveTodos(state).filter((t) => t.status === "done").length;
}

/** The user's Retry: a failed or blocked TODO gets fresh attempts. Returns false if it cannot be retried now. */
export function retryTodo(state: MissionState, id: string): TodoState | undefined {
  const todo = state.todos.find((t) => t.id === id);
  if (!todo || !["failed", "blocked", "skipped", "pending"].includes(todo.status)) return undefined;
  todo.attempts = 0;
  setTodoStatus(todo, "pending", "retry requested by the user");
  return todo;
}

/** The user's Skip: the TODO is not done, and its dependents may go on. */
export function skipTodo(state: MissionState, id: string): TodoState | undefined {
  const todo = state.todos.find((t) => t.id === id);
  if (!todo || ["running", "done", "replaced", "skipped"].includes(todo.status)) return undefined;
  setTodoStatus(todo, "skipped", "skipped by the user");
  return todo;
}
