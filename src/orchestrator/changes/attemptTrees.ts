/**
 * A tree of its own for each Worker attempt: a linked worktree of the checkpoint store's shadow
 * repository (never of the user's: their HEAD, index, refs, stash, `.git/worktrees` and hooks are not
 * read or written), checked out from an integration commit, in a folder outside the workspace that
 * the caller chooses (so the editor's search, file watchers and test runners do not see it).
 *
 * Every git command here names its git dir, work tree and index itself: the `.git` file that git
 * writes into the tree is the Worker's to change, and is never what leads us to a repository.
 */
import { randomBytes } from "node:crypto";
import { existsSync, lstatSync, mkdirSync, readdirSync, realpathSync } from "node:fs";
import { rm } from "node:fs/promises";
import { hostname } from "node:os";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { silentLogger, type Logger } from "../common/logger";
import { containedDir, readSmallFile, replaceFile } from "../workspace/containedFiles";
import type { CheckpointStore, FileChange } from "./checkpointStore";
import { CheckpointError, runGit, splitNul, type GitPlace } from "./git";
import { inheritedExcludes } from "./ignoreRules";
import { DEFAULT_SHARED_FOLDERS, linkSharedFolder } from "./sharedFolders";

/** A tree's folder name starts so: the sweep recognises what it may have left. */
export const TREE_PREFIX = "attempt-";
const COMMIT_ID = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;
const OWNER_FILE = "attempt.json";

export class AttemptTreeError extends Error {
  override readonly name = "AttemptTreeError";
}

export interface AttemptTreesOptions {
  /** Where trees are made: a folder outside the workspace (the extension's storage; a temp folder in tests). */
  treesRoot: string;
  logger?: Logger;
  /** Workspace folders a tree reaches through links (sharedFolders.ts); default `node_modules`. */
  sharedFolders?: readonly string[];
}

export interface AttemptTree {
  attemptId: string;
  /** The tree's folder: where the Worker's session runs. */
  path: string;
  /** The integration commit it was made from. */
  base: string;
  /** Its name in the shadow repository (`worktrees/<name>`, `refs/attempts/<name>/…`). */
  name: string;
}

/** An attempt's work as a commit of the shadow repository, whose parent is its base. */
export interface AttemptChange {
  attemptId: string;
  base: string;
  /** The base itself when the attempt changed nothing. */
  commit: string;
  files: FileChange[];
}

/** What a sweep did with the trees a crash left. */
export interface SweepResult {
  /** Trees holding work: their work kept as a commit (`refs/kept/<name>`), then removed. */
  kept: { path: string; commit: string }[];
  /** Trees without work, removed. */
  removed: string[];
  /** Folders named like trees that the shadow repository does not know: left as they are. */
  leftAlone: string[];
  /** Trees whose owner is still running (another window): not touched. */
  inUse: string[];
}

/** Called once a tree is checked out and linked: the project's own setup (copy `.env`, build caches). */
export type TreeSetup = (tree: AttemptTree) => Promise<void>;

interface Owner {
  attemptId: string;
  pid: number;
  host: string;
}

export class AttemptTrees {
  readonly treesRoot: string;
  private readonly logger: Logger;
  private readonly sharedFolders: readonly string[];

  constructor(
    private readonly store: CheckpointStore,
    options: AttemptTreesOptions,
  ) {
    this.treesRoot = resolve(options.treesRoot);
    this.logger = options.logger ?? silentLogger;
    this.sharedFolders = options.sharedFolders ?? DEFAULT_SHARED_FOLDERS;
  }

  /**
   * A new tree for `attemptId` holding `base` (a commit of the shadow repository), its shared
   * folders linked, then `setup` run. A failure on the way removes what was made.
   */
  async make(attemptId: string, base: string, setup?: TreeSetup): Promise<AttemptTree> {
    checkCommit(base);
    const shadow = await this.store.repository();
    this.openTreesRoot();
    const name = `${TREE_PREFIX}${attemptId.replace(/[^A-Za-z0-9_-]/g, "-").slice(0, 40)}-${randomBytes(4).toString("hex")}`;
    const tree: AttemptTree = { attemptId, path: join(this.treesRoot, name), base, name };
    // No checkout by `worktree add`: its checkout would inherit our GIT_INDEX_FILE and write the store's own index.
    await runGit(shadow, ["worktree", "add", "--no-checkout", "--detach", tree.path, base]);
    try {
      const place = this.placeOf(shadow, tree);
      const registered = readSmallFile(join(place.gitDir, "gitdir"), 4096, false)?.trim();
      if (registered !== join(tree.path, ".git")) throw new AttemptTreeError(`attempt tree ${name}: git registered it as ${registered ?? "nothing"}, not ${tree.path}`);
      await runGit(shadow, ["update-ref", `refs/attempts/${name}/base`, base]);
      replaceFile(join(place.gitDir, OWNER_FILE), JSON.stringify({ attemptId, pid: process.pid, host: hostname() } satisfies Owner) + "\n");
      this.writeExcludes(place);
      await runGit(place, ["read-tree", "--reset", "-u", base]);
      for (const folder of this.sharedFolders) {
        if (linkSharedFolder(this.store.workspace, tree.path, folder)) this.logger.debug(`attempt trees: ${name}: ${folder} linked to the workspace's`);
      }
      await setup?.(tree);
    } catch (error) {
      await this.deleteTree(shadow, tree.path, name).catch(() => undefined);
      throw error;
    }
    this.logger.info(`attempt trees: ${name} made at ${tree.path} from ${base.slice(0, 10)}`);
    return tree;
  }

  /** The tree's content now, against its base, as a commit (kept under `refs/attempts/<name>/change`). */
  async capture(tree: AttemptTree): Promise<AttemptChange> {
    const shadow = await this.store.repository();
    const commit = await this.commitTree(shadow, tree.path, tree.name, tree.base, `attempt ${tree.attemptId}`);
    await runGit(shadow, ["update-ref", `refs/attempts/${tree.name}/change`, commit]);
    return { attemptId: tree.attemptId, base: tree.base, commit, files: commit === tree.base ? [] : await this.store.diff(tree.base, commit) };
  }

  /**
   * Removes a tree whose work was captured (its content now is its last capture), or, with
   * `dropped`, whatever it holds. Shared folders are links: removing them never reaches the user's.
   */
  async remove(tree: AttemptTree, options: { dropped?: boolean } = {}): Promise<void> {
    const shadow = await this.store.repository();
    if (!options.dropped) {
      const captured = await runGit(shadow, ["rev-parse", "--verify", "-q", `refs/attempts/${tree.name}/change^{tree}`], { okCodes: [0, 1] });
      const now = await this.stage(this.placeOf(shadow, tree));
      if (captured.code !== 0 || captured.stdout.toString().trim() !== now) {
        throw new AttemptTreeError(`attempt tree ${tree.name} holds work that was not captured: capture it, or remove it as dropped`);
      }
    }
    await this.deleteTree(shadow, tree.path, tree.name);
    if (options.dropped) await runGit(shadow, ["update-ref", "-d", `refs/attempts/${tree.name}/change`], { okCodes: [0, 1] });
    this.logger.info(`attempt trees: ${tree.name} removed${options.dropped ? " (dropped)" : ""}`);
  }

  /**
   * Trees a crash or a reload left: the work each holds is kept as a commit (`refs/kept/<name>`,
   * parent its base) before it is removed. A tree whose owner process still runs is left alone, and
   * so is a folder named like a tree that the shadow repository does not know.
   */
  async sweep(): Promise<SweepResult> {
    const shadow = await this.store.repository();
    const result: SweepResult = { kept: [], removed: [], leftAlone: [], inUse: [] };
    const known = new Set<string>();
    for (const { path, head } of await listWorktrees(shadow)) {
      if (resolve(path) === this.store.workspace) continue;
      const name = path.split(/[\\/]/).pop() ?? "";
      const place = { workspace: path, gitDir: join(shadow.gitDir, "worktrees", name) };
      if (!name.startsWith(TREE_PREFIX) || !existsSync(place.gitDir)) continue;
      // The shadow repository lives in the workspace, where an agent's shell can write: a worktree
      // entry it planted may name any folder. Only a tree inside our trees' folder is ours to keep and delete.
      if (!insideTreesRoot(path, this.treesRoot)) {
        result.leftAlone.push(path);
        continue;
      }
      known.add(resolve(path));
      if (ownerRunning(readOwner(place.gitDir))) {
        result.inUse.push(path);
        continue;
      }
      if (existsSync(path)) {
        const baseRef = await runGit(shadow, ["rev-parse", "--verify", "-q", `refs/attempts/${name}/base`], { okCodes: [0, 1] });
        const base = baseRef.code === 0 ? baseRef.stdout.toString().trim() : head;
        const commit = await this.commitTree(shadow, path, name, base, `kept from attempt tree ${name} (left by a crash or reload)`);
        if (commit !== base) {
          await runGit(shadow, ["update-ref", `refs/kept/${name}`, commit]);
          result.kept.push({ path, commit });
          this.logger.warn(`attempt trees: ${path} held work that was not merged; kept as ${commit.slice(0, 10)} (refs/kept/${name}) before removing it`);
        } else result.removed.push(path);
      } else result.removed.push(path);
      await this.deleteTree(shadow, path, name);
    }
    if (existsSync(this.treesRoot)) {
      for (const entry of readdirNames(this.treesRoot)) {
        const path = join(this.treesRoot, entry);
        if (entry.startsWith(TREE_PREFIX) && !known.has(path)) result.leftAlone.push(path);
      }
    }
    for (const path of result.leftAlone) this.logger.warn(`attempt trees: ${path} looks like a tree, but the shadow repository does not know it or it is not in ${this.treesRoot}; left as it is`);
    return result;
  }

  /** Stages the tree in its own index and commits it with `base` as parent; `base` itself when nothing changed. */
  private async commitTree(shadow: GitPlace, path: string, name: string, base: string, message: string): Promise<string> {
    const place = this.placeOf(shadow, { path, name });
    this.writeExcludes(place);
    const tree = await this.stage(place);
    const baseTree = (await runGit(shadow, ["rev-parse", `${base}^{tree}`])).stdout.toString().trim();
    if (tree === baseTree) return base;
    return (await runGit(shadow, ["commit-tree", tree, "-p", base, "-m", message])).stdout.toString().trim();
  }

  private async stage(place: GitPlace): Promise<string> {
    // --ignore-errors: one unreadable file must not lose the rest of the attempt's work.
    const add = await runGit(place, ["add", "--all", "--ignore-errors"], { okCodes: [0, 1] });
    if (add.code === 1) this.logger.warn(`attempt trees: some files of ${place.workspace} could not be recorded: ${add.stderr.trim()}`);
    return (await runGit(place, ["write-tree"])).stdout.toString().trim();
  }

  /**
   * The tree's own git place: the worktree's folder in the shadow repository, checked to lead back
   * to that repository (its `commondir`), so a rewritten one can never point our writes elsewhere.
   */
  private placeOf(shadow: GitPlace, tree: Pick<AttemptTree, "path" | "name">): GitPlace {
    const gitDir = join(shadow.gitDir, "worktrees", tree.name);
    const problem = containedDir(this.store.workspace, gitDir, false);
    if (problem) throw new AttemptTreeError(`attempt tree ${tree.name}: ${problem}`);
    const common = readSmallFile(join(gitDir, "commondir"), 4096, false)?.trim();
    if (common === undefined || resolve(gitDir, common) !== shadow.gitDir) {
      throw new AttemptTreeError(`attempt tree ${tree.name}: its git folder does not lead back to the checkpoint store (commondir: ${common ?? "missing"})`);
    }
    return { workspace: tree.path, gitDir };
  }

  /**
   * The ignore rules a capture uses beyond the tree's own `.gitignore` files: those the workspace
   * inherits (as a checkpoint does) and the shared folders, which are links to the user's, not work.
   */
  private writeExcludes(place: GitPlace): void {
    const info = join(place.gitDir, "info");
    const problem = containedDir(this.store.workspace, info, true);
    if (problem) throw new AttemptTreeError(`attempt trees: refusing to write in ${info}: ${problem}`);
    const shared = this.sharedFolders.map((folder) => `/${folder.replaceAll("\\", "/")}`).join("\n");
    replaceFile(join(info, "inherited-exclude"), `${inheritedExcludes(this.store.workspace)}${shared}\n`);
  }

  /** Deletes the tree's folder (links removed as links, never followed) and its record in the shadow repository. */
  private async deleteTree(shadow: GitPlace, path: string, name: string): Promise<void> {
    await rm(path, { recursive: true, force: true });
    await runGit(shadow, ["worktree", "prune"]);
    await runGit(shadow, ["update-ref", "-d", `refs/attempts/${name}/base`], { okCodes: [0, 1] });
  }

  /** The trees' folder, made when missing; refused inside the workspace, where the user's tools would see every tree. */
  private openTreesRoot(): void {
    mkdirSync(this.treesRoot, { recursive: true });
    const inside = relative(realpathSync(this.store.workspace), realpathSync(this.treesRoot));
    if (!inside.startsWith("..") && !isAbsolute(inside)) {
      throw new AttemptTreeError(`attempt trees: ${this.treesRoot} is inside the workspace; trees must live outside it (search, watchers and test runners would see them)`);
    }
    if (lstatSync(this.treesRoot).isSymbolicLink()) throw new AttemptTreeError(`attempt trees: ${this.treesRoot} is a symbolic link`);
  }
}

/** The shadow repository's worktrees (its main one included) with their HEADs. */
async function listWorktrees(shadow: GitPlace): Promise<{ path: string; head: string }[]> {
  const records = splitNul((await runGit(shadow, ["worktree", "list", "--porcelain", "-z"])).stdout);
  const trees: { path: string; head: string }[] = [];
  for (const record of records) {
    if (record.startsWith("worktree ")) trees.push({ path: record.slice("worktree ".length), head: "" });
    else if (record.startsWith("HEAD ") && trees.length) trees[trees.length - 1]!.head = record.slice("HEAD ".length);
  }
  return trees;
}

function readOwner(gitDir: string): Owner | undefined {
  try {
    return JSON.parse(readSmallFile(join(gitDir, OWNER_FILE), 4096, false) ?? "") as Owner;
  } catch {
    return undefined;
  }
}

/** Whether the process that made a tree still runs (on this machine; one elsewhere is taken as running). */
function ownerRunning(owner: Owner | undefined): boolean {
  if (!owner || typeof owner.pid !== "number") return false;
  if (owner.host !== hostname()) return true;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function readdirNames(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function checkCommit(id: string): void {
  if (!COMMIT_ID.test(id)) throw new CheckpointError(`attempt trees: "${id}" is not a commit id of the checkpoint store`);
}

/** Whether `path` is directly in `root`, both resolved through links (a planted entry may name a link). */
function insideTreesRoot(path: string, root: string): boolean {
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return resolve(p);
    }
  };
  return real(dirname(resolve(path))) === real(root);
}
