/**
 * What the views see of the mission they show: the read model, its sessions, its timeline, and
 * which ids changed in each update. Fed by the Commander's events (live, or replayed from the
 * journal after a reload or before a resume) and by OpenCode's events for the mission's sessions.
 */
import type { OrchestratorEvent } from "../domain/events";
import type { MissionState } from "../domain/state";
import { Emitter } from "../emitter";
import type { OpencodeEvent } from "../engine/eventRouter";
import { idleModel, MissionModelBuilder, progressLine, type MissionModel, type RunFacts } from "./readModel";
import { SessionRegistry, type SessionRecord } from "./sessionRegistry";
import { Timeline, type TimelineEntry } from "./timeline";

/** One change of what the views show; every id list names exactly what changed. */
export interface ModelUpdate {
  /** Another mission is shown (or none): every view starts over. */
  missionChanged: boolean;
  /** TODOs were added, replaced or removed: the tree's shape changed. */
  shapeChanged: boolean;
  todoIds: readonly string[];
  sessionIds: readonly string[];
  jobIds: readonly string[];
}

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

export class MissionView {
  readonly updates = new Emitter<ModelUpdate>();
  readonly sessions = new SessionRegistry();
  private readonly timelineLog = new Timeline();
  private readonly builder = new MissionModelBuilder((id) => this.sessions.get(id)?.role);
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

  get timeline(): readonly TimelineEntry[] {
    return this.timelineLog.list();
  }

  session(id: string): SessionRecord | undefined {
    return this.sessions.get(id);
  }

  private build(): MissionModel {
    const facts = { ...this.facts, runningSessions: this.sessions.runningCount() };
    if (this.state) return this.builder.build(this.state, facts);
    const idle = idleModel();
    return { ...idle, phase: facts.phase, demo: facts.demo, mission: this.pendingMission, startedAt: facts.startedAt, finishedAt: facts.finishedAt, error: facts.error, progress: progressLine(idle.counts, undefined, facts.phase) };
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
    for (const { at, event } of history) {
      const known = event as OrchestratorEvent & { missionId?: unknown };
      if (known.missionId !== state.id) continue;
      try {
        this.sessions.applyMission(known, at);
        this.timelineLog.add(known, at);
      } catch {
        // a journal record of an unexpected shape: the view shows less, the mission loses nothing
      }
    }
    this.sessions.closeOpen(state.updatedAt);
    this.builder.refresh(state, "all", this.idle, !this.facts.notOurs);
    this.fire({ missionChanged: true, shapeChanged: true });
  }

  private clear(): void {
    this.state = undefined;
    this.sessions.clear();
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
    const session = this.sessions.applyMission(event, at);
    this.timelineLog.add(event, at);
    const ids = todosOf(event);
    const shapeChanged = this.builder.refresh(this.state, ids, this.idle, !this.facts.notOurs);
    this.fire({ shapeChanged, todoIds: ids === "all" ? [...this.builder.ids] : ids, sessionIds: session ? [session] : [] });
  }

  /** An OpenCode event; only those of the mission's sessions change anything. `server`: the pool member it came from (pools of more than one). */
  applyOpencode(event: OpencodeEvent, server?: number): void {
    const id = this.sessions.applyOpencode(event, server);
    // Status, tokens and transcript of a session: the mission's model itself is unchanged.
    if (id) this.fire({ sessionIds: [id] }, false);
  }

  jobChanged(jobId: string): void {
    this.fire({ jobIds: [jobId] }, false);
  }

  dispose(): void {
    this.updates.dispose();
  }
}
