/**
 * The background jobs, as the Commander sees them: it learns from its turns which jobs its agents
 * started, does not seal while one of those runs, and kills them when the mission halts.
 */
import type { JobOwner } from "../background/jobManager";
import type { Role } from "../domain/roles";

export interface JobsView {
  running(): Array<{ id: string; startedAt: number; owner?: JobOwner }>;
  readonly changed: { on(listener: () => void): { dispose(): void } };
  claim(jobId: string, owner: JobOwner): void;
  kill(jobId: string): Promise<unknown>;
}

export class MissionJobs {
  /** Jobs this mission's turns started. */
  private readonly own = new Set<string>();
  private readonly since = Date.now();

  constructor(
    private readonly jobs: JobsView | undefined,
    private readonly missionId: string,
  ) {}

  /** A turn started a job: it is the mission's, attributed to the turn's TODOs. */
  started(jobId: string, role: Role, todoIds: string[]): void {
    this.own.add(jobId);
    this.jobs?.claim(jobId, { missionId: this.missionId, role, todoIds });
  }

  /**
   * What the seal waits for: the mission's own jobs, and jobs nobody claimed that started while it
   * ran (their turn may have ended before the event naming the job arrived). Jobs of others, or
   * older than the mission, never hold it up.
   */
  holdingSeal(): Array<{ id: string }> {
    return this.jobs?.running().filter((job) => this.own.has(job.id) || (!job.owner && job.startedAt >= this.since)) ?? [];
  }

  /** Calls `done` once no job holds the seal; dispose to stop waiting. */
  whenFinished(done: () => void): { dispose(): void } {
    const sub = this.jobs?.changed.on(() => {
      if (this.holdingSeal().length) return;
      sub?.dispose();
      done();
    });
    return { dispose: () => sub?.dispose() };
  }

  /** The mission's processes end with it: nothing it started keeps running after a stop. */
  async killOwn(): Promise<void> {
    const own = this.jobs?.running().filter((job) => this.own.has(job.id)) ?? [];
    await Promise.all(own.map((job) => this.jobs?.kill(job.id).catch(() => undefined)));
  }
}
