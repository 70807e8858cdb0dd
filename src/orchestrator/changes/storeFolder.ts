/**
 * The checkpoint store's folder, and whether we may use it. A cloned repository can ship
 * `.opencode/orchestrator/checkpoints` itself: links at its `.gitignore` or `git/info/*` (which we
 * write), a `git/objects` or `refs` link (where git writes), a hostile `config`, checkpoints holding
 * `.git/hooks/…`. Rather than sanitise such a folder, we use only a store this user's runs made (its
 * provenance mark) with no link or special file in it; any other is set aside, renamed and
 * untouched, and a fresh one is made — built under a temporary name and renamed into place, so a
 * store found under the real name is always complete with its mark.
 */
import { randomBytes } from "node:crypto";
import { lstatSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { containedDir, readSmallFile } from "../workspace/containedFiles";
import type { Logger } from "../common/logger";
import type { Provenance } from "../workspace/provenance";
import { CheckpointError, runGit } from "./git";

/** The file in the store's folder that holds its id and our mark of it. */
export const STORE_MARK = "provenance";
const STORE_ID = /^[0-9a-f]{32}$/;
// git's loose-object folders: hundreds of files each, written only as new files by git; not walked.
const OBJECT_FOLDER = /^[0-9a-f]{2}$/;
const SET_ASIDE_TRIES = 3;

export interface StoreFolder {
  workspace: string;
  /** The store's folder, `<workspace>/.opencode/orchestrator/checkpoints`. */
  dir: string;
  provenance: Provenance;
  logger: Logger;
}

/**
 * Makes `dir` a store of ours: a real folder reached without a link, carrying our mark, with no link
 * or special file inside. A store that is not is set aside (its name changed, nothing deleted) and a
 * new one made. Throws a CheckpointError when no store can be kept there at all (a link on the way).
 */
export async function openStoreFolder(store: StoreFolder): Promise<void> {
  const parent = dirname(store.dir);
  const onTheWay = containedDir(store.workspace, parent, true);
  if (onTheWay) throw new CheckpointError(`checkpoints: no store can be kept in ${parent}: ${onTheWay}. Checkpoints are off until it is a real folder of the workspace.`);
  for (let attempt = 1; attempt <= SET_ASIDE_TRIES; attempt++) {
    const foreign = await whyNotOurs(store);
    if (foreign === undefined) return;
    if (foreign !== "missing") setAside(store, foreign);
    // Another window may have made one meanwhile: then it is checked like any other.
    if (await createStore(store)) return;
  }
  throw new CheckpointError(`checkpoints: the store ${store.dir} kept changing while it was opened; try again`);
}

/** Why `dir` is not a store of ours to use ("missing" when there is none); undefined when it is. */
async function whyNotOurs(store: StoreFolder): Promise<string | undefined> {
  try {
    const stat = lstatSync(store.dir);
    if (stat.isSymbolicLink()) return `${store.dir} is a symbolic link`;
    if (!stat.isDirectory()) return `${store.dir} is not a folder`;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "missing";
    return (error as Error).message;
  }
  const mark = parseMark(readSmallFile(join(store.dir, STORE_MARK), 1024, false));
  if (!mark || !store.provenance.verifies("checkpoint-store", store.workspace, mark.store, mark.mark)) {
    return "it carries no mark of this user's Orchestrator (shipped with the repository, copied from elsewhere, or made by a version before stores were marked)";
  }
  return strangeEntry(store.dir);
}

function parseMark(text: string | undefined): { store: string; mark: string } | undefined {
  try {
    const parsed = JSON.parse(text ?? "") as { store?: unknown; mark?: unknown };
    return typeof parsed.store === "string" && STORE_ID.test(parsed.store) && typeof parsed.mark === "string" ? { store: parsed.store, mark: parsed.mark } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The first link or special file in the store (a link git could be led through: `objects`, `refs`,
 * `HEAD`, `info/attributes`, …); undefined when there is none. Loose-object folders are checked
 * themselves, not their files: git writes there only new files, by rename.
 */
async function strangeEntry(dir: string): Promise<string | undefined> {
  const folders = [dir];
  for (let folder = folders.pop(); folder !== undefined; folder = folders.pop()) {
    const walkInto = !(basename(dirname(folder)) === "objects" && OBJECT_FOLDER.test(basename(folder)));
    if (!walkInto) continue;
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isSymbolicLink()) return `${path} is a symbolic link`;
      if (entry.isDirectory()) folders.push(path);
      else if (!entry.isFile()) return `${path} is not a regular file`;
    }
  }
  return undefined;
}

/** Renames a store that is not ours out of the way (a link is renamed itself, never followed). */
function setAside(store: StoreFolder, why: string): void {
  const aside = `${store.dir}.set-aside-${new Date().toISOString().replace(/[-:.]/g, "")}-${randomBytes(2).toString("hex")}`;
  try {
    renameSync(store.dir, aside);
  } catch (error) {
    throw new CheckpointError(`checkpoints: the store ${store.dir} is not one to use (${why}) and could not be set aside: ${(error as Error).message}`);
  }
  store.logger.warn(`checkpoints: ${store.dir} was not used: ${why}. It was set aside, untouched, as ${aside}; a new store is made.`);
}

/**
 * A new store: made and marked under a temporary name, then renamed into place. False when another
 * window put one there first (ours is removed; the caller checks theirs).
 */
async function createStore(store: StoreFolder): Promise<boolean> {
  const temp = `${store.dir}.new-${process.pid}-${randomBytes(4).toString("hex")}`;
  mkdirSync(temp);
  try {
    const id = randomBytes(16).toString("hex");
    writeFileSync(join(temp, STORE_MARK), JSON.stringify({ store: id, mark: store.provenance.mark("checkpoint-store", store.workspace, id) }) + "\n", { flag: "wx" });
    // The store ignores itself in the user's repository too: it must never show in their `git status`.
    writeFileSync(join(temp, ".gitignore"), "# OpenCode Orchestrator's checkpoints: a git repository of its own.\n*\n", { flag: "wx" });
    mkdirSync(join(temp, "git"));
    await runGit({ workspace: store.workspace, gitDir: join(temp, "git") }, ["init", "-q", "--template="]);
    mkdirSync(join(temp, "git", "info"));
    renameSync(temp, store.dir);
    return true;
  } catch (error) {
    rmSync(temp, { recursive: true, force: true });
    // Whatever failed, a store now in place is another window's (the rename's EEXIST, ENOTEMPTY or EPERM).
    if (lstatSync(store.dir, { throwIfNoEntry: false })) return false;
    throw error;
  }
}
