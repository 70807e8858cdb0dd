/**
 * The mission's acceptance checks, as the Commander runs them: a TODO's after its Worker reports
 * done (before any review), and the project's whole check before the whole is reviewed or sealed.
 * Each run is journaled (started, finished) on its TODO or on the mission, so the views show ✓/✗
 * with the output, and a reload shows the last result.
 *
 * TODOs whose checks are the same command (a plan that gives every TODO the project's `npm test`)
 * share a run that has not started yet: it starts after each of them asked, so it sees the workspace
 * as each left it — and in one shared workspace, runs of their own would all see the same files
 * anyway. A run already under way is never joined: it may have read a file before a later Worker
 * finished writing it.
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
  /** Checks at once (default: the cores, 2 to 8). */
  checksAtOnce?: number;
  persist(event: OrchestratorEvent, todos?: readonly TodoState[]): void;
  save(): void;
}

/** Checks at once: a wave of Workers ending together must not start thirty test runs on two cores. */
const CHECKS_AT_ONCE = Math.min(8, Math.max(2, availableParallelism()));

export class MissionChecks {
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  /** TODO checks waiting for a slot, by command: a TODO that asks for the same one joins it. */
  private readonly queued = new Map<string, { todos: TodoState[]; result: Promise<CheckResult> }>();

  constructor(private readonly deps: MissionChecksDeps) {}

  /** Waits for a free check slot; the returned function gives it back. */
  private async slot(): Promise<() => void> {
    if (this.running >= (this.deps.checksAtOnce ?? CHECKS_AT_ONCE)) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    return () => {
      this.running--;
      this.waiting.shift()?.();
    };
  }

  /** Runs the TODO's check, if it has one: what its Worker is told when it fails, or undefined. */
  async ofTodo(todo: TodoState): Promise<string | undefined> {
    const command = todo.check;
    if (!command) return undefined;
    let shared = this.queued.get(command);
    if (shared) shared.todos.push(todo);
    else {
      const todos = [todo];
      // Joinable until it has a slot: from then on it may be reading the workspace.
      const run = { todos, result: this.run(command, todos, () => this.queued.get(command) === run && this.queued.delete(command)) };
      this.queued.set(command, run);
      shared = run;
    }
    const result = await shared.result;
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
    // The plan's check is model-written; the setting's passes the same rules (a workspace once could set it).
    const result = await this.run(command, []);
    if (result.status === "passed" || result.status === "refused" || this.deps.signal.aborted) return false;
    s.syncIssues.push({ id: `S${s.syncIssues.length + 1}`, title: "The project's check fails", detail: checkIssue(result), todoIds: [], open: true });
    s.integrationChecked = false;
    this.deps.save();
    return true;
  }

  /**
   * Runs `command` for `todos` (none: the project's whole check) once a slot is free; `onSlot` runs
   * when it has one, before it starts (no TODO may join it from then on). `todos` may grow until then.
   */
  private async run(command: string, todos: TodoState[], onSlot?: () => void): Promise<CheckResult> {
    const { state, persist } = this.deps;
    const record = (result: CheckResult) => {
      for (const todo of todos) todo.checkResult = { ...result };
      if (!todos.length) state.checkResult = result;
    };
    const each = (journal: (todoId: string | undefined, todo: TodoState[]) => void) => (todos.length ? todos.forEach((t) => journal(t.id, [t])) : journal(undefined, []));
    const release = await this.slot();
    onSlot?.();
    const result = await runCheck(this.deps.jobs, command, this.deps.timeoutMs, this.deps.signal, (running) => {
      record(running);
      if (running.jobId) this.deps.claim(running.jobId, { missionId: state.id, role: "check", todoIds: todos.map((t) => t.id) });
      each((todoId, changed) => persist({ type: "check.started", missionId: state.id, todoId, command, jobId: running.jobId }, changed));
    }).finally(release);
    record(result);
    each((todoId, changed) => persist({ type: "check.finished", missionId: state.id, todoId, command, status: result.status, exitCode: result.exitCode, durationMs: result.durationMs }, changed));
    return result;
  }
}
