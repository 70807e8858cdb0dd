/**
 * Mission state on disk, in the workspace (.opencode/orchestrator/missions/<id>/): mission.json
 * written atomically (temp file + rename) before the next action, todo.md rendered beside it, and
 * events.jsonl appended. A corrupt or unknown-version file is moved aside, never overwritten.
 */
import { randomBytes } from "node:crypto";
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderTodoMd } from "../todo/renderTodoMd";
import { emptyUsageTotals, MissionState, STATE_VERSION, TERMINAL_STATUSES } from "./state";

export class StateFileError extends Error {
  override readonly name = "StateFileError";
  constructor(message: string, readonly movedTo?: string) {
    super(message);
  }
}

export class StateWriteError extends Error {
  override readonly name = "StateWriteError";
}

export const ORCHESTRATOR_DIR = join(".opencode", "orchestrator");

function newMissionId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  return `${stamp}-${randomBytes(2).toString("hex")}`;
}

export class MissionStore {
  readonly root: string;

  constructor(readonly workspace: string) {
    this.root = join(workspace, ORCHESTRATOR_DIR, "missions");
  }

  dir(id: string): string {
    return join(this.root, id);
  }

  create(mission: string, now = Date.now()): MissionState {
    const state: MissionState = {
      version: STATE_VERSION,
      id: newMissionId(new Date(now)),
      mission,
      createdAt: now,
      updatedAt: now,
      status: "planning",
      iteration: 0,
      roundsWithoutProgress: 0,
      todos: [],
      syncIssues: [],
      integrationChecked: false,
      usage: emptyUsageTotals(),
      usageByRole: {},
    };
    this.save(state);
    return state;
  }

  save(state: MissionState): void {
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
      throw new StateWriteError(`Could not save the mission state to ${file}: ${(error as Error).message}. The mission stops rather than run on state it cannot keep.`);
    }
  }

  appendEvent(id: string, event: object): void {
    try {
      appendFileSync(join(this.dir(id), "events.jsonl"), `${JSON.stringify({ at: Date.now(), ...event })}\n`);
    } catch (error) {
      throw new StateWriteError(`Could not append to the mission journal of ${id}: ${(error as Error).message}`);
    }
  }

  /** Reads and validates a mission; a bad file is moved aside with a clear error. */
  load(id: string): MissionState {
    const file = join(this.dir(id), "mission.json");
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(file, "utf8"));
    } catch (error) {
      throw this.moveAside(file, `is not valid JSON (${(error as Error).message})`);
    }
    const version = (raw as { version?: unknown } | null)?.version;
    if (typeof version === "number" && version > STATE_VERSION) {
      throw this.moveAside(file, `was written by a newer version of the Orchestrator (state version ${version}; this one reads ${STATE_VERSION})`);
    }
    const parsed = MissionState.safeParse(raw);
    if (!parsed.success) throw this.moveAside(file, `does not match the mission schema: ${parsed.error.issues.slice(0, 3).map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
    return parsed.data;
  }

  private moveAside(file: string, problem: string): StateFileError {
    const aside = `${file}.unreadable-${Date.now()}`;
    try {
      renameSync(file, aside);
    } catch {
      return new StateFileError(`${file} ${problem}. It could not be moved aside either; it was left untouched.`);
    }
    return new StateFileError(`${file} ${problem}. It was moved to ${aside} and left untouched; start a new mission or restore it.`, aside);
  }

  /** The most recently updated mission that is not finished for good, if any. */
  findUnfinished(onUnreadable?: (error: StateFileError) => void): MissionState | undefined {
    return this.latest((state) => !TERMINAL_STATUSES.includes(state.status), onUnreadable);
  }

  /** The most recently updated readable mission that passes `filter`. */
  latest(filter: (state: MissionState) => boolean = () => true, onUnreadable?: (error: StateFileError) => void): MissionState | undefined {
    if (!existsSync(this.root)) return undefined;
    let best: MissionState | undefined;
    for (const id of readdirSync(this.root)) {
      if (!existsSync(join(this.dir(id), "mission.json"))) continue;
      try {
        const state = this.load(id);
        if (filter(state) && (!best || state.updatedAt > best.updatedAt)) best = state;
      } catch (error) {
        if (error instanceof StateFileError) onUnreadable?.(error);
        else throw error;
      }
    }
    return best;
  }
}
