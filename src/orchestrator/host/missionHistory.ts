/**
 * The workspace's missions as the history view lists them: one line each, from their saved state —
 * what it was, how it ended (in the words of the read model: "interrupted", "reverted"), when, how
 * much of it got done, what it cost, and whether it is the user's own (a mission that is not is listed, marked, and offers nothing to do).
 */
import { countTodos, doneText } from "../domain/progress";
import type { MissionState } from "../domain/state";
import type { MissionSummary } from "../../shared/missionSummary";
import { DEMO_MODEL } from "./demoModel";
import { canResume, missionReverted, shownStatus } from "./readModel";

/** `live`: a Commander runs it in this window now (else a mission found running was cut off). */
export function missionSummary(state: MissionState, notOurs?: string, live = false): MissionSummary {
  const demo = state.model === `${DEMO_MODEL.providerID}/${DEMO_MODEL.modelID}`;
  return {
    missionId: state.id,
    mission: state.mission,
    status: shownStatus(state.status, { live, reverted: missionReverted(state) }),
    createdAt: state.createdAt,
    updatedAt: state.updatedAt,
    done: doneText(countTodos(state.todos), "TODOs done"),
    tokens: state.usage.inputTokens + state.usage.outputTokens,
    cost: state.usage.cost,
    model: demo ? "demo model" : state.model,
    resumable: !notOurs && !live && canResume(state),
    hasReport: !!state.report,
    ...(notOurs ? { notOurs } : {}),
  };
}
