/**
 * The conflicting hunks of a file git merged with conflict markers (diff3 style: ours, base,
 * theirs), as data a resolver turn can be shown; and the one resolution made without a model: both
 * sides only inserted lines at the same place (two registrations appended to one list), so both
 * are kept, ours first.
 */

export interface ConflictHunk {
  /** 1-based line of the `<<<<<<<` marker in the merged file. */
  line: number;
  /** The integration state's lines (each ending in a newline). */
  ours: string;
  /** The lines both started from: empty when both sides only inserted. */
  base: string;
  /** The attempt's lines. */
  theirs: string;
}

// Git's default marker size; a path with another `conflict-marker-size` attribute is not parsed.
const OPEN = /^<{7}(?: |$)/;
const BASE = /^\|{7}(?: |$)/;
const SPLIT = /^={7}$/;
const CLOSE = /^>{7}(?: |$)/;

/** Each conflict region of `text`, with the plain lines between them. */
function regions(text: string): { hunks: ConflictHunk[]; pieces: (string | ConflictHunk)[] } {
  const lines = text.split(/(?<=\n)/);
  const hunks: ConflictHunk[] = [];
  const pieces: (string | ConflictHunk)[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!OPEN.test(stripEnd(line))) {
      pieces.push(line);
      continue;
    }
    const hunk: ConflictHunk = { line: i + 1, ours: "", base: "", theirs: "" };
    let part: "ours" | "base" | "theirs" = "ours";
    let closed = false;
    for (i++; i < lines.length; i++) {
      const inner = stripEnd(lines[i]!);
      if (part === "ours" && BASE.test(inner)) part = "base";
      else if (part !== "theirs" && SPLIT.test(inner)) part = "theirs";
      else if (part === "theirs" && CLOSE.test(inner)) {
        closed = true;
        break;
      } else hunk[part] += lines[i]!;
    }
    if (!closed) throw new Error(`an unclosed conflict marker at line ${hunk.line}`);
    hunks.push(hunk);
    pieces.push(hunk);
  }
  return { hunks, pieces };
}

function stripEnd(line: string): string {
  return line.replace(/\r?\n$/, "");
}

/** The conflicting hunks of a merged file's text (none when it has no markers). */
export function conflictHunks(text: string): ConflictHunk[] {
  return regions(text).hunks;
}

/**
 * The text with every conflict resolved by keeping both sides (ours, then theirs), when each
 * conflict is one where both sides only inserted lines (an empty base); undefined otherwise.
 */
export function keepBothInsertions(text: string): string | undefined {
  const { hunks, pieces } = regions(text);
  // A side that ends without a newline would be glued to the other's first line.
  if (hunks.length === 0 || hunks.some((hunk) => hunk.base !== "" || !hunk.ours.endsWith("\n"))) return undefined;
  return pieces.map((piece) => (typeof piece === "string" ? piece : piece.ours + piece.theirs)).join("");
}
