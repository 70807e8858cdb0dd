/**
 * Acceptance checks the Commander runs itself: a TODO's `check` after its Worker reports done, and
 * the project's whole check before the review of the whole. Each runs as a background job (own
 * process group, timeout, bounded output, shown in the Background Jobs view) and its exit status
 * is the evidence: a model's "tests pass" never counts for one. No review request is spent on a
 * TODO whose check fails, and a Reviewer's pass never overrides one.
 */
import type { CheckResult } from "../domain/state";

/** What the check needs of the background jobs (BackgroundJobManager has it). */
export interface CheckJobs {
  start(command: string, timeoutSeconds?: number): { id: string };
  /** Starts it only if the permission rules (or the user) allow it: every check, the plan's (model-written) and the setting's. */
  startGated?(command: string, timeoutSeconds?: number): Promise<{ id: string }>;
  get(id: string): CheckJob | undefined;
  kill(id: string): Promise<unknown>;
  readonly changed: { on(listener: (job: CheckJob) => void): { dispose(): void } };
}

export interface CheckJob {
  id: string;
  status: "running" | "exited" | "killed" | "timed-out" | "failed";
  exitCode?: number | null;
  /** Why a job failed without an exit status (its guard was killed). */
  reason?: string;
  endedAt?: number;
  output: { read(tail?: number): string };
}

/** The output a Worker or the Reviewer is shown: enough for a test failure, never a whole log. */
export const CHECK_TAIL_CHARS = 4_000;

/** Runs `command` to its end (or the signal's abort) and says how it went; never throws. */
export async function runCheck(jobs: CheckJobs, command: string, timeoutMs: number, signal: AbortSignal, onStarted?: (running: CheckResult) => void): Promise<CheckResult> {
  const startedAt = Date.now();
  let id: string;
  const seconds = Math.ceil(timeoutMs / 1000);
  const stopError = () => Object.assign(new Error("the mission stopped before the check could run"), { name: "JobRefusedError" });
  // The gate may wait for the user's answer: a stop must not wait for it. The listener goes once the
  // check has started: a mission runs many checks on one signal, and each would leave one behind.
  let onStop = (): void => undefined;
  const stopped = new Promise<never>((_, reject) => {
    onStop = () => reject(stopError());
    if (signal.aborted) onStop();
    else signal.addEventListener("abort", onStop, { once: true });
  });
  stopped.catch(() => undefined);
  try {
    const start = async () => (jobs.startGated ? await Promise.race([jobs.startGated(command, seconds), stopped]) : jobs.start(command, seconds)).id;
    /** Resolves when some job ends (a slot is free) or the mission stops; lets go of its listeners either way. */
    const slotFreed = () =>
      new Promise<void>((resolve) => {
        const done = () => {
          sub.dispose();
          signal.removeEventListener("abort", done);
          resolve();
        };
        const sub = jobs.changed.on((job) => job.endedAt !== undefined && done());
        signal.addEventListener("abort", done, { once: true });
      });
    // Every job slot is taken (agents' jobs, other checks): wait for one to end, never fail the TODO for it.
    for (;;) {
      try {
        id = await start();
        break;
      } catch (error) {
        if ((error as Error).name !== "TooManyJobsError") throw error;
        if (!signal.aborted) await slotFreed();
        if (signal.aborted) throw stopError();
      }
    }
  } catch (error) {
    signal.removeEventListener("abort", onStop);
    const refused = (error as Error).name === "JobRefusedError";
    return { command, status: refused ? "refused" : "error", exitCode: null, tail: refused ? (error as Error).message : `The check could not be started: ${(error as Error).message}`, startedAt, durationMs: Date.now() - startedAt };
  }
  signal.removeEventListener("abort", onStop);
  onStarted?.({ command, status: "running", tail: "", startedAt, jobId: id });
  const ended = await new Promise<CheckJob | undefined>((resolve) => {
    const settle = () => {
      const job = jobs.get(id);
      if (!job || job.endedAt !== undefined) {
        sub.dispose();
        signal.removeEventListener("abort", stop);
        resolve(job);
      }
    };
    // A halted mission leaves no check running: the job's whole process group goes with it.
    const stop = () => void jobs.kill(id);
    const sub = jobs.changed.on((job) => {
      if (job.id === id) settle();
    });
    signal.addEventListener("abort", stop, { once: true });
    if (signal.aborted) stop();
    settle();
  });
  const durationMs = Date.now() - startedAt;
  if (!ended) return { command, status: "error", exitCode: null, tail: "The check's job was lost.", startedAt, durationMs, jobId: id };
  const tail = ended.output.read(CHECK_TAIL_CHARS) + (ended.reason ? `\n[the check's job failed: ${ended.reason}]` : "");
  const status = ended.status === "timed-out" ? "timed-out" : ended.status === "exited" && ended.exitCode === 0 ? "passed" : "failed";
  return { command, status, exitCode: ended.exitCode ?? null, tail, startedAt, durationMs, jobId: id };
}

/** One line for a person or a model: what ran and how it ended. */
export function checkVerdict(result: CheckResult): string {
  switch (result.status) {
    case "passed":
      return `The check \`${result.command}\` passed (exit 0).`;
    case "timed-out":
      return `The check \`${result.command}\` did not finish within its time limit and was stopped.`;
    case "error":
      return `The check \`${result.command}\` could not be run: ${result.tail}`;
    case "refused":
      return `The check \`${result.command}\` was not run: ${result.tail}`;
    case "running":
      return `The check \`${result.command}\` is running.`;
    default:
      return `The check \`${result.command}\` failed (exit ${result.exitCode ?? "none: killed"}).`;
  }
}

/** What a Worker is told when its check failed: the verdict and the output's end, so it can fix it. */
export function checkIssue(result: CheckResult): string {
  const tail = result.tail.trim();
  return tail ? `${checkVerdict(result)} Its output ends with:\n${tail}` : `${checkVerdict(result)} It printed nothing.`;
}
