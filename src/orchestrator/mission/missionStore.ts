/**
 * Mission state on disk, in the workspace (.opencode/orchestrator/missions/<id>/).
 *
 * Every transition is appended to events.jsonl before the next action, with the full record of the
 * TODOs it changed and the mission's header fields: that journal is what makes a transition durable.
 * mission.json (written atomically: temp file + rename) and todo.md are snapshots, coalesced to a few
 * writes a second, so a mission of thousands of TODOs does not rewrite megabytes per transition;
 * loading replays the journal records newer than the snapshot. A corrupt or unknown-version file is
 * moved aside, never overwritten; a corrupt one is then rebuilt from the journal, which holds every
 * TODO's full record and the mission's header at each transition.
 */
import { randomBytes } from "node:crypto";
import { appendFileSync, closeSync, existsSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderTodoMd } from "../todo/renderTodoMd";
import { emptyUsageTotals, MissionState, STATE_VERSION, TERMINAL_STATUSES, TodoState } from "../domain/state";

export class StateFileError extends Error {
  override readonly name = "StateFileError";
  /** `recovered`: the mission was rebuilt from its journal; this reports the bad file, not a loss. */
  constructor(message: string, readonly movedTo?: string, readonly recovered = false) {
    super(message);
  }
}

export class StateWriteError extends Error {
  override readonly name = "StateWriteError";
  /** `what`: the write that failed; the message adds why the mission stops and how to go on. */
  constructor(what: string, cause: unknown) {
    super(`${what}: ${(cause as Error).message}. The mission stops rather than run on state it cannot keep; make the folder writable (or free disk space) and Resume.`, { cause });
  }
}

export const ORCHESTRATOR_DIR = join(".opencode", "orchestrator");

/** How a mission.json from a newer version is renamed aside. */
const NEWER_VERSION_SUFFIX = ".newer-version-";

/** A mission as it is before its first transition: what create() saves, and what a rebuild replays onto. */
function newMissionState(id: string, mission: string, at: number): MissionState {
  return {
    version: STATE_VERSION,
    id,
    mission,
    createdAt: at,
    updatedAt: at,
    status: "planning",
    iteration: 0,
    roundsWithoutProgress: 0,
    todos: [],
    syncIssues: [],
    integrationChecked: false,
    usage: emptyUsageTotals(),
    usageByRole: {},
    checkpoints: {},
    reverts: [],
    journalSeq: 0,
  };
}

function newMissionId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  return `${stamp}-${randomBytes(2).toString("hex")}`;
}

/** The mission fields every journal record carries (everything but the TODOs and the report). */
type MissionHeader = Pick<MissionState, "status" | "stopReason" | "iteration" | "roundsWithoutProgress" | "integrationChecked" | "usage" | "usageByRole" | "syncIssues" | "checkpoints" | "reverts">;

interface JournalRecord {
  seq: number;
  at: number;
  event: object;
  mission: MissionHeader;
  todos?: TodoState[];
}

const header = (s: MissionState): MissionHeader => ({
  status: s.status,
  stopReason: s.stopReason,
  iteration: s.iteration,
  roundsWithoutProgress: s.roundsWithoutProgress,
  integrationChecked: s.integrationChecked,
  usage: s.usage,
  usageByRole: s.usageByRole,
  syncIssues: s.syncIssues,
  checkpoints: s.checkpoints,
  reverts: s.reverts,
});

export class MissionStore {
  readonly root: string;
  private readonly pending = new Map<string, { state: MissionState; timer: NodeJS.Timeout }>();
  /** A snapshot write that failed in the background; the next record() reports it. */
  private failure?: StateWriteError;

  constructor(
    readonly workspace: string,
    private readonly snapshotDelayMs = 250,
  ) {
    this.root = join(workspace, ORCHESTRATOR_DIR, "missions");
  }

  dir(id: string): string {
    return join(this.root, id);
  }

  /**
   * The state folder ignores itself in git: its churn must not show in the diffs the Reviewer reads,
   * nor in the worktree snapshots OpenCode takes at every step (which it made several times slower
   * with fifty sessions, docs/benchmarks.md).
   */
  private ignoreInGit(): void {
    const file = join(this.workspace, ORCHESTRATOR_DIR, ".gitignore");
    if (existsSync(file)) return;
    mkdirSync(join(this.workspace, ORCHESTRATOR_DIR), { recursive: true });
    writeFileSync(file, "# OpenCode Orchestrator's mission state: journals and snapshots, not source.\n*\n");
  }

  create(mission: string, now = Date.now()): MissionState {
    this.ignoreInGit();
    const state = newMissionState(newMissionId(new Date(now)), mission, now);
    this.save(state);
    return state;
  }

  /**
   * Journals one transition (synchronously: it is durable when this returns) and schedules a
   * snapshot. `todos` are the TODOs the transition changed, recorded in full.
   */
  record(state: MissionState, event: object, todos: readonly TodoState[] = []): void {
    if (this.failure) throw this.failure;
    state.journalSeq += 1;
    const entry: JournalRecord = { seq: state.journalSeq, at: Date.now(), event, mission: header(state), ...(todos.length ? { todos: [...todos] } : {}) };
    try {
      appendFileSync(join(this.dir(state.id), "events.jsonl"), `${JSON.stringify(entry)}\n`);
    } catch (error) {
      throw new StateWriteError(`Could not append to the mission journal of ${state.id}`, error);
    }
    if (!this.pending.has(state.id)) {
      const timer = setTimeout(() => {
        this.pending.delete(state.id);
        try {
          this.save(state);
        } catch (error) {
          this.failure = error as StateWriteError;
        }
      }, this.snapshotDelayMs);
      timer.unref?.();
      this.pending.set(state.id, { state, timer });
    }
  }

  /** Appends full TODO records to archive/<missionId>.jsonl, where they stay readable. */
  archive(state: MissionState, todos: readonly TodoState[]): void {
    if (todos.length === 0) return;
    const dir = join(this.workspace, ORCHESTRATOR_DIR, "archive");
    try {
      mkdirSync(dir, { recursive: true });
      appendFileSync(join(dir, `${state.id}.jsonl`), todos.map((t) => JSON.stringify(t)).join("\n") + "\n");
    } catch (error) {
      throw new StateWriteError(`Could not archive finished TODOs of ${state.id}`, error);
    }
  }

  /** The archived full record of a TODO, if it was archived. */
  archived(missionId: string, todoId: string): TodoState | undefined {
    const file = join(this.workspace, ORCHESTRATOR_DIR, "archive", `${missionId}.jsonl`);
    if (!existsSync(file)) return undefined;
    let found: TodoState | undefined;
    for (const line of readFileSync(file, "utf8").split("\n")) {
      if (!line.includes(`"id":${JSON.stringify(todoId)}`)) continue;
      const parsed = TodoState.safeParse(JSON.parse(line));
      if (parsed.success && parsed.data.id === todoId) found = parsed.data;
    }
    return found;
  }

  /** Writes every pending snapshot now. */
  flush(): void {
    for (const { state, timer } of [...this.pending.values()]) {
      clearTimeout(timer);
      this.pending.delete(state.id);
      this.save(state);
    }
  }

  /** Writes the snapshot (mission.json + todo.md) now. */
  save(state: MissionState): void {
    const queued = this.pending.get(state.id);
    if (queued) {
      clearTimeout(queued.timer);
      this.pending.delete(state.id);
    }
    const dir = this.dir(state.id);
    const file = join(dir, "mission.json");
    const temp = `${file}.${process.pid}.tmp`;
    try {
      mkdirSync(dir, { recursive: true });
      state.updatedAt = Date.now();
      writeFileSync(temp, JSON.stringify(state, null, 1));
      renameSync(temp, file);
      writeFileSync(join(dir, "todo.md"), renderTodoMd(state));
    } catch (error) {
      throw new StateWriteError(`Could not save the mission state to ${file}`, error);
    }
  }

  /**
   * Reads and validates a mission. A bad mission.json is moved aside (never overwritten); if it is
   * corrupt rather than from a newer version, the mission is rebuilt from its journal and
   * `onRecovered` is told what happened. Throws a StateFileError when nothing could be read.
   */
  load(id: string, onRecovered?: (problem: StateFileError) => void): MissionState {
    const file = join(this.dir(id), "mission.json");
    if (!existsSync(file)) return this.recover(id, `${file} is missing`, undefined, onRecovered);
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(file, "utf8"));
    } catch (error) {
      return this.recover(id, `${file} is not valid JSON (${(error as Error).message})`, this.moveAside(file), onRecovered);
    }
    const version = (raw as { version?: unknown } | null)?.version;
    if (typeof version === "number" && version > STATE_VERSION) {
      // Its journal is in the newer format too: leave both for the version that wrote them, and
      // mark the folder so no later load rebuilds the mission from that journal.
      const aside = this.moveAside(file, NEWER_VERSION_SUFFIX);
      const problem = `${file} was written by a newer version of the Orchestrator (state version ${version}; this one reads ${STATE_VERSION})`;
      throw new StateFileError(aside ? `${problem}. It was moved to ${aside} and left untouched; open it with the newer version.` : `${problem}. It was left untouched.`, aside);
    }
    const parsed = MissionState.safeParse(raw);
    if (!parsed.success) {
      const problem = `${file} does not match the mission schema: ${parsed.error.issues.slice(0, 3).map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`;
      return this.recover(id, problem, this.moveAside(file), onRecovered);
    }
    return this.replay(parsed.data);
  }

  /** Rebuilds a mission whose snapshot is unusable from its journal, or throws saying what was kept. */
  private recover(id: string, problem: string, aside: string | undefined, onRecovered?: (problem: StateFileError) => void): MissionState {
    if (this.isNewerVersion(id)) throw new StateFileError(`${problem}. The mission was written by a newer version of the Orchestrator; open it with that version.`);
    const stuck = !aside && existsSync(join(this.dir(id), "mission.json"));
    const kept = aside ? ` It was moved to ${aside} and left untouched.` : stuck ? " It could not be moved aside and was left untouched." : "";
    const rebuilt = this.rebuild(id);
    if (!rebuilt) throw new StateFileError(`${problem}.${kept} Its journal cannot rebuild the mission either; start a new mission or restore the file.`, aside);
    const { state, unreadable } = rebuilt;
    const loss = unreadable ? `${unreadable} journal record(s) could not be read, so the latest transitions may be missing` : "nothing was lost";
    onRecovered?.(new StateFileError(`${problem}.${kept} The mission was rebuilt from its journal (${state.journalSeq} records); ${loss}.`, aside, true));
    // Never over the bad file: if it could not be moved aside, the rebuilt state stays in memory only.
    if (!stuck) {
      try {
        this.save(state);
      } catch {
        // the state is read; the mission's own first write will report a folder it cannot write
      }
    }
    return state;
  }

  /** A folder whose mission.json was set aside as a newer version's: never rebuilt from its journal. */
  private isNewerVersion(id: string): boolean {
    return readdirSync(this.dir(id)).some((f) => f.startsWith(`mission.json${NEWER_VERSION_SUFFIX}`));
  }

  /** The mission as its journal tells it: started (with its text), then every transition in order. */
  private rebuild(id: string): { state: MissionState; unreadable: number } | undefined {
    const journal = join(this.dir(id), "events.jsonl");
    if (!existsSync(journal)) return undefined;
    let started: JournalRecord | undefined;
    for (const line of readFileSync(journal, "utf8").split("\n")) {
      try {
        const entry = JSON.parse(line) as JournalRecord;
        const event = entry.event as { type?: unknown; mission?: unknown };
        if (event?.type === "mission.started" && typeof event.mission === "string") {
          started = entry;
          break;
        }
      } catch {
        // a torn record
      }
    }
    if (!started) return undefined;
    const unreadable = { count: 0 };
    const parsed = MissionState.safeParse(this.replay(newMissionState(id, (started.event as { mission: string }).mission, started.at), unreadable));
    return parsed.success ? { state: parsed.data, unreadable: unreadable.count } : undefined;
  }

  /** Applies the journal records the snapshot does not have yet (a crash between snapshots). */
  private replay(state: MissionState, unreadable = { count: 0 }): MissionState {
    const journal = join(this.dir(state.id), "events.jsonl");
    if (!existsSync(journal)) return state;
    const index = new Map(state.todos.map((t, i) => [t.id, i]));
    for (const line of readFileSync(journal, "utf8").split("\n")) {
      if (!line) continue;
      let entry: JournalRecord;
      try {
        entry = JSON.parse(line) as JournalRecord;
      } catch {
        unreadable.count++;
        continue; // a record torn by a crash mid-write: everything before it stands
      }
      if (typeof entry.seq !== "number" || entry.seq <= state.journalSeq) continue;
      Object.assign(state, entry.mission);
      if (typeof entry.at === "number") state.updatedAt = Math.max(state.updatedAt, entry.at);
      for (const raw of entry.todos ?? []) {
        const todo = TodoState.safeParse(raw);
        if (!todo.success) {
          unreadable.count++;
          continue;
        }
        const at = index.get(todo.data.id);
        if (at === undefined) {
          index.set(todo.data.id, state.todos.length);
          state.todos.push(todo.data);
        } else state.todos[at] = todo.data;
      }
      state.journalSeq = entry.seq;
    }
    return state;
  }

  /**
   * The newest events of a mission's journal, oldest first, with when each happened: what the views
   * show of a mission they did not watch (after a reload, or before a resume). Only the journal's
   * last `maxBytes` are read — the views keep a bounded history anyway — and a record that does not
   * look like an event is skipped, never thrown.
   */
  history(id: string, maxBytes = 4 * 1024 * 1024): Array<{ at: number; event: { type: string } & Record<string, unknown> }> {
    const journal = join(this.dir(id), "events.jsonl");
    let text: string;
    try {
      const fd = openSync(journal, "r");
      try {
        const size = fstatSync(fd).size;
        const length = Math.min(size, maxBytes);
        const buffer = Buffer.alloc(length);
        readSync(fd, buffer, 0, length, size - length);
        text = buffer.toString("utf8");
        // Reading from the middle of the file: the first line is a fragment.
        if (length < size) text = text.slice(text.indexOf("\n") + 1);
      } finally {
        closeSync(fd);
      }
    } catch {
      return [];
    }
    const out: Array<{ at: number; event: { type: string } & Record<string, unknown> }> = [];
    for (const line of text.split("\n")) {
      if (!line) continue;
      try {
        const entry = JSON.parse(line) as { at?: unknown; event?: { type?: unknown } };
        if (typeof entry?.at === "number" && entry.event && typeof entry.event.type === "string") out.push({ at: entry.at, event: entry.event as { type: string } & Record<string, unknown> });
      } catch {
        // a torn record
      }
    }
    return out;
  }

  /** Renames a bad file aside; returns where, or undefined if it could not be moved. */
  private moveAside(file: string, suffix = ".unreadable-"): string | undefined {
    const aside = `${file}${suffix}${Date.now()}`;
    try {
      renameSync(file, aside);
      return aside;
    } catch {
      return undefined;
    }
  }

  /**
   * The most recently updated mission that is not finished for good, if any. `onProblem` hears of
   * every bad state file: unreadable ones, and recovered ones (`recovered`).
   */
  findUnfinished(onProblem?: (error: StateFileError) => void): MissionState | undefined {
    return this.latest((state) => !TERMINAL_STATUSES.includes(state.status), onProblem);
  }

  /** The most recently updated readable mission that passes `filter`. */
  latest(filter: (state: MissionState) => boolean = () => true, onProblem?: (error: StateFileError) => void): MissionState | undefined {
    if (!existsSync(this.root)) return undefined;
    let best: MissionState | undefined;
    for (const id of readdirSync(this.root)) {
      // A folder with only a journal is rebuilt, unless a newer version's file was set aside there (reported when it was).
      if (!existsSync(join(this.dir(id), "mission.json")) && (!existsSync(join(this.dir(id), "events.jsonl")) || this.isNewerVersion(id))) continue;
      try {
        const state = this.load(id, onProblem);
        if (filter(state) && (!best || state.updatedAt > best.updatedAt)) best = state;
      } catch (error) {
        if (error instanceof StateFileError) onProblem?.(error);
        else throw error;
      }
    }
    return best;
  }
}
