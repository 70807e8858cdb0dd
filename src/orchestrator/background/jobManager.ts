/**
 * Background jobs for long commands (installs, builds, test suites) that agents start and check
 * without blocking their turn. Each job runs in its own process group with a timeout and dies with
 * its whole tree; its output is kept in a bounded ring buffer in memory and in full in a log file.
 */
import type { ChildProcess } from "node:child_process";
import { appendFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { Emitter } from "../emitter";
import { spawnGuarded, stopProcessGroup } from "../engine/processGroup";
import { RingBuffer } from "./ringBuffer";

export type JobStatus = "running" | "exited" | "killed" | "timed-out";

/** Who started a job: a mission's Worker for its TODO, or its Reviewer for a batch. Learnt from the turn that started it. */
export interface JobOwner {
  missionId: string;
  role: string;
  todoIds: string[];
}

export interface BackgroundJob {
  id: string;
  command: string;
  cwd: string;
  pid: number;
  status: JobStatus;
  exitCode?: number | null;
  startedAt: number;
  endedAt?: number;
  timeoutMs: number;
  logFile: string;
  output: RingBuffer;
  owner?: JobOwner;
}

export interface JobManagerOptions {
  workspace: string;
  /** Where full logs go (default .opencode/orchestrator/jobs). */
  logDir?: string;
  defaultTimeoutMs?: number;
  maxTimeoutMs?: number;
  outputCapacity?: number;
}

export class BackgroundJobManager {
  private readonly jobs = new Map<string, BackgroundJob>();
  private readonly children = new Map<string, ChildProcess>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private next = 0;
  /** Fires with the job that changed (started, wrote output, ended). */
  readonly changed = new Emitter<BackgroundJob>();
  private readonly logDir: string;

  constructor(private readonly options: JobManagerOptions) {
    this.logDir = options.logDir ?? join(options.workspace, ".opencode", "orchestrator", "jobs");
  }

  start(command: string, timeoutSeconds?: number): BackgroundJob {
    if (!command.trim()) throw new Error("background_start needs a command.");
    const maxMs = this.options.maxTimeoutMs ?? 2 * 60 * 60_000;
    const timeoutMs = Math.min(maxMs, Math.max(1_000, (timeoutSeconds ?? (this.options.defaultTimeoutMs ?? 30 * 60_000) / 1000) * 1000));
    const id = `job-${++this.next}`;
    mkdirSync(this.logDir, { recursive: true });
    // Guarded like the server: its own group, ended with everything it started if the extension host dies.
    const child = spawnGuarded("/bin/sh", ["-c", command], { cwd: this.options.workspace });
    const job: BackgroundJob = { id, command, cwd: this.options.workspace, pid: child.pid ?? -1, status: "running", startedAt: Date.now(), timeoutMs, logFile: join(this.logDir, `${id}.log`), output: new RingBuffer(this.options.outputCapacity ?? 64 * 1024) };
    this.jobs.set(id, job);
    this.children.set(id, child);
    const onData = (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      job.output.write(text);
      try {
        appendFileSync(job.logFile, text);
      } catch {
        // the ring buffer still has the tail
      }
      this.changed.fire(job);
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => {
      job.exitCode = code;
      this.release(job.id); // its timeout no longer applies: the command ended by itself
      // The command is gone; what it left running in its group goes with it. The job has ended only
      // once nothing of it is left, so a mission that waits for it never seals over a live process.
      void stopProcessGroup(job.pid, 500).then(() => this.end(job));
    });
    child.once("error", (error) => {
      onData(Buffer.from(`\n[failed to start: ${error.message}]\n`));
      // Never started, so no exit event will come: end the job here, or a mission would wait on it forever.
      if (child.pid === undefined) {
        job.exitCode = null;
        this.end(job);
      }
    });
    this.timers.set(id, setTimeout(() => void this.stop(id, "timed-out"), timeoutMs));
    this.changed.fire(job);
    return job;
  }

  /** Lets go of a job's timeout and process handle. */
  private release(id: string): void {
    clearTimeout(this.timers.get(id));
    this.timers.delete(id);
    this.children.delete(id);
  }

  /** Marks a job ended, once: nothing of it is left running. */
  private end(job: BackgroundJob): void {
    if (job.endedAt !== undefined) return;
    this.release(job.id);
    if (job.status === "running") job.status = "exited";
    job.endedAt = Date.now();
    this.changed.fire(job);
  }

  /** Records who started a job (MCP calls do not say which session made them; the turn's events do). */
  claim(id: string, owner: JobOwner): void {
    const job = this.jobs.get(id);
    if (!job) return;
    job.owner = owner;
    this.changed.fire(job);
  }

  get(id: string): BackgroundJob | undefined {
    return this.jobs.get(id);
  }

  list(): BackgroundJob[] {
    return [...this.jobs.values()];
  }

  /** Jobs not yet ended, including those being killed (their tree may still be dying). */
  running(): BackgroundJob[] {
    return this.list().filter((j) => j.endedAt === undefined);
  }

  async kill(id: string): Promise<BackgroundJob | undefined> {
    return this.stop(id, "killed");
  }

  private async stop(id: string, status: "killed" | "timed-out"): Promise<BackgroundJob | undefined> {
    const job = this.jobs.get(id);
    if (!job || job.endedAt !== undefined) return job;
    if (job.status === "running") job.status = status;
    await stopProcessGroup(job.pid, 1_000);
    return job;
  }

  /** Kills every running job with its process tree. */
  async killAll(): Promise<void> {
    await Promise.all(this.running().map((j) => this.kill(j.id)));
  }

  /** Kills every running job and lets go of listeners and timers. */
  async dispose(): Promise<void> {
    await this.killAll();
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.changed.dispose();
  }
}
