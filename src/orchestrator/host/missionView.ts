/**
 * What the views see of the mission they show: the read model, its sessions, its timeline, and
 * which ids changed in each update. Fed by the Commander's events (live, or replayed from the
 * journal after a reload or before a resume) and by OpenCode's events for the mission's sessions.
 */
import type { OrchestratorEvent } from "../domain/events";
import type { MissionState } from "../domain/state";
import { Emitter } from "../common/emitter";
import type { OpencodeEvent } from "../engine/eventRouter";
import { MissionModelBuilder, progressLine, type RunFacts } from "./readModel";
import { SessionRegistry, sessionModel } from "./sessionRegistry";
import { Timeline } from "./timeline";
import type { MissionFeed, ModelUpdate } from "../../shared/feed";
import type { JobModel } from "../../shared/job";
import type { MissionModel } from "../../shared/mission";
import type { SessionModel } from "../../shared/session";
import type { TimelineEntry } from "../../shared/timeline";
import type { TranscriptLine } from "../../shared/transcript";

export type { ModelUpdate };

const NOTHING: ModelUpdate = { missionChanged: false, shapeChanged: false, todoIds: [], sessionIds: [], jobIds: [] };

/** The TODOs an event changed, or "all" when their derived fields may all have changed. */
function todosOf(event: OrchestratorEvent): string[] | "all" {
  switch (event.type) {
    case "todo.status":
      return [event.todoId];
    case "turn.started":
    case "turn.finished":
      return event.todoIds;
    case "check.started":
    case "check.finished":
      return event.todoId ? [event.todoId] : "all";
    case "plan.accepted":
    case "plan.proposed":
    case "plan.decided":
    case "mission.status":
    case "mission.started":
      return "all"; // new TODOs; or the mission's status, which decides what the user may do with each
    default:
      return [];
  }
}

export class MissionView implements MissionFeed {
  readonly updates = new Emitter<ModelUpdate>();
  private readonly registry = new SessionRegistry();
  private readonly timelineLog = new Timeline();
  private readonly builder = new MissionModelBuilder((id) => this.registry.get(id)?.role);
  /** The window's jobs as last reported, by id, in the order they started. */
  private readonly jobModels = new Map<string, JobModel>();
  private state?: MissionState;
  /** Shown before a mission state exists (OpenCode still starting). */
  private pendingMission?: string;
  private facts: RunFacts = { phase: "idle", demo: false, runningSessions: 0 };
  private cached?: MissionModel;

  get model(): MissionModel {
    this.cached ??= this.build();
    return this.cached;
  }

  get missionId(): string | undefined {
    return this.state?.id;
  }

  get sessions(): SessionModel[] {
    return this.registry.models();
  }

  session(id: string): SessionModel | undefined {
    const record = this.registry.get(id);
    return record && sessionModel(record);
  }

  transcript(id: string): TranscriptLine[] | undefined {
    return this.registry.transcript(id);
  }

  get timeline(): readonly TimelineEntry[] {
    return [...this.timelineLog.list()];
  }

  get jobs(): JobModel[] {
    return [...this.jobModels.values()].reverse();
  }

  job(id: string): JobModel | undefined {
    return this.jobModels.get(id);
  }

  /** "Worker (TODO T3)": who a session is, for the requests that name the agent asking. */
  who(sessionId: string): string {
    return this.registry.describe(sessionId);
  }

  private build(): MissionModel {
    const facts = { ...this.facts, runningSessions: this.registry.runningCount() };
    const model = this.builder.build(facts);
    return this.state ? model : { ...model, mission: this.pendingMission, progress: progressLine(model.counts, undefined, facts.phase, facts.stopping) };
  }

  /** No mission runs: what it changed may be reverted. */
  private get idle(): boolean {
    return this.facts.phase !== "running" && this.facts.phase !== "starting";
  }

  private fire(update: Partial<ModelUpdate>, invalidate = true): void {
    if (invalidate) this.cached = undefined;
    this.updates.fire({ ...NOTHING, ...update });
  }

  /** No mission is shown (the one shown was deleted). */
  showNone(): void {
    this.clear();
    this.pendingMission = undefined;
    this.facts = { phase: "idle", demo: false, runningSessions: 0 };
    this.fire({ missionChanged: true, shapeChanged: true });
  }

  /** A mission about to start: nothing of an earlier one stays on screen. */
  starting(mission: string, at: number): void {
    this.clear();
    this.pendingMission = mission;
    this.facts = { phase: "starting", demo: false, startedAt: at, runningSessions: 0 };
    this.fire({ missionChanged: true, shapeChanged: true });
  }

  /**
   * Shows a mission and what happened in it so far (`history`, from its journal): its sessions and
   * timeline come back after a reload or a resume. Sessions whose turn never finished are closed.
   */
  show(state: MissionState, facts: Omit<RunFacts, "runningSessions">, history: ReadonlyArray<{ at: number; event: { type: string } }> = []): void {
    this.clear();
    this.state = state;
    this.pendingMission = undefined;
    this.facts = { ...facts, runningSessions: 0 };
    // A session whose turn never finished went with the window (a reload, a crash): it ends where
    // its run's journal ends, not when the mission was next saved or resumed.
    let lastAt: number | undefined;
    for (const { at, event } of history) {
      const known = event as OrchestratorEvent & { missionId?: unknown };
      if (known.missionId !== state.id) continue;
      try {
        if (known.type === "mission.started" && lastAt !== undefined) this.registry.closeOpen(lastAt);
        this.registry.applyMission(known, at);
        this.timelineLog.add(known, at);
        lastAt = at;
      } catch {
        // a journal record of an unexpected shape: the view shows less, the mission loses nothing
      }
    }
    this.registry.closeOpen(lastAt ?? state.updatedAt);
    this.builder.refresh(state, "all", this.idle, !this.facts.notOurs);
    this.fire({ missionChanged: true, shapeChanged: true });
  }

  private clear(): void {
    this.state = undefined;
    this.registry.clear();
    this.timelineLog.clear();
    this.builder.reset();
  }

  /** The run's own facts changed (phase, demo, end, error). */
  setFacts(facts: Partial<RunFacts>): void {
    this.facts = { ...this.facts, ...facts };
    const shapeChanged = this.state ? this.builder.refresh(this.state, "all", this.idle, !this.facts.notOurs) : false;
    this.fire({ shapeChanged, todoIds: this.state ? [...this.builder.ids] : [] });
  }

  /** A Commander event of the shown mission (already journaled when it arrives). */
  applyMission(event: OrchestratorEvent, at = Date.now()): void {
    if (!this.state || event.missionId !== this.state.id) return;
    const session = this.registry.applyMission(event, at);
    this.timelineLog.add(event, at);
    const ids = todosOf(event);
    const shapeChanged = this.builder.refresh(this.state, ids, this.idle, !this.facts.notOurs);
    this.fire({ shapeChanged, todoIds: ids === "all" ? [...this.builder.ids] : ids, sessionIds: session ? [session] : [] });
  }

  /** An OpenCode event; only those of the mission's sessions change anything. `server`: the pool member it came from (pools of more than one). */
  applyOpencode(event: OpencodeEvent, server?: number): void {
    const id = this.registry.applyOpencode(event, server);
    // Status, tokens and transcript of a session: the mission's model itself is unchanged.
    if (id) this.fire({ sessionIds: [id] }, false);
  }

  /** A job started, wrote output or ended. */
  jobChanged(job: JobModel): void {
    this.jobModels.set(job.id, job);
    this.fire({ jobIds: [job.id] }, false);
  }

  dispose(): void {
    this.updates.dispose();
  }
}
