/**
 * The mission's acceptance checks, as the Commander runs them: a TODO's after its Worker reports
 * done (before any review), and the project's whole check before the whole is reviewed or sealed.
 * Each run is journaled (started, finished) on its TODO or on the mission, so the views show ✓/✗
 * with the output, and a reload shows the last result.
 */
import { availableParallelism } from "node:os";
import type { OrchestratorEvent } from "../domain/events";
import type { CheckResult, MissionState, TodoState } from "../domain/state";
import type { JobOwner } from "../background/jobManager";
import { checkIssue, runCheck, type CheckJobs } from "./acceptanceChecks";

export interface MissionChecksDeps {
  state: MissionState;
  jobs: CheckJobs;
  /** Marks a check's job as the mission's (the Background Jobs view names its TODO). */
  claim(jobId: string, owner: JobOwner): void;
  timeoutMs: number;
  /** Aborted when the mission halts: a running check is killed with its process group. */
  signal: AbortSignal;
  /** The project's whole check from the settings; over the plan's. */
  command?: string;
  persist(event: OrchestratorEvent, todos?: readonly TodoState[]): void;
  save(): void;
}

/** Checks at once: a wave of Workers ending together must not start thirty test runs on two cores. */
const CHECKS_AT_ONCE = Math.min(8, Math.max(2, availableParallelism()));

export class MissionChecks {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly deps: MissionChecksDeps) {}

  /** Waits for a free check slot; the returned function gives it back. */
  private async slot(): Promise<() => void> {
    if (this.running >= CHECKS_AT_ONCE) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    return () => {
      this.running--;
      this.waiting.shift()?.();
    };
  }

  /** Runs the TODO's check, if it has one: what its Worker is told when it fails, or undefined. */
  async ofTodo(todo: TodoState): Promise<string | undefined> {
    if (!todo.check) return undefined;
    const result = await this.run(todo.check, todo, true);
    // A check the policy or the user refused is no evidence either way: the Reviewer is told it did not run.
    return result.status === "passed" || result.status === "refused" ? undefined : checkIssue(result);
  }

  /**
   * The project's whole check (the setting's, else the plan's), unless it passed since the last
   * TODO changed. A failure opens a sync issue with the output, so the next pass plans fixes
   * instead of sealing. True when it failed.
   */
  async wholeFails(): Promise<boolean> {
    const s = this.deps.state;
    const fromSettings = this.deps.command?.trim();
    const command = fromSettings || s.check;
    if (!command) return false;
    const last = s.checkResult;
    const changedSince = (at: number) => s.todos.some((t) => (t.history.at(-1)?.at ?? 0) > at);
    if (last?.status === "passed" && last.command === command && !changedSince(last.startedAt)) return false;
    // The user's own setting runs as written; the plan's is model-written and passes the policy.
    const result = await this.run(command, undefined, !fromSettings);
    if (result.status === "passed" || result.status === "refused" || this.deps.signal.aborted) return false;
    s.syncIssues.push({ id: `S${s.syncIssues.length + 1}`, title: "The project's check fails", detail: checkIssue(result), todoIds: [], open: true });
    s.integrationChecked = false;
    this.deps.save();
    return true;
  }

  private async run(command: string, todo: TodoState | undefined, gated: boolean): Promise<CheckResult> {
    const { state, persist } = this.deps;
    const record = (result: CheckResult) => {
      if (todo) todo.checkResult = result;
      else state.checkResult = result;
    };
    const todos = todo ? [todo] : [];
    const release = await this.slot();
    const result = await runCheck(this.deps.jobs, command, this.deps.timeoutMs, this.deps.signal, (running) => {
      record(running);
      if (running.jobId) this.deps.claim(running.jobId, { missionId: state.id, role: "check", todoIds: todo ? [todo.id] : [] });
      persist({ type: "check.started", missionId: state.id, todoId: todo?.id, command, jobId: running.jobId }, todos);
    }, gated).finally(release);
    record(result);
    persist({ type: "check.finished", missionId: state.id, todoId: todo?.id, command, status: result.status, exitCode: result.exitCode, durationMs: result.durationMs }, todos);
    return result;
  }
}
