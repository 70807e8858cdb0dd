/**
 * Background jobs for long commands (installs, builds, test suites) that agents start and check
 * without blocking their turn. Each job runs in its own process group with a timeout and dies with
 * its whole tree; its output is kept in a bounded ring buffer in memory and in a bounded, rotated
 * log file written asynchronously (jobLog.ts). At most `maxRunningJobs` run at once: one more is
 * refused with a message that says what to do, so agents cannot fork-bomb the machine through us.
 */
import { mkdirSync } from "node:fs";
import { constants as osConstants } from "node:os";
import { join, relative, isAbsolute } from "node:path";
import { makeContainedDir } from "../workspace/containedFiles";
import { Emitter } from "../common/emitter";
import { launcher, type StartedProcess } from "../process/launcher";
import { containmentOf, guardedCommand, type Containment } from "../process/guard";
import { stopProcessGroup, watchGuard } from "../process/processGroup";
import { directCommand } from "./directCommand";
import { JobLog } from "./jobLog";
import { RingBuffer } from "./ringBuffer";
import { withoutSecrets } from "../process/secrets";
import type { JobStatus } from "../../shared/job";

/** "failed": it ended without its command's exit status (its guard was killed, or the launcher went away); `reason` says how. */
export type { JobStatus } from "../../shared/job";

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
  /** Why it failed, for a person or a model: what happened and what became of what it started. */
  reason?: string;
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
  /** Jobs running at once (default 16); one more is refused. */
  maxRunningJobs?: number;
  /** Bytes of a job's log file before it rotates (default 4 MiB; a job keeps at most two files). */
  maxLogBytes?: number;
}

/** Decides whether a command may run: the same permission rules as OpenCode's bash tool (see commandPolicy.ts). */
export type JobGate = (command: string) => Promise<{ allowed: true } | { allowed: false; reason: string }>;

/** What `startGated` says when the permission policy (or the user) refused the command. */
export class JobRefusedError extends Error {
  override readonly name = "JobRefusedError";
}

export const DEFAULT_MAX_RUNNING_JOBS = 16;
const DEFAULT_MAX_LOG_BYTES = 4 * 1024 * 1024;

/** What `start` says when the bound is reached: the limit, and the way on. */
export class TooManyJobsError extends Error {
  override readonly name = "TooManyJobsError";
  constructor(limit: number) {
    super(`Too many background jobs: ${limit} are running, the most allowed at once. Wait for one to end (background_status) or kill one you no longer need (background_kill), then start this one again.`);
  }
}

export class BackgroundJobManager {
  private readonly jobs = new Map<string, BackgroundJob>();
  private readonly children = new Map<string, StartedProcess>();
  /** Resolves once a job's process has started (its pid known) or could not start. */
  private readonly spawned = new Map<string, Promise<void>>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly logs = new Map<string, JobLog>();
  /** Jobs whose command exited and whose tree and log are being wound up. */
  private readonly endings = new Set<Promise<void>>();
  private next = 0;
  private logDirReady = false;
  /** Fires with the job that changed (started, wrote output, ended). */
  readonly changed = new Emitter<BackgroundJob>();
  private readonly logDir: string;

  private gate?: JobGate;
  /** The shell jobs run in (agentShell.ts: no secrets in its environment, the sandbox if on); default /bin/sh. */
  private shell = "/bin/sh";
  private plainShell = true;

  constructor(private readonly options: JobManagerOptions) {
    this.logDir = options.logDir ?? join(options.workspace, ".opencode", "orchestrator", "jobs");
  }

  /** Who decides agents' commands before they run (undefined: nobody, every command runs). */
  setGate(gate: JobGate | undefined): void {
    this.gate = gate;
  }

  /**
   * The shell jobs run in. `plain`: the shell itself, nothing around it (not the sandbox's script),
   * so a command of plain words may start without it (directCommand.ts).
   */
  setShell(shell: string, options: { plain: boolean }): void {
    this.shell = shell;
    this.plainShell = options.plain;
  }

  /** An agent's command: decided by the gate first (which may ask the user), then started. */
  async startGated(command: string, timeoutSeconds?: number): Promise<BackgroundJob> {
    if (!command.trim()) throw new Error("background_start needs a command.");
    const verdict = await this.gate?.(command);
    if (verdict && !verdict.allowed) throw new JobRefusedError(verdict.reason);
    return this.start(command, timeoutSeconds);
  }

  start(command: string, timeoutSeconds?: number): BackgroundJob {
    if (!command.trim()) throw new Error("background_start needs a command.");
    const limit = this.options.maxRunningJobs ?? DEFAULT_MAX_RUNNING_JOBS;
    if (this.running().length >= limit) throw new TooManyJobsError(limit);
    const maxMs = this.options.maxTimeoutMs ?? 2 * 60 * 60_000;
    const timeoutMs = Math.min(maxMs, Math.max(1_000, (timeoutSeconds ?? (this.options.defaultTimeoutMs ?? 30 * 60_000) / 1000) * 1000));
    this.prepareLogDir();
    const id = `job-${++this.next}`;
    // Guarded like the server: its own group, ended with everything it started if the extension host
    // dies. Started by the launcher: a wave's checks must not each stall the extension host (launcher.ts).
    // A shell sets PWD; a program started without one gets it too.
    const env = { ...withoutSecrets(process.env), PWD: this.options.workspace };
    const direct = this.plainShell ? directCommand(command, this.shell, env, this.options.workspace) : undefined;
    // A shell that is not plain is the sandbox's script: bubblewrap makes the PID namespace itself.
    const guarding = { namespace: this.plainShell };
    const guard = direct ? guardedCommand(direct[0] as string, direct.slice(1), guarding) : guardedCommand(this.shell, ["-c", command], guarding);
    const child = launcher.start(guard.command, guard.args, { cwd: this.options.workspace, env, detached: true });
    watchGuard(child);
    const job: BackgroundJob = { id, command, cwd: this.options.workspace, pid: child.pid ?? -1, status: "running", startedAt: Date.now(), timeoutMs, logFile: join(this.logDir, `${id}.log`), output: new RingBuffer(this.options.outputCapacity ?? 64 * 1024) };
    const log = new JobLog(job.logFile, { maxBytes: this.options.maxLogBytes ?? DEFAULT_MAX_LOG_BYTES, maxQueuedBytes: 4 * (this.options.outputCapacity ?? 64 * 1024) });
    this.jobs.set(id, job);
    this.children.set(id, child);
    // The launcher tells the pid a moment later; a stop meanwhile waits for it (see stop).
    this.spawned.set(id, new Promise<void>((resolve) => {
      if (child.pid !== undefined) return resolve();
      child.once("spawn", () => {
        job.pid = child.pid ?? -1;
        resolve();
        this.changed.fire(job);
      });
      child.once("error", () => resolve());
    }));
    this.logs.set(id, log);
    const onData = (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      job.output.write(text);
      log.write(text);
      this.changed.fire(job);
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code, signal: NodeJS.Signals | null) => {
      job.exitCode = code;
      this.release(job.id); // its timeout no longer applies: the command ended by itself
      // The guard exits with its command's status; it dies of a signal only when someone else killed
      // it (the job itself, or another program): that is no exit of the command. Neither is no status
      // at all, which is what the launcher's going away leaves us.
      const unexpected = job.status === "running" && (signal !== null || code === null);
      if (unexpected) job.status = "failed";
      const contained = unexpected && signal !== null ? containmentOf(job.pid, guarding) : undefined;
      // The command is gone; what it left running in its group goes with it. The job has ended only
      // once nothing of it is left, so a mission that waits for it never seals over a live process,
      // and once its output is on disk, so whoever reads its log then reads all of it.
      const ending = stopProcessGroup(job.pid, 500)
        .then(async () => {
          if (unexpected) job.reason = signal === null ? "the process launcher went away; its guard ended everything the job started" : guardKilled(signal, await (contained as Promise<Containment>));
        })
        .then(() => outputClosed(child))
        .then(() => log.close())
        .then(() => this.end(job));
      this.endings.add(ending);
      void ending.finally(() => this.endings.delete(ending));
    });
    child.on("error", (error) => {
      // An error of a running process (a signal that could not be sent) is no failed start; its exit comes.
      if (job.pid >= 0 || job.endedAt !== undefined) return;
      onData(Buffer.from(`\n[failed to start: ${error.message}]\n`));
      // Never started, so no exit event will come: end the job here, or a mission would wait on it forever.
      job.exitCode = null;
      void log.close().then(() => this.end(job));
    });
    this.timers.set(id, setTimeout(() => void this.stop(id, "timed-out"), timeoutMs));
    this.changed.fire(job);
    return job;
  }

  /** The log folder, once per manager: inside the workspace, every step to it a real folder (no link). */
  private prepareLogDir(): void {
    if (this.logDirReady) return;
    const rel = relative(this.options.workspace, this.logDir);
    if (rel && !rel.startsWith("..") && !isAbsolute(rel)) makeContainedDir(this.logDir, this.options.workspace);
    else mkdirSync(this.logDir, { recursive: true });
    this.logDirReady = true;
  }

  /** Lets go of a job's timeout and process handle. */
  private release(id: string): void {
    clearTimeout(this.timers.get(id));
    this.timers.delete(id);
    this.children.delete(id);
    this.spawned.delete(id);
    this.logs.delete(id);
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
    await this.spawned.get(id);
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
    // Their ends (logs written, `changed` fired) come after the kill; let them land before letting go.
    await Promise.all([...this.endings]);
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.changed.dispose();
  }
}

/** What became of a job whose guard was killed: contained, everything it started was ended here or by the kernel. */
function guardKilled(signal: NodeJS.Signals, containment: Containment): string {
  const killed = `its guard was killed (signal ${osConstants.signals[signal] ?? signal})`;
  return containment === "namespace" || containment === "cgroup" ? `${killed}; everything it started was ended` : `${killed}; its process group was ended, but what it started outside the group may still be running`;
}

/** Resolves once the child's pipes have closed (all its output read), or soon after if something still holds them. */
function outputClosed(child: StartedProcess): Promise<void> {
  if (child.stdout?.readableEnded !== false && child.stderr?.readableEnded !== false) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 1_000);
    child.once("close", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
