/**
 * The workspace's missions as the history view lists them: one line each, from their saved state —
 * what it was, how it ended, when, how much of it got done, what it cost.
 */
import { countTodos, doneText } from "../domain/progress";
import type { MissionState } from "../domain/state";
import { isResumable } from "./readModel";

export interface MissionSummary {
  missionId: string;
  mission: string;
  status: string;
  createdAt: number;
  updatedAt: number;
  /** "3/4 TODOs done", as every other surface counts. */
  done: string;
  tokens: number;
  cost: number;
  model?: string;
  resumable: boolean;
  hasReport: boolean;
  /** Why it is only listed (not this user's own): it offers no Resume. */
  notOurs?: string;
}

export function missionSummary(state: MissionState, notOurs?: string): MissionSummary {
  return {
    missionId: state.id,
    mission: state.mission,
    status: state.status,
    createdAt: state.createdAt,
    updatedAt: state.updatedAt,
    done: doneText(countTodos(state.todos), "TODOs done"),
    tokens: state.usage.inputTokens + state.usage.outputTokens,
    cost: state.usage.cost,
    model: state.model,
    resumable: !notOurs && isResumable(state.status),
    hasReport: !!state.report,
    ...(notOurs ? { notOurs } : {}),
  };
}
