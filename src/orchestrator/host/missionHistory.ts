/**
 * The workspace's missions as the history view lists them: one line each, from their saved state —
 * what it was, how it ended, when, how much of it got done, what it cost, and whether it is the
 * user's own (a mission that is not is listed, marked, and offers nothing to do).
 */
import { countTodos, doneText } from "../domain/progress";
import type { MissionState } from "../domain/state";
import type { MissionSummary } from "../../shared/missionSummary";
import { isResumable } from "./readModel";

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
