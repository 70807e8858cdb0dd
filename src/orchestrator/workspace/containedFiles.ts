/**
 * Writing inside the state folder without ever writing outside it. The folder is in the workspace,
 * and a workspace can be anyone's (a cloned repository can ship `.opencode/orchestrator/…` itself):
 * a mission folder, a jobs folder, or a file in them, that is a symbolic link must not carry our
 * writes elsewhere.
 * Files are replaced by rename (which replaces a link, never follows it) or appended to with
 * O_NOFOLLOW; a folder is used only when every step from the workspace down to it is a real folder.
 * Reads of what a workspace could plant (a FIFO, a link to /dev/zero, a huge file) are bounded.
 */
import { closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readSync, renameSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { isAbsolute, join, relative, sep } from "node:path";

// Windows has no O_NOFOLLOW (and no links an unprivileged workspace can plant the same way).
const NOFOLLOW = constants.O_NOFOLLOW ?? 0;

/** open() flags that append to a file, creating it, never through a link. */
export const APPEND_NOFOLLOW = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | NOFOLLOW;

/**
 * Walks from the workspace down to `dir`, creating what is missing when `create`: every step must be
 * a real folder, not a link. Returns why `dir` may not hold our state, or undefined when it may
 * (a missing folder, when not creating, may: there is nothing to read there).
 */
export function containedDir(workspace: string, dir: string, create: boolean): string | undefined {
  const rel = relative(workspace, dir);
  if (!rel || rel.startsWith("..") || isAbsolute(rel)) return `${dir} is not inside the workspace`;
  let at = workspace;
  for (const part of rel.split(sep)) {
    at = join(at, part);
    try {
      const stat = lstatSync(at);
      if (stat.isSymbolicLink()) return `${at} is a symbolic link`;
      if (!stat.isDirectory()) return `${at} is not a folder`;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") return (error as Error).message;
      if (!create) return undefined;
      mkdirSync(at);
    }
  }
  return undefined;
}

/** Creates `dir` (and its parents) inside the workspace, or throws saying why it may not. */
export function makeContainedDir(dir: string, workspace: string): void {
  const problem = containedDir(workspace, dir, true);
  if (problem) throw new Error(`Refusing to write there: ${problem}`);
}

/** Appends without following a link at `file`. */
export function appendNoFollow(file: string, text: string): void {
  const fd = openSync(file, APPEND_NOFOLLOW, 0o644);
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

/** Writes `file` whole: a fresh temp file (never an existing one or a link), then a rename over it. */
export function replaceFile(file: string, text: string): void {
  const temp = `${file}.${process.pid}.tmp`;
  rmSync(temp, { force: true });
  writeFileSync(temp, text, { flag: "wx" });
  renameSync(temp, file);
}

/** Replaces `file` (as replaceFile) unless it already holds exactly `text`, read without following a link. */
export function replaceFileIfChanged(file: string, text: string): void {
  if (readSmallFile(file, Buffer.byteLength(text), false) !== text) replaceFile(file, text);
}

/**
 * The text of `file` when it is a regular file of at most `maxBytes`; undefined otherwise (missing,
 * larger, a folder, a FIFO or device). Without `followLink`, a link at `file` itself counts as no file.
 * Opened non-blocking, so a FIFO planted where a file was expected never hangs the caller.
 */
export function readSmallFile(file: string, maxBytes: number, followLink: boolean): string | undefined {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | (followLink ? 0 : NOFOLLOW) | (constants.O_NONBLOCK ?? 0));
  } catch {
    return undefined;
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile() || stat.size > maxBytes) return undefined;
    const buffer = Buffer.alloc(stat.size);
    let length = 0;
    while (length < buffer.length) {
      const read = readSync(fd, buffer, length, buffer.length - length, length);
      if (read === 0) break;
      length += read;
    }
    return buffer.subarray(0, length).toString("utf8");
  } finally {
    closeSync(fd);
  }
}
