/**
 * A mission's journal (events.jsonl): its records and reading them back. Every record carries the
 * event, the mission's header fields (everything but the TODOs, the report and what never changes)
 * and the full records of the TODOs it changed. A record is read back only through
 * `parseJournalLine`: a line that is JSON but not a record (`null`, `"todos": 5`, a status no
 * version wrote) is rejected with the reason, never applied — replay assigns a record's fields onto
 * the mission, so an unchecked one could put anything there. Reading the file is journalFile.ts's.
 */
import { z } from "zod";
import { JournalEvent } from "../domain/events";
import { MissionState, TodoState } from "../domain/state";

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
