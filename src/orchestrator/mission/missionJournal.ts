/**
 * A mission's journal (events.jsonl): its records and reading them back. Every record carries the
 * event, the mission's header fields (everything but the TODOs, the report and what never changes)
 * and the full records of the TODOs it changed. A record is read back only through
 * `parseJournalLine`: a line that is JSON but not a record (`null`, `"todos": 5`, a status no
 * version wrote) is rejected with the reason, never applied — replay assigns a record's fields onto
 * the mission, so an unchecked one could put anything there.
 */
import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync } from "node:fs";
import { z } from "zod";
import { JournalEvent, parseEvent } from "../domain/eventSchema";
import { MissionState, TodoState } from "../domain/state";
import { StateFileError } from "./stateErrors";

/** Fields of the mission no transition changes (or that are kept in the snapshot only). */
const NOT_IN_HEADER = { version: true, id: true, mission: true, createdAt: true, updatedAt: true, todos: true, report: true, journalSeq: true } as const;

type HeaderKey = Exclude<keyof MissionState, keyof typeof NOT_IN_HEADER>;
export type MissionHeader = Pick<MissionState, HeaderKey>;

const headerKeys = Object.keys(MissionState.shape).filter((key) => !(key in NOT_IN_HEADER)) as HeaderKey[];

/**
 * The header as it is on disk: the state's own field schemas, strict (a field the state has not, like
 * `id` or `todos`, is an error, not a silent overwrite). A field with a default in the state is
 * optional here and has none, so a record from before it existed leaves the mission's value alone.
 */
const MissionHeaderSchema = z.strictObject(
  Object.fromEntries(
    headerKeys.map((key) => {
      const field = MissionState.shape[key] as z.ZodType;
      return [key, field instanceof z.ZodDefault ? (field.unwrap() as z.ZodType).optional() : field];
    }),
  ),
);

export const JournalRecord = z.object({
  seq: z.number().int().positive(),
  at: z.number(),
  event: JournalEvent,
  mission: MissionHeaderSchema,
  todos: z.array(TodoState).optional(),
});
export interface JournalRecord {
  seq: number;
  at: number;
  event: { type: string } & Record<string, unknown>;
  mission: Partial<MissionHeader>;
  todos?: TodoState[];
}

export const headerOf = (state: MissionState): MissionHeader => Object.fromEntries(headerKeys.map((key) => [key, state[key]])) as MissionHeader;

/** A line as read: a record, a line torn by a crash mid-write (not JSON), or JSON that is no record (why). */
export type JournalLine = { kind: "record"; record: JournalRecord } | { kind: "torn" } | { kind: "invalid"; problem: string };

export function parseJournalLine(line: string): JournalLine {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return { kind: "torn" };
  }
  const parsed = JournalRecord.safeParse(raw);
  if (parsed.success) return { kind: "record", record: parsed.data as JournalRecord };
  return { kind: "invalid", problem: describeIssues(parsed.error) };
}

/** The first few issues of a zod error, each with where it is: "mission.status: Invalid option …". */
export function describeIssues(error: z.ZodError, max = 3): string {
  const issues = error.issues.slice(0, max).map((i) => `${i.path.length ? `${i.path.join(".")}: ` : ""}${i.message}`);
  return `${issues.join("; ")}${error.issues.length > max ? ` (and ${error.issues.length - max} more)` : ""}`;
}

/**
 * The journal's records in order, and how many lines were torn (not JSON: a crash mid-write; what
 * comes before and after stands). A line that is JSON but no record is not a crash's doing: the
 * mission is not read at all, and the error names the line and what is wrong with it.
 */
export function readJournal(file: string, missionId: string): { records: JournalRecord[]; torn: number } | undefined {
  if (!existsSync(file)) return undefined;
  const records: JournalRecord[] = [];
  let torn = 0;
  for (const [index, line] of readFileSync(file, "utf8").split("\n").entries()) {
    if (!line.trim()) continue;
    const read = parseJournalLine(line);
    if (read.kind === "torn") torn++;
    else if (read.kind === "record") records.push(read.record);
    else throw new StateFileError(`${file} line ${index + 1} is not a journal record (${read.problem}). Mission ${missionId} was not loaded and nothing was changed; set it aside to keep it for inspection.`, undefined, false, missionId);
  }
  return { records, torn };
}

/** Applies the records newer than the state's `journalSeq`, in order: header fields, then each TODO's full record. */
export function applyRecords(state: MissionState, records: readonly JournalRecord[]): MissionState {
  const index = new Map(state.todos.map((t, i) => [t.id, i]));
  for (const entry of records) {
    if (entry.seq <= state.journalSeq) continue;
    Object.assign(state, entry.mission);
    state.updatedAt = Math.max(state.updatedAt, entry.at);
    for (const todo of entry.todos ?? []) {
      const at = index.get(todo.id);
      if (at === undefined) {
        index.set(todo.id, state.todos.length);
        state.todos.push(todo);
      } else state.todos[at] = todo;
    }
    state.journalSeq = entry.seq;
  }
  return state;
}

export interface HistoryEntry {
  at: number;
  event: { type: string } & Record<string, unknown>;
}

/**
 * The newest events of a journal, oldest first, with when each happened: what the views show of a
 * mission they did not watch (after a reload, or before a resume). Only the last `maxBytes` are
 * read — the views keep a bounded history anyway — and a record whose event is not one this
 * version knows, in the shape it knows, is skipped, never thrown.
 */
export function journalTail(file: string, maxBytes = 4 * 1024 * 1024): HistoryEntry[] {
  let text: string;
  try {
    const fd = openSync(file, "r");
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
  const out: HistoryEntry[] = [];
  for (const line of text.split("\n")) {
    if (!line) continue;
    try {
      const entry = JSON.parse(line) as { at?: unknown; event?: unknown } | null;
      const event = parseEvent(entry?.event);
      if (typeof entry?.at === "number" && event) out.push({ at: entry.at, event: event as HistoryEntry["event"] });
    } catch {
      // a torn record
    }
  }
  return out;
}
