/**
 * Nothing runs: what comes next. With every TODO done, the mission's own background jobs are waited
 * for, the project's check runs (a failure opens a sync issue), and the mission is sealed once the
 * whole was reviewed and no sync issue is open — else the whole is reviewed, or the open issues are
 * replanned. With TODOs left, what is failed, blocked or stuck behind them is replanned; else the
 * mission halts (reverted TODOs wait for the user; otherwise the dependencies are dead).
 */
import type { MissionState } from "../domain/state";
import { liveTodos } from "../domain/transitions";
import { failedOrBlocked } from "../domain/todoStatus";
import type { Logger } from "../common/logger";
import { TodoGraph } from "../todo/todoGraph";
import type { ChangeRecorder } from "./changeRecorder";
import type { MissionChecks } from "./missionChecks";
import type { MissionJobs } from "./missionJobs";
import { missionReport } from "./missionReport";
import type { Planning } from "./planning";
import { deadDependencies, revertedTodos, type MissionHalt } from "./stopRules";

export interface QuietDeps {
  state: MissionState;
  jobs: MissionJobs;
  checks: MissionChecks;
  changes: ChangeRecorder;
  planning: Planning;
  /** The halt under way, if any. */
  halt(): MissionHalt | undefined;
  /** Waits until `subscribe` calls back, or a halt or a user's edit wakes the loop. */
  waitFor(subscribe: (done: () => void) => { dispose(): void }): Promise<void>;
  /** Seals the mission (its status journaled, its state saved). */
  seal(): void;
  logger: Logger;
}

/** "continue": the loop looks again; "review": the whole is due for review; a MissionHalt ends the mission. */
export async function whenQuiet(deps: QuietDeps): Promise<"sealed" | "review" | "continue" | MissionHalt> {
  const s = deps.state;
  const graph = new TodoGraph(s.todos);
  const openIssues = s.syncIssues.filter((i) => i.open);
  if (!graph.allDone()) {
    if (liveTodos(s).some((t) => failedOrBlocked(t.status)) || graph.stuck().length) {
      await deps.planning.replan();
      return "continue";
    }
    const reverted = liveTodos(s).filter((t) => t.status === "reverted");
    return reverted.length ? revertedTodos(reverted.map((t) => t.id)) : deadDependencies();
  }
  if (openIssues.length === 0 && s.integrationChecked && deps.jobs.holdingSeal().length) {
    deps.logger.info(`Waiting for ${deps.jobs.holdingSeal().length} background job(s) of the mission before sealing`);
    await deps.waitFor((done) => deps.jobs.whenFinished(done));
    return "continue";
  }
  const checkFails = openIssues.length === 0 && (await deps.checks.wholeFails());
  // A stop during the check: no seal on a check that did not finish.
  const halt = deps.halt();
  if (halt) throw halt;
  if (checkFails) return "continue";
  if (openIssues.length) {
    await deps.planning.replan();
    return "continue";
  }
  if (!s.integrationChecked) return "review";
  await deps.changes.missionEnd(s);
  s.report = missionReport(s, "sealed");
  deps.seal();
  return "sealed";
}
