/**
 * Reading a checkpoint's entries and writing them back into the workspace. Files are written by us,
 * not by `git checkout`, so we know exactly which ones changed, never write through a link (a file is
 * replaced by rename: a symbolic or hard link at its name is replaced, what it points to is not
 * touched), never write what the workspace protects (protectedPaths.ts), and never delete a file the
 * checkpoint could not have held (an ignored one).
 */
import { createHash, randomBytes } from "node:crypto";
import { chmod, lstat, mkdir, readFile, readlink, rename, rm, rmdir, symlink, unlink, writeFile } from "node:fs/promises";
import { basename, dirname, join, posix } from "node:path";
import type { Logger } from "../common/logger";
import { CheckpointError, runGit, splitNul, type GitPlace } from "./git";
import { protectedFromRestore } from "./protectedPaths";
import type { NotRestoredFile } from "../../shared/changes";

export interface TreeEntry {
  /** 100644 file, 100755 executable, 120000 symlink, 040000 folder, 160000 nested repository. */
  mode: string;
  type: "blob" | "tree" | "commit";
  oid: string;
  size: number | undefined;
}

// Windows has no executable bit; git there records what the index already said.
const EXEC_BIT_MATTERS = process.platform !== "win32";
// Windows caps a command line near 32k characters; stay well under it.
const MAX_ARGS_CHARS = 12_000;

/** The entries of `paths` in a checkpoint's tree (a folder's own entry, not its contents). */
export async function readEntries(place: GitPlace, treeish: string, paths: readonly string[]): Promise<Map<string, TreeEntry>> {
  const entries = new Map<string, TreeEntry>();
  for (const chunk of argChunks(paths)) {
    const output = await runGit(place, ["ls-tree", "-l", "-z", treeish, "--", ...chunk]);
    for (const record of splitNul(output.stdout)) {
      const tab = record.indexOf("\t");
      const [mode = "", type = "", oid = "", size = "-"] = record.slice(0, tab).split(/ +/);
      entries.set(record.slice(tab + 1), { mode, type: type as TreeEntry["type"], oid, size: size === "-" ? undefined : Number(size) });
    }
  }
  return entries;
}

/** Whether the file on disk holds exactly the entry's bytes (a symlink: its target); `withMode` adds the executable bit. */
export async function sameBytes(absolute: string, entry: TreeEntry, withMode = false): Promise<boolean> {
  const current = await lstat(absolute).catch(() => undefined);
  if (!current) return false;
  if (entry.mode === "120000") {
    return current.isSymbolicLink() && blobId(await readlink(absolute, { encoding: "buffer" }), entry.oid) === entry.oid;
  }
  if (!current.isFile() || current.size !== entry.size) return false;
  if (withMode && EXEC_BIT_MATTERS && (current.mode & 0o100) !== 0 !== (entry.mode === "100755")) return false;
  return blobId(await readFile(absolute), entry.oid) === entry.oid;
}

/** Git's object id of these bytes as a blob, in the hash the store uses (told by the id's length). */
function blobId(bytes: Buffer, like: string): string {
  const hash = createHash(like.length === 64 ? "sha256" : "sha1");
  hash.update(`blob ${bytes.length}\0`);
  hash.update(bytes);
  return hash.digest("hex");
}

/** A path a restore left alone, and why ("the workspace protects it"). */
/** A path a restore left as it is, and why (the contract's shape: the views show it as it is). */
export type NotRestored = NotRestoredFile;

/** What a restore did: the paths it changed, and those it would not write. */
export interface RestoreResult {
  changed: string[];
  notRestored: NotRestored[];
}

export interface PutBackOptions {
  logger: Logger;
  /** The changed files under folders (checkpoint vs. now); a folder stands for those. */
  changedUnder(folders: string[]): Promise<string[]>;
}

/**
 * Refuses a path with a symlink among its parent folders: writing or deleting through one could
 * reach outside the workspace (a link planted by an agent, or a crafted state file's path).
 */
export async function assertNoLinkedParent(workspace: string, path: string): Promise<void> {
  const parts = path.split("/").slice(0, -1);
  for (let i = 1; i <= parts.length; i++) {
    const folder = join(workspace, ...parts.slice(0, i));
    const stat = await lstat(folder).catch(() => undefined);
    if (!stat) return; // a missing folder is made fresh, inside the workspace
    if (stat.isSymbolicLink()) throw new CheckpointError(`refusing to restore ${path}: ${parts.slice(0, i).join("/")} is a symbolic link, which could lead outside the workspace`);
  }
}

/**
 * Makes `paths` what they were at `checkpoint`, except those the workspace protects (named in the
 * result, never written). Runs on the store's index queue.
 */
export async function putBack(place: GitPlace, checkpoint: string, paths: readonly string[], options: PutBackOptions): Promise<RestoreResult> {
  const at = (path: string) => join(place.workspace, path);
  const entries = await readEntries(place, checkpoint, paths);
  const targets: string[] = [];
  const folders: string[] = [];
  for (const path of paths) {
    const now = await lstat(at(path)).catch(() => undefined);
    if (entries.get(path)?.type === "tree" || now?.isDirectory()) folders.push(path);
    else targets.push(path);
  }
  if (folders.length) {
    const inside = (await options.changedUnder(folders)).filter((path) => !targets.includes(path));
    for (const [path, entry] of await readEntries(place, checkpoint, inside)) entries.set(path, entry);
    targets.push(...inside);
  }

  const notRestored: NotRestored[] = [];
  const allowed = targets.filter((path) => {
    const why = protectedFromRestore(path);
    if (why) notRestored.push({ path, why });
    return !why;
  });
  for (const path of notRestored) options.logger.warn(`checkpoints: not restored: ${path.path} — ${path.why}`);
  for (const path of allowed) await assertNoLinkedParent(place.workspace, path);
  const removals: string[] = [];
  const writes: string[] = [];
  for (const path of allowed) {
    const entry = entries.get(path);
    if (!entry) {
      const now = await lstat(at(path)).catch(() => undefined);
      if (now && !now.isDirectory()) removals.push(path);
    } else if (entry.type === "blob" && !(await sameBytes(at(path), entry, true))) writes.push(path);
  }

  const changed: string[] = [];
  const ignored = await ignoredPaths(place, removals);
  for (const path of removals) {
    // An ignored file is never in a checkpoint, so its absence there says nothing: leave it be.
    if (ignored.has(path)) options.logger.warn(`checkpoints: left ${path} alone: it is ignored, so no checkpoint holds it`);
    else {
      await unlink(at(path));
      changed.push(path);
    }
  }
  await pruneFolders(place, checkpoint, changed);

  const blobs = await readBlobs(place, writes.map((path) => entries.get(path)!.oid));
  for (const path of writes) {
    const entry = entries.get(path)!;
    await writeEntry(at(path), entry, blobs.get(entry.oid)!);
    changed.push(path);
  }
  return { changed, notRestored };
}

async function writeEntry(absolute: string, entry: TreeEntry, bytes: Buffer): Promise<void> {
  const now = await lstat(absolute).catch(() => undefined);
  // A link becoming a file or a file becoming a link: the old entry goes first (a link is removed itself).
  if (now && !now.isDirectory() && (now.isSymbolicLink() || entry.mode === "120000")) await unlink(absolute);
  // A folder where the file was: its changed files were removed first; one still holding others fails here.
  else if (now?.isDirectory()) await rmdir(absolute);
  await mkdir(dirname(absolute), { recursive: true });
  if (entry.mode === "120000") return symlink(bytes, absolute);
  const executable = entry.mode === "100755";
  // A new file beside it, renamed over it: a hard link at the name (to a file outside) keeps its bytes.
  const temp = join(dirname(absolute), `.${basename(absolute)}.${randomBytes(4).toString("hex")}.restoring`);
  try {
    await writeFile(temp, bytes, { mode: executable ? 0o777 : 0o666, flag: "wx" });
    if (now?.isFile() && EXEC_BIT_MATTERS) {
      // The file's own mode, as git does: executable means x wherever r is.
      const mode = now.mode & 0o777;
      await chmod(temp, executable ? mode | ((mode & 0o444) >> 2) : mode & ~0o111);
    }
    await rename(temp, absolute);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** Removes now-empty folders left by deletions, but only those the checkpoint did not have. */
async function pruneFolders(place: GitPlace, checkpoint: string, removed: readonly string[]): Promise<void> {
  const candidates = new Set<string>();
  for (const path of removed) {
    for (let dir = posix.dirname(path); dir !== "."; dir = posix.dirname(dir)) candidates.add(dir);
  }
  if (candidates.size === 0) return;
  const existed = await readEntries(place, checkpoint, [...candidates]);
  const deepestFirst = [...candidates].filter((dir) => !existed.has(dir)).sort((a, b) => b.split("/").length - a.split("/").length);
  for (const dir of deepestFirst) {
    // rmdir refuses a folder that still holds something: that is the emptiness check.
    await rmdir(join(place.workspace, dir)).catch(() => undefined);
  }
}

async function ignoredPaths(place: GitPlace, paths: readonly string[]): Promise<Set<string>> {
  if (paths.length === 0) return new Set();
  const output = await runGit(place, ["check-ignore", "-z", "--stdin", "--no-index"], { input: paths.join("\0") + "\0", okCodes: [0, 1], literalPaths: false });
  return new Set(splitNul(output.stdout));
}

/** Blobs by id, read through one `cat-file --batch`. */
async function readBlobs(place: GitPlace, oids: readonly string[]): Promise<Map<string, Buffer>> {
  const blobs = new Map<string, Buffer>();
  const unique = [...new Set(oids)];
  if (unique.length === 0) return blobs;
  const output = (await runGit(place, ["cat-file", "--batch"], { input: unique.join("\n") + "\n" })).stdout;
  for (let at = 0; at < output.length; ) {
    const newline = output.indexOf(0x0a, at);
    const [oid = "", type = "", size = "0"] = output.subarray(at, newline).toString("utf8").split(" ");
    if (type !== "blob") throw new CheckpointError(`checkpoints: object ${oid} is ${type}, not a file; the store may be damaged`);
    blobs.set(oid, output.subarray(newline + 1, newline + 1 + Number(size)));
    at = newline + 1 + Number(size) + 1;
  }
  return blobs;
}

/** Splits paths into command lines short enough for every platform. */
export function argChunks(paths: readonly string[]): string[][] {
  const chunks: string[][] = [];
  let chunk: string[] = [];
  let chars = 0;
  for (const path of paths) {
    if (chunk.length && chars + path.length + 1 > MAX_ARGS_CHARS) {
      chunks.push(chunk);
      chunk = [];
      chars = 0;
    }
    chunk.push(path);
    chars += path.length + 1;
  }
  if (chunk.length) chunks.push(chunk);
  return chunks;
}
