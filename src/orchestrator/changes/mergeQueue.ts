/**
 * Merging attempts into the integration state, in the order given (the order they finished), with
 * git's own three-way merge (`git merge-tree --write-tree`, merge-ort) run in the shadow repository:
 * it writes objects only, never a work tree, so no merge can write a file anywhere. Each merge is a
 * commit whose parents are the integration state and the attempt (so the next merge finds its base
 * by history). The first conflict stops the queue and is returned as data: the paths, git's words
 * about them, and the conflicting hunks, for a resolver turn to come.
 */
import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { CheckpointStore } from "./checkpointStore";
import { conflictHunks, keepBothInsertions, type ConflictHunk } from "./conflictHunks";
import { CheckpointError, runGit, splitNul, type GitPlace } from "./git";
import { readEntries } from "./restoreFiles";

export type { ConflictHunk } from "./conflictHunks";

/** An attempt's captured change (attemptTrees.ts): a commit whose parent is the state it started from. */
export interface AttemptCommit {
  attemptId: string;
  commit: string;
}

export interface MergedAttempt extends AttemptCommit {
  /** The integration commit this merge made. */
  integration: string;
  /** Files whose conflicts were only both sides inserting at one place, resolved by keeping both. */
  keptBoth: string[];
}

export interface ConflictedFile {
  path: string;
  /** Git's messages about it ("CONFLICT (content): Merge conflict in src/routes/index.js"). */
  messages: string[];
  /** The file's object at each side that has it (a side that deleted it is absent). */
  base?: string;
  ours?: string;
  theirs?: string;
  /** The conflicting regions (none for a binary file or a modify/delete conflict). */
  hunks: ConflictHunk[];
}

export interface MergeConflict extends AttemptCommit {
  /** The integration commit it did not merge onto. */
  onto: string;
  files: ConflictedFile[];
}

export interface MergeOutcome {
  /** The integration state after the merges that went in. */
  integration: string;
  merged: MergedAttempt[];
  /** The attempt that stopped the queue, when one did. */
  conflict?: MergeConflict;
  /** The attempts after the conflict, not tried. */
  notMerged: AttemptCommit[];
}

export interface MergeOptions {
  /**
   * What to do when both sides only inserted lines at one place (git calls that a conflict): keep it
   * a conflict (default), or keep both, the integration's lines first.
   */
  insertions?: "conflict" | "keep-both";
}

const COMMIT_ID = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;
const INFO = /^(\d{6}) ([0-9a-f]+) ([123])\t([\s\S]*)$/;
// merge-tree --write-tree came with git 2.38.
const MERGE_TREE_SINCE = [2, 38] as const;

let gitChecked: Promise<void> | undefined;

/** Merges `attempts` one by one onto `integration`; stops at the first conflict. */
export async function mergeAttempts(store: CheckpointStore, integration: string, attempts: readonly AttemptCommit[], options: MergeOptions = {}): Promise<MergeOutcome> {
  for (const id of [integration, ...attempts.map((a) => a.commit)]) checkCommit(id);
  const shadow = await store.repository();
  gitChecked ??= checkGitVersion(shadow).catch((error: unknown) => {
    gitChecked = undefined;
    throw error;
  });
  await gitChecked;
  const merged: MergedAttempt[] = [];
  let onto = integration;
  for (const [index, attempt] of attempts.entries()) {
    const result = await mergeOne(shadow, onto, { attemptId: attempt.attemptId, commit: attempt.commit }, options);
    if (result.conflict) return { integration: onto, merged, conflict: result.conflict, notMerged: attempts.slice(index + 1) };
    merged.push(result.merged);
    onto = result.merged.integration;
  }
  return { integration: onto, merged, notMerged: [] };
}

type OneMerge = { merged: MergedAttempt; conflict?: undefined } | { conflict: MergeConflict };

async function mergeOne(shadow: GitPlace, onto: string, attempt: AttemptCommit, options: MergeOptions): Promise<OneMerge> {
  const ran = await runGit(shadow, ["merge-tree", "--write-tree", "-z", onto, attempt.commit], { okCodes: [0, 1], config: ["merge.conflictStyle=diff3"] });
  const output = parseMergeTree(splitNul(ran.stdout));
  let tree = output.tree;
  const keptBoth: string[] = [];
  if (ran.code === 1) {
    const files = await conflictedFiles(shadow, output);
    const resolved = options.insertions === "keep-both" ? await keepBoth(shadow, tree, files) : undefined;
    if (!resolved) return { conflict: { ...attempt, onto, files } };
    tree = resolved;
    keptBoth.push(...files.map((file) => file.path));
  }
  const message = `merge attempt ${attempt.attemptId}`.replaceAll("\0", "");
  const commit = (await runGit(shadow, ["commit-tree", tree, "-p", onto, "-p", attempt.commit, "-m", message])).stdout.toString().trim();
  return { merged: { ...attempt, integration: commit, keptBoth } };
}

interface MergeTreeOutput {
  tree: string;
  entries: { mode: string; oid: string; stage: 1 | 2 | 3; path: string }[];
  messages: { paths: string[]; type: string; text: string }[];
}

/** `merge-tree --write-tree -z`: the tree, the conflicted entries by stage, an empty record, then messages. */
function parseMergeTree(records: readonly string[]): MergeTreeOutput {
  const output: MergeTreeOutput = { tree: records[0] ?? "", entries: [], messages: [] };
  let i = 1;
  for (; i < records.length; i++) {
    const info = INFO.exec(records[i]!);
    if (!info) break;
    output.entries.push({ mode: info[1]!, oid: info[2]!, stage: Number(info[3]) as 1 | 2 | 3, path: info[4]! });
  }
  if (records[i] === "") i++;
  while (i < records.length) {
    const count = Number(records[i++]);
    if (!Number.isInteger(count) || count < 0) break;
    const paths = records.slice(i, i + count);
    i += count;
    output.messages.push({ paths, type: records[i++] ?? "", text: (records[i++] ?? "").trim() });
  }
  if (!COMMIT_ID.test(output.tree)) throw new CheckpointError(`merge: git merge-tree gave no tree (${records.slice(0, 2).join(" ")})`);
  return output;
}

async function conflictedFiles(shadow: GitPlace, output: MergeTreeOutput): Promise<ConflictedFile[]> {
  const files = new Map<string, ConflictedFile>();
  const fileOf = (path: string) => {
    let file = files.get(path);
    if (!file) files.set(path, (file = { path, messages: [], hunks: [] }));
    return file;
  };
  for (const entry of output.entries) fileOf(entry.path)[entry.stage === 1 ? "base" : entry.stage === 2 ? "ours" : "theirs"] = entry.oid;
  for (const message of output.messages) {
    if (!message.type.startsWith("CONFLICT")) continue;
    for (const path of message.paths) fileOf(path).messages.push(message.text);
  }
  const merged = await readEntries(shadow, output.tree, [...files.keys()]);
  for (const file of files.values()) {
    const entry = merged.get(file.path);
    if (entry?.type !== "blob" || entry.mode === "120000") continue;
    const text = (await runGit(shadow, ["cat-file", "blob", entry.oid])).stdout;
    // A binary file is merged without markers: it has no hunks to show.
    if (!text.includes(0)) file.hunks = conflictHunks(text.toString("utf8"));
  }
  return [...files.values()];
}

/**
 * The merged tree with every conflict resolved by keeping both insertions; undefined when any
 * conflict is of another kind (a line changed on both sides, a deletion, a binary file).
 */
async function keepBoth(shadow: GitPlace, tree: string, files: readonly ConflictedFile[]): Promise<string | undefined> {
  const merged = await readEntries(shadow, tree, files.map((file) => file.path));
  const replacements: { mode: string; oid: string; path: string }[] = [];
  for (const file of files) {
    const entry = merged.get(file.path);
    if (!file.ours || !file.theirs || entry?.type !== "blob" || entry.mode === "120000" || file.hunks.length === 0) return undefined;
    if (file.messages.some((message) => !message.startsWith("CONFLICT (content)"))) return undefined;
    const text = (await runGit(shadow, ["cat-file", "blob", entry.oid])).stdout.toString("utf8");
    const resolved = keepBothInsertions(text);
    if (resolved === undefined) return undefined;
    const oid = (await runGit(shadow, ["hash-object", "-w", "--stdin", "--no-filters"], { input: resolved })).stdout.toString().trim();
    replacements.push({ mode: entry.mode, oid, path: file.path });
  }
  // A scratch index of its own: the store's index is the workspace's, used by checkpoints.
  const scratch: GitPlace = { ...shadow, indexFile: join(shadow.gitDir, `merge-index-${process.pid}-${randomBytes(4).toString("hex")}`) };
  try {
    await runGit(scratch, ["read-tree", tree]);
    const info = replacements.map(({ mode, oid, path }) => `${mode} ${oid}\t${path}\0`).join("");
    await runGit(scratch, ["update-index", "-z", "--index-info"], { input: info });
    return (await runGit(scratch, ["write-tree"])).stdout.toString().trim();
  } finally {
    await rm(scratch.indexFile!, { force: true });
  }
}

async function checkGitVersion(shadow: GitPlace): Promise<void> {
  const said = (await runGit(shadow, ["version"])).stdout.toString().trim();
  const [major = 0, minor = 0] = (/(\d+)\.(\d+)/.exec(said) ?? []).slice(1).map(Number);
  if (major < MERGE_TREE_SINCE[0] || (major === MERGE_TREE_SINCE[0] && minor < MERGE_TREE_SINCE[1])) {
    throw new CheckpointError(`merging attempts needs git ${MERGE_TREE_SINCE.join(".")} or later (git merge-tree --write-tree); this is ${said}. Update git to merge attempts.`);
  }
}

function checkCommit(id: string): void {
  if (!COMMIT_ID.test(id)) throw new CheckpointError(`merge: "${id}" is not a commit id of the checkpoint store`);
}
