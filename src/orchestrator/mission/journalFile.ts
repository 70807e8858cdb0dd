/**
 * Reading a mission's journal file without freezing the extension host: a long mission's journal
 * (or a repository's planted one) can be hundreds of MB, and every extension shares this thread.
 * Everything here reads asynchronously, in pieces of PIECE_BYTES, and lets the event loop run
 * between pieces. Opening a mission needs only the records newer than its snapshot (read backwards
 * from the end until the snapshot's), and the views only the tail; only a rebuild (no usable
 * snapshot) needs every record, and a journal too large for that is reported, not read.
 * What a line means (a record, a torn write, JSON that is no record) is missionJournal.ts's to say.
 */
import { open, type FileHandle } from "node:fs/promises";
import { parseEvent } from "../domain/events";
import { parseJournalLine, type HistoryEntry, type JournalRecord } from "./missionJournal";
import { StateFileError } from "./stateErrors";

const PIECE_BYTES = 256 * 1024;
/** The most of a journal read to open or rebuild a mission: past it, the mission is reported, not read. */
export const MAX_JOURNAL_READ_BYTES = 128 * 1024 * 1024;
const MB = 1024 * 1024;

/** Lets the event loop run (other extensions, the editor's UI) between pieces of work. */
const breathe = () => new Promise<void>((resolve) => setImmediate(resolve));

interface Line {
  text: string;
  /** Its first byte's offset in the file. */
  offset: number;
}

/** The complete lines of a file, last first, each with its offset; reading stops once `maxBytes` from the end were read. */
async function* linesBackward(handle: FileHandle, size: number, maxBytes = Infinity): AsyncGenerator<Line> {
  let end = size;
  // The start of a line whose beginning lies in a piece not read yet.
  let carry = Buffer.alloc(0);
  while (end > 0 && size - end < maxBytes) {
    const start = Math.max(0, end - PIECE_BYTES);
    const piece = Buffer.alloc(end - start);
    await handle.read(piece, 0, piece.length, start);
    const bytes = carry.length ? Buffer.concat([piece, carry]) : piece;
    let lineEnd = bytes.length;
    for (let at = bytes.lastIndexOf(0x0a, lineEnd - 1); at >= 0; at = at > 0 ? bytes.lastIndexOf(0x0a, at - 1) : -1) {
      if (at + 1 < lineEnd) yield { text: bytes.toString("utf8", at + 1, lineEnd), offset: start + at + 1 };
      lineEnd = at;
    }
    carry = bytes.subarray(0, lineEnd);
    end = start;
    await breathe();
  }
  if (end === 0 && carry.length) yield { text: carry.toString("utf8"), offset: 0 };
}

/** The complete lines of a file, first first, with their line numbers; the last piece of a line cut by a crash too. */
async function* linesForward(handle: FileHandle): AsyncGenerator<Line & { number: number }> {
  let position = 0;
  let number = 0;
  let carry = Buffer.alloc(0);
  const piece = Buffer.alloc(PIECE_BYTES);
  for (;;) {
    const { bytesRead } = await handle.read(piece, 0, PIECE_BYTES, position);
    if (bytesRead === 0) break;
    const bytes = Buffer.concat([carry, piece.subarray(0, bytesRead)]);
    const base = position - carry.length;
    let lineStart = 0;
    for (let at = bytes.indexOf(0x0a); at >= 0; at = bytes.indexOf(0x0a, at + 1)) {
      yield { text: bytes.toString("utf8", lineStart, at), offset: base + lineStart, number: ++number };
      lineStart = at + 1;
    }
    carry = Buffer.from(bytes.subarray(lineStart));
    position += bytesRead;
    await breathe();
  }
  if (carry.length) yield { text: carry.toString("utf8"), offset: position - carry.length, number: number + 1 };
}

/** The line number of the line that starts at `offset` (counted in pieces: only when a bad line is reported). */
async function lineNumberAt(handle: FileHandle, offset: number): Promise<number> {
  let lines = 1;
  const piece = Buffer.alloc(PIECE_BYTES);
  for (let position = 0; position < offset; position += PIECE_BYTES) {
    const { bytesRead } = await handle.read(piece, 0, Math.min(PIECE_BYTES, offset - position), position);
    if (bytesRead === 0) break;
    for (let at = piece.indexOf(0x0a); at >= 0 && at < bytesRead; at = piece.indexOf(0x0a, at + 1)) lines++;
    await breathe();
  }
  return lines;
}

const badLine = (file: string, line: number, problem: string, missionId: string) =>
  new StateFileError(`${file} line ${line} is not a journal record (${problem}). Mission ${missionId} was not loaded and nothing was changed; set it aside to keep it for inspection.`, undefined, false, missionId);

/** Opens a journal; undefined when there is none. */
async function openJournal(file: string): Promise<FileHandle | undefined> {
  try {
    return await open(file, "r");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/**
 * The records newer than `afterSeq` (the snapshot's), oldest first: read from the end back to the
 * first record at or before it. Each is validated as every record is; a line that is JSON but no
 * record makes the mission unreadable, as it always did. Undefined when there is no journal.
 */
export async function readJournalAfter(file: string, missionId: string, afterSeq: number, maxBytes = MAX_JOURNAL_READ_BYTES): Promise<JournalRecord[] | undefined> {
  const handle = await openJournal(file);
  if (!handle) return undefined;
  try {
    const size = (await handle.stat()).size;
    const newer: JournalRecord[] = [];
    let reached = false;
    for await (const line of linesBackward(handle, size, maxBytes)) {
      if (!line.text.trim()) continue;
      const read = parseJournalLine(line.text);
      if (read.kind === "invalid") throw badLine(file, await lineNumberAt(handle, line.offset), read.problem, missionId);
      if (read.kind !== "record") continue;
      if (read.record.seq <= afterSeq) {
        reached = true;
        break;
      }
      newer.push(read.record);
    }
    if (!reached && size > maxBytes) {
      throw new StateFileError(`${file} holds more than ${Math.round(maxBytes / MB)} MB of records newer than the mission's snapshot (mission.json): more than is read to open a mission. Mission ${missionId} was not loaded and nothing was changed; set it aside to keep it for inspection.`, undefined, false, missionId);
    }
    return newer.reverse();
  } finally {
    await handle.close();
  }
}

/**
 * Every record of a journal in order, and how many lines were torn (not JSON: a crash mid-write;
 * what comes before and after stands), for a rebuild. A journal larger than `maxBytes` is reported,
 * not read. Undefined when there is no journal.
 */
export async function readWholeJournal(file: string, missionId: string, maxBytes = MAX_JOURNAL_READ_BYTES): Promise<{ records: JournalRecord[]; torn: number } | undefined> {
  const handle = await openJournal(file);
  if (!handle) return undefined;
  try {
    const size = (await handle.stat()).size;
    if (size > maxBytes) {
      throw new StateFileError(`${file} is ${Math.round(size / MB)} MB: more than the ${Math.round(maxBytes / MB)} MB a mission is rebuilt from, and its snapshot (mission.json) cannot be used. Mission ${missionId} was not loaded and nothing was changed; set it aside to keep it for inspection.`, undefined, false, missionId);
    }
    const records: JournalRecord[] = [];
    let torn = 0;
    for await (const line of linesForward(handle)) {
      if (!line.text.trim()) continue;
      const read = parseJournalLine(line.text);
      if (read.kind === "torn") torn++;
      else if (read.kind === "record") records.push(read.record);
      else throw badLine(file, line.number, read.problem, missionId);
    }
    return { records, torn };
  } finally {
    await handle.close();
  }
}

/**
 * The newest events of a journal, oldest first, with when each happened: what the views show of a
 * mission they did not watch (after a reload, or before a resume). Only the last `maxBytes` are
 * read — the views keep a bounded history anyway — and a record whose event is not one this
 * version knows, in the shape it knows, is skipped, never thrown.
 */
export async function journalTail(file: string, maxBytes = 4 * MB): Promise<HistoryEntry[]> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(file, "r");
    const size = (await handle.stat()).size;
    const out: HistoryEntry[] = [];
    for await (const line of linesBackward(handle, size, maxBytes)) {
      // Lines that begin before the last `maxBytes` are not the tail's: the views keep a bounded history.
      if (line.offset < size - maxBytes || !line.text) continue;
      try {
        const entry = JSON.parse(line.text) as { at?: unknown; event?: unknown } | null;
        const event = parseEvent(entry?.event);
        if (typeof entry?.at === "number" && event) out.push({ at: entry.at, event: event as HistoryEntry["event"] });
      } catch {
        // a torn record
      }
    }
    return out.reverse();
  } catch {
    return [];
  } finally {
    await handle?.close();
  }
}
