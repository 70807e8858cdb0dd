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
 *
 * What is read back is checked before it is used: a mission id has one format and names its folder
 * (no id can lead a path out of the state folder), every journal record is validated (a line that
 * is JSON but no record makes the mission unreadable, with the line and the reason), and so is the
 * state after replay. Whatever goes wrong reading one mission is a StateFileError naming it: the
 * host reports it and the user can set the folder aside; it never escapes to the caller.
 *
 * A mission this user's runs made carries our provenance mark (`provenance`, beside its state):
 * one shipped with a repository does not, and is shown but never restored from nor continued.
 *
 * Reading is asynchronous and in pieces (journalFile.ts): a journal of hundreds of MB must not
 * freeze the editor that opens it. Loading reads the snapshot and only the journal records newer
 * than it; only a rebuild reads the whole journal, and not past a sane size.
 */
import { randomBytes } from "node:crypto";
import { existsSync, lstatSync, readdirSync, readFileSync, renameSync, rmSync, unlinkSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { renderTodoMd } from "../todo/renderTodoMd";
import { isMissionId, TodoId } from "../domain/ids";
import { emptyUsageTotals, MissionState, STATE_VERSION, TodoState } from "../domain/state";
import { journalTail, readJournalAfter, readWholeJournal } from "./journalFile";
import { applyRecords, describeIssues, headerOf, type HistoryEntry } from "./missionJournal";
import { StateFileError, StateWriteError } from "./stateErrors";
import { appendNoFollow, containedDir, makeContainedDir, readSmallFile, replaceFile } from "../workspace/containedFiles";
import { Provenance } from "../workspace/provenance";

export { StateFileError, StateWriteError };

export const ORCHESTRATOR_DIR = join(".opencode", "orchestrator");

/** The file beside a mission's state holding our mark of it (provenance.ts). */
const MISSION_MARK = "provenance";

/** Why a mission without our mark is only shown: what the user reads when an action is refused. */
export const NOT_OURS =
  "this mission was not made on this machine by you: it carries no mark of your Orchestrator (it came with the repository or from elsewhere, or an earlier version made it before missions were marked). It can be shown, but not reverted, undone, resumed, retried or skipped.";
/** The largest mission.json read (finished TODOs beyond maxTasksInMemory are archived, so a real one stays far below). */
const MAX_SNAPSHOT_BYTES = 64 * 1024 * 1024;

/** How a mission.json from a newer version is renamed aside. */
const NEWER_VERSION_SUFFIX = ".newer-version-";

/** How a mission folder the user set aside is renamed: no longer a mission id, so never listed again. */
export const SET_ASIDE_SUFFIX = ".broken-";

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

/** The state as a mission can use it: the schema, an id that names its folder, TODO ids of one format, each once. */
function stateProblem(state: unknown, folderId: string): string | undefined {
  const parsed = MissionState.safeParse(state);
  if (!parsed.success) return describeIssues(parsed.error);
  if (parsed.data.id !== folderId) return `it names mission ${JSON.stringify(parsed.data.id)}, not the folder it is in (${folderId})`;
  const seen = new Set<string>();
  for (const todo of parsed.data.todos) {
    if (!TodoId.safeParse(todo.id).success) return `TODO id ${JSON.stringify(todo.id)} is not an id (letters, digits, . _ -)`;
    if (seen.has(todo.id)) return `TODO ${todo.id} is there twice`;
    seen.add(todo.id);
  }
  return undefined;
}

export class MissionStore {
  readonly root: string;
  private readonly pending = new Map<string, { state: MissionState; timer: NodeJS.Timeout }>();
  /** A snapshot write that failed in the background; the next record() reports it. */
  private failure?: StateWriteError;
  /** Mission folders checked to be real folders inside the workspace (checked once each). */
  private readonly contained = new Set<string>();

  constructor(
    readonly workspace: string,
    private readonly snapshotDelayMs = 250,
    /** Whose missions this store recognises as the user's own; default: this process's alone. */
    private readonly provenance: Provenance = Provenance.ofThisProcess(),
  ) {
    this.root = join(workspace, ORCHESTRATOR_DIR, "missions");
  }

  /**
   * Why the mission is not this user's own (NOT_OURS), or undefined when it carries our mark. Only
   * such a mission is restored from, undone, resumed, retried or skipped.
   */
  notOurs(id: string): string | undefined {
    try {
      const mark = readSmallFile(join(this.folder(id, false), MISSION_MARK), 1024, false)?.trim();
      return this.provenance.verifies("mission", this.workspace, id, mark) ? undefined : NOT_OURS;
    } catch {
      return NOT_OURS;
    }
  }

  /** A mission's folder. Only a mission id names one: anything else (a path, `..`) is refused. */
  dir(id: string): string {
    if (!isMissionId(id)) throw new StateFileError(`${JSON.stringify(id)} is not a mission id; no folder is read or written for it.`);
    return join(this.root, id);
  }

  /** The folder, created if asked, once no step to it from the workspace is a link (checked once per mission). */
  private folder(id: string, create: boolean): string {
    const dir = this.dir(id);
    if (this.contained.has(id) && (!create || existsSync(dir))) return dir;
    const problem = containedDir(this.workspace, dir, create);
    if (problem) throw new StateFileError(`The folder of mission ${id} cannot be used: ${problem}.`, undefined, false, id);
    if (existsSync(dir)) this.contained.add(id);
    return dir;
  }

  /**
   * The state folder ignores itself in git: its churn must not show in the diffs the Reviewer reads,
   * nor in the worktree snapshots OpenCode takes at every step (which it made several times slower
   * with fifty sessions, docs/benchmarks.md).
   */
  private ignoreInGit(): void {
    const dir = join(this.workspace, ORCHESTRATOR_DIR);
    const file = join(dir, ".gitignore");
    if (existsSync(file)) return;
    makeContainedDir(dir, this.workspace);
    replaceFile(file, "# OpenCode Orchestrator's mission state: journals and snapshots, not source.\n*\n");
  }

  create(mission: string, now = Date.now()): MissionState {
    this.ignoreInGit();
    const state = newMissionState(newMissionId(new Date(now)), mission, now);
    // Marked before its first state is written: a mission on disk without the mark is never ours.
    try {
      replaceFile(join(this.folder(state.id, true), MISSION_MARK), this.provenance.mark("mission", this.workspace, state.id) + "\n");
    } catch (error) {
      throw new StateWriteError(`Could not create mission ${state.id}`, error);
    }
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
    const entry = { seq: state.journalSeq, at: Date.now(), event, mission: headerOf(state), ...(todos.length ? { todos: [...todos] } : {}) };
    try {
      appendNoFollow(join(this.folder(state.id, false), "events.jsonl"), `${JSON.stringify(entry)}\n`);
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
      this.dir(state.id);
      makeContainedDir(dir, this.workspace);
      appendNoFollow(join(dir, `${state.id}.jsonl`), todos.map((t) => JSON.stringify(t)).join("\n") + "\n");
    } catch (error) {
      throw new StateWriteError(`Could not archive finished TODOs of ${state.id}`, error);
    }
  }

  /** The archived full record of a TODO, if it was archived. */
  archived(missionId: string, todoId: string): TodoState | undefined {
    if (!isMissionId(missionId)) return undefined;
    const file = join(this.workspace, ORCHESTRATOR_DIR, "archive", `${missionId}.jsonl`);
    if (!existsSync(file)) return undefined;
    let found: TodoState | undefined;
    for (const line of readFileSync(file, "utf8").split("\n")) {
      if (!line.includes(`"id":${JSON.stringify(todoId)}`)) continue;
      try {
        const parsed = TodoState.safeParse(JSON.parse(line));
        if (parsed.success && parsed.data.id === todoId) found = parsed.data;
      } catch {
        // a torn record
      }
    }
    return found;
  }

  /** Writes the snapshot (mission.json + todo.md) now. */
  save(state: MissionState): void {
    const queued = this.pending.get(state.id);
    if (queued) {
      clearTimeout(queued.timer);
      this.pending.delete(state.id);
    }
    const file = join(this.dir(state.id), "mission.json");
    try {
      const dir = this.folder(state.id, true);
      state.updatedAt = Date.now();
      replaceFile(file, JSON.stringify(state, null, 1));
      replaceFile(join(dir, "todo.md"), renderTodoMd(state));
    } catch (error) {
      throw new StateWriteError(`Could not save the mission state to ${file}`, error);
    }
  }

  /**
   * Reads and validates a mission. A bad mission.json is moved aside (never overwritten); if it is
   * corrupt rather than from a newer version, the mission is rebuilt from its journal and
   * `onRecovered` is told what happened. Throws a StateFileError when the mission cannot be read,
   * and only that: whatever else fails is reported as one, naming the mission.
   */
  async load(id: string, onRecovered?: (problem: StateFileError) => void): Promise<MissionState> {
    try {
      this.folder(id, false);
      return await this.read(id, onRecovered);
    } catch (error) {
      if (error instanceof StateFileError) throw error;
      throw new StateFileError(`Mission ${id} could not be read: ${(error as Error).message}.`, undefined, false, id);
    }
  }

  private async read(id: string, onRecovered?: (problem: StateFileError) => void): Promise<MissionState> {
    const file = join(this.dir(id), "mission.json");
    if (!existsSync(file)) return this.recover(id, `${file} is missing`, undefined, onRecovered);
    // Parsing is one synchronous step: a snapshot past a sane size is reported, not parsed (nor moved: it may be the user's).
    const size = (await stat(file)).size;
    if (size > MAX_SNAPSHOT_BYTES) throw new StateFileError(`${file} is ${Math.round(size / 1024 / 1024)} MB: more than the ${MAX_SNAPSHOT_BYTES / 1024 / 1024} MB a mission's state is read from. Mission ${id} was not loaded and nothing was changed; set it aside to keep it for inspection.`, undefined, false, id);
    let raw: unknown;
    try {
      raw = JSON.parse(await readFile(file, "utf8"));
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
    const wrong = stateProblem(raw, id);
    if (wrong) return this.recover(id, `${file} does not match the mission schema: ${wrong}`, this.moveAside(file), onRecovered);
    return this.checked(await this.replay(MissionState.parse(raw)), id);
  }

  /** The state after replay, if it is one a mission can run on; else a StateFileError saying why. */
  private checked(state: MissionState, id: string): MissionState {
    const wrong = stateProblem(state, id);
    if (wrong) throw new StateFileError(`Mission ${id} replayed from its journal is not a valid state: ${wrong}. Nothing was changed; set the mission aside to keep it for inspection.`, undefined, false, id);
    return state;
  }

  /** Rebuilds a mission whose snapshot is unusable from its journal, or throws saying what was kept. */
  private async recover(id: string, problem: string, aside: string | undefined, onRecovered?: (problem: StateFileError) => void): Promise<MissionState> {
    if (this.isNewerVersion(id)) throw new StateFileError(`${problem}. The mission was written by a newer version of the Orchestrator; open it with that version.`);
    const stuck = !aside && existsSync(join(this.dir(id), "mission.json"));
    const kept = aside ? ` It was moved to ${aside} and left untouched.` : stuck ? " It could not be moved aside and was left untouched." : "";
    const rebuilt = await this.rebuild(id);
    if (!rebuilt) throw new StateFileError(`${problem}.${kept} Its journal cannot rebuild the mission either; start a new mission or restore the file.`, aside, false, id);
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

  private journalFile(id: string): string {
    return join(this.dir(id), "events.jsonl");
  }

  /** The mission as its journal tells it: started (with its text), then every transition in order. */
  private async rebuild(id: string): Promise<{ state: MissionState; unreadable: number } | undefined> {
    const journal = await readWholeJournal(this.journalFile(id), id);
    const started = journal?.records.find((r) => r.event.type === "mission.started" && typeof r.event.mission === "string");
    if (!journal || !started) return undefined;
    const state = applyRecords(newMissionState(id, started.event.mission as string, started.at), journal.records);
    return { state: this.checked(state, id), unreadable: journal.torn };
  }

  /** Applies the journal records the snapshot does not have yet (a crash between snapshots): only those are read. */
  private async replay(state: MissionState): Promise<MissionState> {
    const newer = await readJournalAfter(this.journalFile(state.id), state.id, state.journalSeq);
    return newer ? applyRecords(state, newer) : state;
  }

  /** The newest events of a mission's journal, oldest first, with when each happened (journalTail). */
  async history(id: string, maxBytes?: number): Promise<HistoryEntry[]> {
    return isMissionId(id) ? journalTail(this.journalFile(id), maxBytes) : [];
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
   * Moves a mission's whole folder aside (`<id>.broken-<time>`, beside the others), untouched: the
   * way out of a mission that cannot be read, losing nothing. Returns where it went.
   */
  setAside(id: string, now = Date.now()): string {
    const dir = this.dir(id);
    const queued = this.pending.get(id);
    if (queued) {
      clearTimeout(queued.timer);
      this.pending.delete(id);
    }
    const aside = `${dir}${SET_ASIDE_SUFFIX}${new Date(now).toISOString().replace(/[-:.]/g, "")}`;
    try {
      // A link is renamed itself, never what it points to.
      const stat = lstatSync(dir);
      if (!stat.isDirectory() && !stat.isSymbolicLink()) throw new Error(`${dir} is not a folder`);
      renameSync(dir, aside);
    } catch (error) {
      throw new StateWriteError(`Could not set mission ${id} aside`, error);
    }
    this.contained.delete(id);
    return aside;
  }

  /** The most recently updated readable mission that passes `filter`; a mission that cannot be read is reported, never thrown. */
  async latest(filter: (state: MissionState) => boolean = () => true, onProblem?: (error: StateFileError) => void): Promise<MissionState | undefined> {
    let best: MissionState | undefined;
    for (const state of await this.list(onProblem)) if (filter(state) && (!best || state.updatedAt > best.updatedAt)) best = state;
    return best;
  }

  /** Every readable mission of the workspace, newest first; a mission that cannot be read is reported, never thrown. */
  async list(onProblem?: (error: StateFileError) => void): Promise<MissionState[]> {
    let ids: string[];
    try {
      // Only mission ids: a folder set aside (`<id>.broken-…`) or anything else is not a mission.
      ids = readdirSync(this.root).filter(isMissionId);
    } catch {
      return [];
    }
    const states: MissionState[] = [];
    for (const id of ids) {
      try {
        // A folder with only a journal is rebuilt, unless a newer version's file was set aside there (reported when it was).
        if (!existsSync(join(this.dir(id), "mission.json")) && (!existsSync(join(this.dir(id), "events.jsonl")) || this.isNewerVersion(id))) continue;
        // One at a time: each mission's reading is bounded, and so is what is held at once.
        states.push(await this.load(id, onProblem));
      } catch (error) {
        onProblem?.(error instanceof StateFileError ? error : new StateFileError(`Mission ${id} could not be read: ${(error as Error).message}.`, undefined, false, id));
      }
    }
    return states.sort((a, b) => b.updatedAt - a.updatedAt);
  }

  /** Deletes a mission's folder for good (the user asked, and confirmed). A link is removed itself, never what it points to. */
  delete(id: string): void {
    const dir = this.dir(id);
    const queued = this.pending.get(id);
    if (queued) {
      clearTimeout(queued.timer);
      this.pending.delete(id);
    }
    try {
      const stat = lstatSync(dir);
      if (stat.isSymbolicLink()) unlinkSync(dir);
      else if (stat.isDirectory()) rmSync(dir, { recursive: true, force: true });
      else throw new Error(`${dir} is not a folder`);
    } catch (error) {
      throw new StateWriteError(`Could not delete mission ${id}`, error);
    }
    this.contained.delete(id);
  }
}
