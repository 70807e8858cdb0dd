/** What tests ask of saved missions that the product never asks. */
import { TERMINAL_STATUSES, type MissionState } from "../../src/orchestrator/domain/state";
import type { MissionStore } from "../../src/orchestrator/mission/missionStore";
import type { StateFileError } from "../../src/orchestrator/mission/stateErrors";

/**
 * The most recently updated mission that is not finished for good, if any. `onProblem` hears of
 * every bad state file: unreadable ones, and recovered ones.
 */
export function findUnfinished(store: MissionStore, onProblem?: (error: StateFileError) => void): Promise<MissionState | undefined> {
  return store.latest((state) => !TERMINAL_STATUSES.includes(state.status), onProblem);
}
