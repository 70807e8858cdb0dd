/** Small, pure edits of mission state that the Commander applies and then persists. */
import type { TurnResult } from "../engine/turn";
import { emptyUsageTotals, type MissionState, type TodoState, type TodoStatus, type Usage } from "./state";

export function setTodoStatus(todo: TodoState, to: TodoStatus, note?: string, now = Date.now()): TodoStatus {
  const from = todo.status;
  todo.status = to;
  todo.history.push(note ? { at: now, status: to, note } : { at: now, status: to });
  return from;
}

function add(usage: Usage, result: Pick<TurnResult, "tokens" | "cost">): void {
  usage.inputTokens += result.tokens.input;
  usage.outputTokens += result.tokens.output;
  usage.cost += result.cost;
  usage.turns += 1;
}

/** Rolls a turn's tokens and cost up into the mission, in total and per role. */
export function accountTurn(state: MissionState, role: string, result: Pick<TurnResult, "tokens" | "cost">): void {
  add(state.usage, result);
  const byRole = (state.usageByRole[role] ??= emptyUsageTotals());
  add(byRole, result);
}

export const liveTodos = (state: MissionState): TodoState[] => state.todos.filter((t) => t.status !== "replaced");

export function doneCount(state: MissionState): number {
  return liveTodos(state).filter((t) => t.status === "done").length;
}
