/**
 * The workspace's missions as the user browses them, apart from running one: the history, a
 * mission's state and journal read back, its report, deleting it, setting a broken one aside, the
 * latest one left unfinished. Every read reports a state problem instead of throwing it, and
 * names missions that are not the user's own (provenance.ts): they are listed, never acted on.
 */
import type { MissionState } from "../domain/state";
import type { RedactingLogger } from "../common/logger";
import type { HistoryEntry } from "../mission/missionJournal";
import type { MissionStore, StateFileError } from "../mission/missionStore";
import type { ActionResult } from "../../shared/actions";
import type { MissionSummary } from "../../shared/missionSummary";
import { missionSummary } from "./missionHistory";
import { canResume } from "./readModel";

export class MissionLibrary {
  constructor(
    private readonly store: MissionStore,
    private readonly logger: RedactingLogger,
    /** A mission that could not be read (or was rebuilt): reported, never thrown. */
    private readonly problem: (problem: StateFileError) => void,
  ) {}

  /** Why a mission is only shown: it is not the user's own. */
  notOurs(missionId: string): string | undefined {
    return this.store.notOurs(missionId);
  }

  /** Every mission of the workspace, newest first; `running`: the one a Commander runs now. */
  async list(running?: string): Promise<MissionSummary[]> {
    return (await this.store.list((problem) => this.logger.warn(problem.message))).map((state) => missionSummary(state, this.store.notOurs(state.id), state.id === running));
  }

  async load(missionId: string): Promise<MissionState | { reason: string }> {
    try {
      return await this.store.load(missionId, this.problem);
    } catch (error) {
      return { reason: (error as Error).message };
    }
  }

  /** The tail of its journal: what the views replay to show its sessions and timeline. */
  history(missionId: string): Promise<HistoryEntry[]> {
    return this.store.history(missionId);
  }

  latest(): Promise<MissionState | undefined> {
    return this.store.latest(undefined, this.problem);
  }

  /** The latest unfinished mission the user's own runs made: one shipped with the repository, or one the user reverted, is never offered. */
  latestUnfinished(): Promise<MissionState | undefined> {
    return this.store.latest((state) => canResume(state) && !this.store.notOurs(state.id), this.problem);
  }

  async reportOf(missionId: string): Promise<string | undefined> {
    const loaded = await this.load(missionId);
    return "reason" in loaded ? undefined : loaded.report;
  }

  /** Deletes a mission's state, journal and report; the workspace's files stay as they are. */
  delete(missionId: string): ActionResult {
    try {
      this.store.delete(missionId);
    } catch (error) {
      return { ok: false, reason: (error as Error).message };
    }
    this.logger.info(`Mission ${missionId} deleted`);
    return { ok: true };
  }

  /** Moves a mission that cannot be read out of the way (its folder renamed `<id>.broken-<time>`, untouched). */
  setAside(missionId: string): ActionResult {
    try {
      const movedTo = this.store.setAside(missionId);
      this.logger.warn(`Mission ${missionId} set aside to ${movedTo}`);
      return { ok: true, movedTo };
    } catch (error) {
      return { ok: false, reason: (error as Error).message };
    }
  }

  /** Keeps a mission's state as it is now (before a resume that edits it). */
  save(state: MissionState): void {
    this.store.save(state);
  }
}
