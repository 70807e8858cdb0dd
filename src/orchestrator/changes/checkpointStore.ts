/**
 * Checkpoints of the workspace in a shadow git repository the orchestrator owns (its own git dir,
 * index and refs under `.opencode/orchestrator/checkpoints`): what agents changed can be listed and
 * put back without ever touching the user's repository, index, refs or stash. Only a store this
 * user's runs made is used, and every file we write in it is reached with no link on the way
 * (storeFolder.ts, containedFiles.ts).
 */
import { existsSync } from "node:fs";
import { lstat, rm } from "node:fs/promises";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { containedDir, replaceFileIfChanged } from "../workspace/containedFiles";
import { silentLogger, type Logger } from "../common/logger";
import { Provenance } from "../workspace/provenance";
import { CheckpointError, runGit, splitNul, type GitPlace } from "./git";
import { inheritedExcludes } from "./ignoreRules";
import { cutPatch, splitPatch } from "./patchSections";
import { argChunks, assertNoLinkedParent, putBack, readEntries, sameBytes, type RestoreResult } from "./restoreFiles";
import { openStoreFolder } from "./storeFolder";
import type { FileChange } from "../domain/state";

export { CheckpointError, GitNotFoundError } from "./git";
export type { RestoreResult } from "./restoreFiles";

export type { FileChange } from "../domain/state";

export interface CheckpointStoreOptions {
  logger?: Logger;
  /** Whose stores this one may use (provenance.ts); default: a key of this process alone. */
  provenance?: Provenance;
}

const CHECKPOINTS_REF = "refs/heads/checkpoints";
const COMMIT_ID = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;
const ORCHESTRATOR_DIR = ".opencode/orchestrator";
const LOCK_ATTEMPTS = 20;
const STALE_LOCK_MS = 10 * 60_000;
// Attributes with the highest precedence: no line-ending, filter or encoding conversion, so a
// checkpoint holds the bytes on disk and a restore writes them back exactly.
const RAW_ATTRIBUTES = "* -text -eol -filter -ident -working-tree-encoding\n";

interface PendingCheckpoint {
  labels: string[];
  taken: Promise<string>;
}

export class CheckpointStore {
  readonly workspace: string;
  readonly dir: string;
  /** The store's own git dir; tests and tools read it with GIT_DIR. */
  readonly gitDir: string;
  private readonly place: GitPlace;
  private readonly logger: Logger;
  private readonly provenance: Provenance;
  private ready: Promise<void> | undefined;
  // Everything that writes the store's index runs here, one at a time.
  private indexQueue: Promise<unknown> = Promise.resolve();
  private pending: PendingCheckpoint | undefined;
  private head: string | undefined;
  /** The tree of `head` when this store committed it (unknown for a head found on opening). */
  private headTree: string | undefined;

  constructor(workspace: string, options: CheckpointStoreOptions = {}) {
    this.workspace = resolve(workspace);
    this.dir = join(this.workspace, ORCHESTRATOR_DIR, "checkpoints");
    this.gitDir = join(this.dir, "git");
    this.place = { workspace: this.workspace, gitDir: this.gitDir };
    this.logger = options.logger ?? silentLogger;
    this.provenance = options.provenance ?? Provenance.ofThisProcess();
  }

  /**
   * Snapshot of the whole workspace as it is now. Callers arriving while a checkpoint runs share the
   * next one, which starts after they called: never one that began before them.
   */
  checkpoint(label: string): Promise<string> {
    if (this.pending) {
      this.pending.labels.push(label);
      return this.pending.taken;
    }
    const pending: PendingCheckpoint = { labels: [label], taken: Promise.resolve("") };
    pending.taken = this.onIndex(() => {
      // From now on the scan may already have passed a caller's file: later callers wait for the next one.
      if (this.pending === pending) this.pending = undefined;
      return this.commitWorkspace(pending.labels);
    });
    this.pending = pending;
    return pending.taken;
  }

  /** The store's repository, opened: for what builds on its commits (attempt trees, merges). */
  async repository(): Promise<GitPlace> {
    await this.whenReady();
    return this.place;
  }

  /** Files that differ between two checkpoints, or between a checkpoint and the working tree now. */
  async diff(from: string, to: string | "worktree", paths?: readonly string[]): Promise<FileChange[]> {
    checkId(from);
    if (to !== "worktree") checkId(to);
    const pathspecs = paths?.map((path) => this.relativePath(path));
    if (pathspecs?.length === 0) return [];
    const target = to === "worktree" ? await this.onIndex(() => this.stageWorkspace()) : to;
    await this.whenReady();
    return this.diffTrees(from, target, pathspecs);
  }

  /**
   * The unified diff of `paths` between two checkpoints, cut at `maxBytes` (at a line end) with a
   * note of how much was left out: what a Reviewer reads of a TODO's change.
   */
  async patch(from: string, to: string, paths: readonly string[], maxBytes = 8_000): Promise<string> {
    return cutPatch(await this.unifiedDiff(from, to, paths.map((path) => this.relativePath(path))), maxBytes);
  }

  /**
   * Each path's unified diff between two checkpoints, uncut and in git's order, from one git run for
   * them all (keyed by the paths as given; one that did not change, or whose part could not be told
   * apart, is absent).
   */
  async patches(from: string, to: string, paths: readonly string[]): Promise<Map<string, string>> {
    const given = new Map(paths.map((path) => [this.relativePath(path), path]));
    const parts = splitPatch(await this.unifiedDiff(from, to, [...given.keys()]), [...given.keys()]);
    return new Map([...parts].map(([pathspec, part]) => [given.get(pathspec) as string, part]));
  }

  private async unifiedDiff(from: string, to: string, pathspecs: readonly string[]): Promise<string> {
    checkId(from);
    checkId(to);
    if (pathspecs.length === 0) return "";
    await this.whenReady();
    let text = "";
    for (const chunk of argChunks(pathspecs)) {
      text += (await runGit(this.place, ["diff-tree", "-p", "--no-color", "--no-renames", "-U2", from, to, "--", ...chunk])).stdout.toString("utf8");
    }
    return text;
  }

  /** A file's bytes at a checkpoint, or undefined when it did not exist there. */
  async read(checkpoint: string, path: string): Promise<Buffer | undefined> {
    checkId(checkpoint);
    const file = this.relativePath(path);
    await assertNoLinkedParent(this.workspace, file);
    await this.whenReady();
    const entry = (await readEntries(this.place, checkpoint, [file])).get(file);
    if (entry?.type !== "blob") return undefined;
    return (await runGit(this.place, ["cat-file", "blob", entry.oid])).stdout;
  }

  /** The working-tree bytes of a file equal its bytes at `checkpoint` (both absent counts as equal). */
  async unchangedSince(checkpoint: string, path: string): Promise<boolean> {
    checkId(checkpoint);
    const file = this.relativePath(path);
    await assertNoLinkedParent(this.workspace, file);
    await this.whenReady();
    const entry = (await readEntries(this.place, checkpoint, [file])).get(file);
    if (!entry) return (await lstat(join(this.workspace, file)).catch(() => undefined)) === undefined;
    return entry.type === "blob" && sameBytes(join(this.workspace, file), entry);
  }

  /**
   * Puts `paths` back as they were at `checkpoint`: rewrites them byte-exact with their mode and
   * deletes those that did not exist then. A folder stands for the files in it that changed. What
   * the workspace protects (`.git/`, `.vscode/`, OpenCode's config) is never written: it is named
   * in the result instead. Returns the paths it changed.
   */
  async restore(checkpoint: string, paths: readonly string[]): Promise<RestoreResult> {
    checkId(checkpoint);
    const files = [...new Set(paths.map((path) => this.relativePath(path)))];
    if (files.length === 0) return { changed: [], notRestored: [] };
    // Serialised with checkpoints, so none of them sees a restore half done.
    return this.onIndex(async () => {
      const result = await putBack(this.place, checkpoint, files, {
        logger: this.logger,
        changedUnder: async (folders) => (await this.diffTrees(checkpoint, await this.stageWorkspace(), folders)).map((change) => change.path),
      });
      if (result.changed.length) this.logger.info(`checkpoints: restored ${result.changed.length} file(s) to ${checkpoint.slice(0, 10)}: ${result.changed.join(", ")}`);
      return result;
    });
  }

  private async commitWorkspace(labels: readonly string[]): Promise<string> {
    const started = Date.now();
    const tree = await this.stageWorkspace();
    // Nothing changed since our last checkpoint: it is this one too (two git runs fewer; a checkpoint
    // before a review that follows the last Worker's often finds the workspace as that one left it).
    if (this.head && this.headTree === tree) {
      this.logger.debug(`checkpoints: ${this.head.slice(0, 10)} unchanged, for ${labels.length} more caller(s) in ${Date.now() - started} ms (${labels.join("; ")})`);
      return this.head;
    }
    const parent = this.head ? ["-p", this.head] : [];
    // A NUL cannot travel in an argument; labels are ours, so dropping it loses nothing.
    const message = labels.join("\n").replaceAll("\0", "") || "checkpoint";
    const commit = (await runGit(this.place, ["commit-tree", tree, ...parent, "-m", message])).stdout.toString().trim();
    await this.waitingOutLock(() => runGit(this.place, ["update-ref", CHECKPOINTS_REF, commit]));
    this.head = commit;
    this.headTree = tree;
    this.logger.debug(`checkpoints: ${commit.slice(0, 10)} for ${labels.length} caller(s) in ${Date.now() - started} ms (${labels.join("; ")})`);
    return commit;
  }

  /** Records the working tree in the store's index and returns its tree id. */
  private async stageWorkspace(): Promise<string> {
    this.writeInheritedExcludes();
    // The first scan writes every file of the workspace: streamed into one pack it is ~10x faster than
    // one loose object per file. Only then, as each later scan would add a pack of its own.
    const firstScan = !existsSync(join(this.gitDir, "index"));
    // --ignore-errors: one unreadable file or a nested repository without a commit must not lose the rest.
    const add = await this.waitingOutLock(() =>
      runGit(this.place, ["add", "--all", "--ignore-errors"], { okCodes: [0, 1], config: firstScan ? ["core.bigFileThreshold=1"] : [] }),
    );
    if (add.code === 1) this.logger.warn(`checkpoints: some files could not be recorded: ${add.stderr.trim()}`);
    return (await this.waitingOutLock(() => runGit(this.place, ["write-tree"]))).stdout.toString().trim();
  }

  private async diffTrees(from: string, to: string, pathspecs?: readonly string[]): Promise<FileChange[]> {
    const changes: FileChange[] = [];
    for (const chunk of pathspecs ? argChunks(pathspecs) : [[]]) {
      const output = await runGit(this.place, ["diff-tree", "-r", "-z", "--no-renames", "--raw", "--numstat", from, to, "--", ...chunk]);
      changes.push(...parseDiff(splitNul(output.stdout)));
    }
    return changes;
  }

  /** A second orchestrator window on this workspace shares the store: wait for its git to let go of the index or ref. */
  private async waitingOutLock<T>(run: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await run();
      } catch (error) {
        // git's own message names the lock file and says to remove it if no git process is running.
        if (!(error instanceof CheckpointError) || !/\.lock'?: File exists/.test(error.message) || attempt >= LOCK_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
      }
    }
  }

  private onIndex<T>(job: () => Promise<T>): Promise<T> {
    const run = this.indexQueue.then(() => this.whenReady()).then(job);
    this.indexQueue = run.catch(() => undefined);
    return run;
  }

  private whenReady(): Promise<void> {
    this.ready ??= this.open().catch((error: unknown) => {
      // Let the next call try again (git installed meanwhile, a folder made writable).
      this.ready = undefined;
      throw error;
    });
    return this.ready;
  }

  private async open(): Promise<void> {
    if (!existsSync(this.workspace)) throw new CheckpointError(`checkpoints: the workspace ${this.workspace} does not exist`);
    await openStoreFolder({ workspace: this.workspace, dir: this.dir, provenance: this.provenance, logger: this.logger });
    await this.removeStaleLock();
    this.writeInfo("exclude", `# the orchestrator's own state is never part of a checkpoint\n/${ORCHESTRATOR_DIR}/\n`);
    this.writeInfo("attributes", RAW_ATTRIBUTES);
    const head = await runGit(this.place, ["rev-parse", "--verify", "-q", CHECKPOINTS_REF], { okCodes: [0, 1] });
    this.head = head.code === 0 ? head.stdout.toString().trim() : undefined;
    this.headTree = undefined;
  }

  /**
   * Writes one of the files of the store's `git/info` (replaced by rename, never written through a
   * link), once every folder from the workspace down to it is checked to be a real one.
   */
  private writeInfo(name: "exclude" | "attributes" | "inherited-exclude", text: string): void {
    const info = join(this.gitDir, "info");
    const problem = containedDir(this.workspace, info, true);
    if (problem) throw new CheckpointError(`checkpoints: refusing to write in ${info}: ${problem}`);
    replaceFileIfChanged(join(info, name), text);
  }

  /** A lock left by a git killed with its machine would stop every checkpoint; a live one is seconds old. */
  private async removeStaleLock(): Promise<void> {
    const lock = join(this.gitDir, "index.lock");
    const since = await lstat(lock).then((s) => Date.now() - s.mtimeMs, () => undefined);
    if (since === undefined || since < STALE_LOCK_MS) return;
    this.logger.warn(`checkpoints: removing ${lock}, left ${Math.round(since / 60_000)} min ago by a git that did not finish`);
    await rm(lock, { force: true });
  }

  /** The enclosing repository's ignore rules: its text goes only into the store's own, link-free `git/info`. */
  private writeInheritedExcludes(): void {
    this.writeInfo("inherited-exclude", inheritedExcludes(this.workspace));
  }

  /** A workspace-relative path in git's form; refuses paths outside the workspace. */
  private relativePath(path: string): string {
    const absolute = resolve(this.workspace, path);
    const inside = relative(this.workspace, absolute);
    if (inside === "" || inside.startsWith("..") || isAbsolute(inside)) {
      throw new CheckpointError(`checkpoints: ${path} is not a file inside the workspace ${this.workspace}`);
    }
    return toPosix(inside);
  }
}

function parseDiff(records: readonly string[]): FileChange[] {
  const raw: { path: string; status: FileChange["status"] }[] = [];
  const counts = new Map<string, { added: number; removed: number; binary: boolean }>();
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!;
    if (record.startsWith(":")) {
      const [srcMode, dstMode, , , letter] = record.slice(1).split(" ");
      const path = records[++i]!;
      // A nested repository is recorded as a commit id, not files: nothing of it can be shown or put back.
      if (srcMode === "160000" || dstMode === "160000") continue;
      raw.push({ path, status: letter === "A" ? "added" : letter === "D" ? "deleted" : "modified" });
    } else {
      const [added, removed, ...path] = record.split("\t");
      const binary = added === "-";
      counts.set(path.join("\t"), { added: binary ? 0 : Number(added), removed: binary ? 0 : Number(removed), binary });
    }
  }
  return raw.map(({ path, status }) => ({ path, status, ...(counts.get(path) ?? { added: 0, removed: 0, binary: false }) }));
}

function checkId(id: string): void {
  // Also keeps anything that git could read as an option off its command line.
  if (!COMMIT_ID.test(id)) throw new CheckpointError(`checkpoints: "${id}" is not a checkpoint id (a commit sha from checkpoint())`);
}

function toPosix(path: string): string {
  return sep === "/" ? path : path.split(sep).join("/");
}
