/**
 * What each TODO really changed, from the orchestrator's own checkpoints: one before each attempt
 * (the first is the base a revert puts back), one after each attempt, and the diff between them
 * limited to the files it touched — the files its sessions wrote (their tool parts) and the files its
 * plan declared (which its file locks keep from other Workers). Parallel Workers share one
 * workspace, so a diff of the whole tree would mix their work; limited to these paths, each TODO
 * gets its own. An attempt that ran alone also owns everything else that changed meanwhile: what
 * its commands wrote (an install's lockfile, a generator's output) leaves no tool part.
 *
 * Checkpoints are a record, not a condition: if they cannot be taken (no git, a broken store) the
 * mission goes on without them, after one warning.
 */
import { lstat } from "node:fs/promises";
import { isAbsolute, join, sep } from "node:path";
import type { FileChange, MissionState, TodoChanges, TodoState } from "../domain/state";
import type { WorkDone } from "../engine/turnProgress";
import type { Logger } from "../common/logger";
import { cutPatch } from "../changes/patchSections";
import { DiffBatch } from "./diffBatch";
import { ORCHESTRATOR_DIR } from "./missionStore";
import { workspacePath } from "../workspace/workspacePath";

/** The checkpoint store as the Commander uses it (changes/checkpointStore.ts implements it). */
export interface Checkpoints {
  checkpoint(label: string): Promise<string>;
  diff(from: string, to: string | "worktree", paths?: readonly string[]): Promise<FileChange[]>;
  /** The unified diff of `paths`, cut at `maxBytes`. */
  patch?(from: string, to: string, paths: readonly string[], maxBytes?: number): Promise<string>;
  /** Each path's unified diff, uncut, from one run for them all; a path missing from it is read with `patch`. */
  patches?(from: string, to: string, paths: readonly string[]): Promise<Map<string, string>>;
}

/** The Reviewer reads this much of each TODO's diff, and this much in all; the files stay readable in the workspace. */
const DIFF_BYTES_PER_TODO = 6_000;
const DIFF_BYTES_PER_REVIEW = 24_000;

/**
 * A checkpoint this young, with no Worker attempt running when it was taken nor begun since, stands
 * in for a new one before an attempt: on a chain of TODOs the one taken before the last review is
 * the workspace as the next TODO finds it, and the mission's first one is the workspace as its first
 * wave finds it; a fresh one would only add a git run to every dispatch.
 */
const REUSE_WITHIN_MS = 2_000;

/**
 * An attempt whose tool calls had all ended this long before a checkpoint was asked for (and so
 * before its scan began) is whole in it: Workers of a wave that end one after another share the
 * checkpoint the first of them asked for, instead of queueing one more scan each. The margin is
 * for timers, not for clocks: both times are this process's monotonic clock. What a process a turn
 * left running in the background (`cmd &`) writes later is no more in this checkpoint than in one
 * asked for at the attempt's end.
 */
const SETTLED_BEFORE_MS = 50;

/** A declared name with a wildcard names no one file (locks, rules and checkpoints read names literally): it is not judged missing. */
const isPattern = (path: string) => /[*?[\]]/.test(path);

/** Whether a path exists (a link counts, whatever it points to); an error other than "not there" is not proof of absence. */
const exists = (path: string) =>
  lstat(path).then(
    () => true,
    (error: NodeJS.ErrnoException) => error.code !== "ENOENT" && error.code !== "ENOTDIR",
  );

export class ChangeRecorder {
  private broken = false;
  /** Attempts under way: their checkpoint before, and whether another attempt ran beside them. */
  private readonly attempts = new Map<TodoState, { before: string; shared: boolean }>();
  /** The latest checkpoint asked for: whether a Worker attempt was running then, or began since. */
  private latest?: { id: string; taken: Promise<string | undefined>; askedAt: number; busy: boolean; attemptsSince: boolean };
  private readonly diffs?: DiffBatch;

  constructor(
    private readonly workspace: string,
    private readonly checkpoints: Checkpoints | undefined,
    private readonly logger: Logger,
    /** Monotonic, and the clock of WorkDone.settledAt: a wall clock stepping back must not make a checkpoint look newer than a write. */
    private readonly now: () => number = () => performance.now(),
  ) {
    if (checkpoints) this.diffs = new DiffBatch((from, to, paths) => checkpoints.diff(from, to, paths));
  }

  /**
   * A checkpoint, or undefined when checkpoints are off or failed (warned once). With `settledAt`,
   * the latest one asked for serves if it was asked for after that (see SETTLED_BEFORE_MS).
   */
  private take(label: string, settledAt?: number): Promise<string | undefined> {
    const checkpoints = this.checkpoints;
    if (!checkpoints || this.broken) return Promise.resolve(undefined);
    const recent = this.latest;
    if (settledAt !== undefined && recent && recent.askedAt - settledAt >= SETTLED_BEFORE_MS) return recent.taken;
    const marker = { id: "", taken: Promise.resolve<string | undefined>(undefined), askedAt: this.now(), busy: this.attempts.size > 0, attemptsSince: false };
    this.latest = marker;
    marker.taken = checkpoints.checkpoint(label).then(
      (id) => (marker.id = id),
      (error: unknown) => {
        this.broken = true;
        this.logger.warn(`Checkpoints are off for this mission: ${(error as Error).message}. The mission goes on; its changes cannot be shown or reverted.`);
        return undefined;
      },
    );
    return marker.taken;
  }

  /** The workspace before the mission's first change (kept across resumes). */
  async missionStart(state: MissionState): Promise<void> {
    if (state.checkpoints.start) return;
    const sha = await this.take("mission start");
    if (sha) state.checkpoints.start = sha;
  }

  /** The workspace as the mission leaves it (at its seal or halt): a revert compares the files with it. */
  async missionEnd(state: MissionState): Promise<void> {
    const sha = await this.take("mission end");
    if (sha) state.checkpoints.end = sha;
  }

  /** Before a review round: the whole as the Reviewer sees it. */
  beforeReview(round: number): Promise<string | undefined> {
    return this.take(`before review round ${round}`);
  }

  /** Before a Worker's attempt: the first one's checkpoint is the base that a revert puts back. */
  async beforeAttempt(todo: TodoState): Promise<void> {
    // Registered before the checkpoint is awaited: Workers starting together see each other.
    const attempt = { before: "", shared: this.attempts.size > 0 };
    for (const other of this.attempts.values()) other.shared = true;
    this.attempts.set(todo, attempt);
    const recent = this.latest;
    const reusable = recent?.id && !recent.busy && !recent.attemptsSince && this.now() - recent.askedAt <= REUSE_WITHIN_MS ? recent.id : undefined;
    // Attempts dispatched in one turn of the event loop have written nothing yet (their prompts are
    // not even sent): a wave shares the checkpoint; an attempt dispatched later does not.
    if (recent) queueMicrotask(() => (recent.attemptsSince = true));
    const before = reusable ?? (await this.take(`before ${todo.id}`));
    if (!before) return void this.attempts.delete(todo);
    attempt.before = before;
    todo.changes ??= { base: before, touched: this.workspacePaths(todo.files), files: [] };
  }

  /** After a Worker's attempt, whatever its outcome (stopped included): the TODO's diff so far. */
  async afterAttempt(todo: TodoState, work: WorkDone | undefined): Promise<void> {
    const attempt = this.attempts.get(todo);
    this.attempts.delete(todo);
    const changes = todo.changes;
    if (!changes || !attempt?.before) return;
    const touched = new Set([...changes.touched, ...this.workspacePaths(work?.filesChanged ?? [])]);
    // A job the attempt started may write after its tool calls ended: no earlier checkpoint then.
    const head = await this.take(`after ${todo.id}`, work?.jobIds.length ? undefined : work?.settledAt);
    if (!head || !this.checkpoints) return;
    try {
      // Alone in the workspace, everything that changed during the attempt is its own.
      if (!attempt.shared && this.attempts.size === 0) for (const f of await this.checkpoints.diff(attempt.before, head)) touched.add(f.path);
      changes.touched = [...touched];
      changes.files = (await this.diffs?.request(changes.base, head, changes.touched)) ?? [];
      changes.head = head;
    } catch (error) {
      changes.touched = [...touched];
      this.logger.warn(`Could not compute the changes of ${todo.id}: ${(error as Error).message}`);
    }
  }

  /**
   * Whether a Worker's "done" is backed by the workspace. Undefined when it is (or when there are no
   * checkpoints to tell); else what was found, for the next Worker. A "check" TODO rightly changes
   * nothing. A declared file that is not there is work not delivered, as sure as no change at all.
   */
  async unfoundedClaim(todo: TodoState): Promise<string | undefined> {
    const changes = todo.changes;
    if (!changes?.head || todo.kind === "check") return undefined;
    if (changes.files.length === 0) {
      const expected = todo.files.length ? `to ${todo.files.join(", ")}` : "to any file";
      return `You reported done, but the workspace shows no change ${expected}. Do the work in the files, then report.`;
    }
    const missing = await this.missingDeliverables(todo, changes);
    if (missing.length === 0) return undefined;
    const one = missing.length === 1;
    return `You reported done, but ${one ? "a file" : "files"} the TODO declared ${one ? "does" : "do"} not exist: ${missing.join(", ")}. Create ${one ? "it" : "them"}, then report; if the TODO cannot have ${one ? "it" : "them"}, report blocked and say why.`;
  }

  /**
   * The declared files (or folders) not in the workspace now, unless the TODO's own record shows it
   * deleted them: a plan's files are the ones a TODO creates or edits, and one that existed and was
   * deleted is a change the Reviewer sees and judges. Whoever was to create a file first (a
   * dependency, an earlier attempt), the TODO that declares it is not done without it.
   */
  private async missingDeliverables(todo: TodoState, changes: TodoChanges): Promise<string[]> {
    const deleted = changes.files.filter((f) => f.status === "deleted").map((f) => f.path);
    const missing: string[] = [];
    for (const path of this.workspacePaths(todo.files)) {
      if (!path || deleted.some((d) => d === path || d.startsWith(`${path}/`))) continue;
      if (isPattern(path) || (await exists(join(this.workspace, path)))) continue;
      missing.push(path);
    }
    return missing;
  }

  /** The diffs the Reviewer reads of a batch: each TODO's, bounded per TODO and in all. */
  async diffsFor(batch: readonly TodoState[]): Promise<Map<string, string>> {
    const diffs = new Map<string, string>();
    const patch = this.checkpoints?.patch?.bind(this.checkpoints);
    if (!patch || this.broken) return diffs;
    const changed = batch.filter((t) => t.changes?.head && t.changes.files.length > 0);
    const parts = await this.patchesOf(changed);
    let budget = DIFF_BYTES_PER_REVIEW;
    for (const t of changed) {
      const c = t.changes as TodoChanges & { head: string };
      if (budget <= 0) break;
      const maxBytes = Math.min(DIFF_BYTES_PER_TODO, budget);
      try {
        const ofPair = parts.get(`${c.base}..${c.head}`);
        const own = new Set(c.files.map((f) => f.path));
        // In git's order, as one diff of the TODO's files would list them.
        const text = ofPair && [...own].every((p) => ofPair.has(p)) ? cutPatch([...ofPair].filter(([p]) => own.has(p)).map(([, part]) => part).join(""), maxBytes) : await patch(c.base, c.head, [...own], maxBytes);
        budget -= Buffer.byteLength(text);
        diffs.set(t.id, text);
      } catch (error) {
        this.logger.warn(`Could not read the diff of ${t.id} for the Reviewer: ${(error as Error).message}`);
      }
    }
    return diffs;
  }

  /**
   * The files' diffs of a batch, one git run per pair of checkpoints (a wave's TODOs share theirs),
   * the pairs at once. A pair that failed is absent: its TODOs read their diffs one by one.
   */
  private async patchesOf(batch: readonly TodoState[]): Promise<Map<string, Map<string, string>>> {
    const patches = this.checkpoints?.patches?.bind(this.checkpoints);
    const pairs = new Map<string, { from: string; to: string; paths: Set<string> }>();
    for (const t of patches ? batch : []) {
      const c = t.changes as TodoChanges & { head: string };
      const key = `${c.base}..${c.head}`;
      const pair = pairs.get(key) ?? { from: c.base, to: c.head, paths: new Set<string>() };
      pairs.set(key, pair);
      for (const f of c.files) pair.paths.add(f.path);
    }
    const read = await Promise.all([...pairs].map(async ([key, p]) => [key, await patches?.(p.from, p.to, [...p.paths]).catch(() => undefined)] as const));
    return new Map(read.filter((r): r is readonly [string, Map<string, string>] => r[1] !== undefined));
  }

  /** Tool paths are absolute: keep the workspace's own files, relative, and never our state folder. */
  private workspacePaths(paths: readonly string[]): string[] {
    const out = new Set<string>();
    for (const p of paths) {
      // Git's paths are case-sensitive: the spelling is normalised, the case kept.
      const rel = workspacePath(p, this.workspace, false);
      if (!rel || rel === ".." || rel.startsWith("../") || isAbsolute(rel) || rel.startsWith(ORCHESTRATOR_DIR.split(sep).join("/"))) continue;
      out.add(rel);
    }
    return [...out];
  }
}
