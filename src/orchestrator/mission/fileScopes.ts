/**
 * File scopes, enforced: a Worker's session may write its TODO's declared files; any other write
 * asks (OpenCode's per-session permission rules), and the Commander answers here, never the user.
 * A free file joins the TODO's scope and is locked for it; a file another running TODO holds waits
 * until that TODO lets go; a wait that would close a cycle (A waits on B, B on A) is refused with a
 * message naming the holder, so no two Workers ever wait on each other forever. A TODO holds its
 * files until it is accepted: a write waits through its review too, and is refused once that TODO is
 * sent back for another attempt (which will change the file again). Paths are compared
 * normalised (FileLocks), so `src/./x.js` and `src/x.js` are one file. What shell commands change
 * is not asked about: the diff catches it afterwards and names it to the Reviewer.
 *
 * Two things stay the user's: a write the user's own OpenCode rules deny or ask about (session
 * rules come last in OpenCode and would otherwise override them), and a write to what configures
 * the tools themselves (.git, .opencode, .vscode, opencode.json): files an agent could use to run
 * code outside its sandbox or its permission rules.
 */
import { isAbsolute, relative, resolve } from "node:path";
import { evaluate, type PermissionRule } from "../agents/commandPolicy";
import { PROTECTED_IN_WORKSPACE } from "../agents/permissions";
import type { SessionPermissionRule } from "../engine/turn";
import { landingOf } from "../workspace/landingPath";
import type { FileLocks } from "../todo/fileLocks";
import { workspacePath } from "../workspace/workspacePath";

/** The orchestrator's own state: no agent writes there, whatever its scope. */
const STATE_DIR = ".opencode/orchestrator";

/** The Commander's answer; undefined from `decide` means: not ours, the user answers. */
export type ScopeAnswer = { reply: "once" } | { reply: "reject"; message: string };

export interface ScopeOptions {
  workspace: string;
  /**
   * OpenCode's worktree (the enclosing git repository's root, or "/" outside git): edit asks name
   * files relative to it, and session rules match against that spelling. Default: the workspace.
   */
  worktree?: string;
  /** The user's configured rules (OpenCode's merged configuration): an edit they deny or ask about is theirs. */
  rules?: readonly PermissionRule[];
  /** How long a write may wait for its holder before it is refused (the holder may run long). */
  maxWaitMs?: number;
  /** A TODO's title, to name a holder to the Worker that waited on it. */
  titleOf(todoId: string): string;
  /** Whether a holder was sent back and waits for its next attempt: its files will change again, so a write into them is refused, not kept waiting. */
  sentBack?(todoId: string): boolean;
}

interface Waiter {
  todoId: string;
  sessionId?: string;
  files: string[];
  resolve(answer: ScopeAnswer): void;
  cleanup(): void;
}

/** OpenCode's permission patterns are wildcards (`*`, `?`): a file name holding one must match only itself. */
const literal = (path: string) => path.replace(/[*?]/g, "?");

const isOutside = (f: string) => f === ".." || f.startsWith("../") || isAbsolute(f);
const isProtected = (f: string) => PROTECTED_IN_WORKSPACE.some((p) => f === p || f.startsWith(`${p}/`));

export class FileScopes {
  private readonly waiters: Waiter[] = [];
  private readonly worktree: string;

  constructor(
    private readonly locks: FileLocks,
    private readonly options: ScopeOptions,
  ) {
    this.worktree = options.worktree ?? options.workspace;
  }

  /** A workspace file as OpenCode names it in asks and rules (relative to its worktree). */
  private asOpencodeNames(file: string): string {
    return relative(this.worktree, resolve(this.options.workspace, file)).replace(/\\/g, "/");
  }

  /**
   * A path from an ask (relative to the worktree), as the locks name it (relative to the workspace):
   * the file it lands on, so a link is never granted as a file of its own (the workspace guard in
   * the servers we start rewrites such writes before they ask; an attached server has no guard).
   */
  private fromAsk(path: string): string {
    const landing = landingOf(resolve(this.worktree, path), this.options.workspace);
    return workspacePath(landing.link ? landing.path : resolve(this.worktree, path), this.options.workspace);
  }

  /** What the user's own rules say about writing a workspace file. */
  private userSays(file: string): "allow" | "ask" | "deny" {
    if (!this.options.rules) return "allow";
    return evaluate(this.options.rules, "edit", this.asOpencodeNames(file)).action;
  }

  /**
   * The session rules of a Worker for `files`: those are allowed (unless the user's rules say
   * otherwise, or they configure the tools), every other edit asks, the state folder is denied.
   */
  rulesFor(files: readonly string[]): SessionPermissionRule[] {
    // A declared file that is a link (or lies behind one) is not allowed by name: each write to it asks, and is judged where it lands.
    const own = [...new Set(files.map((f) => workspacePath(f, this.options.workspace)))].filter((f) => f && !isOutside(f) && !isProtected(f) && this.userSays(f) === "allow" && !landingOf(f, this.options.workspace).link);
    return [
      { permission: "edit", pattern: "*", action: "ask" },
      ...own.map((f) => ({ permission: "edit", pattern: literal(this.asOpencodeNames(f)), action: "allow" as const })),
      { permission: "edit", pattern: `${literal(this.asOpencodeNames(STATE_DIR))}/*`, action: "deny" },
    ];
  }

  /**
   * A Worker of `todoId` asks to write `paths` (as OpenCode names them). Resolves when the answer is
   * known: at once, or when the holder lets go. Undefined: the user's to answer (their rules ask, or
   * the file configures the tools).
   */
  decide(todoId: string, paths: readonly string[], signal?: AbortSignal, sessionId?: string): Promise<ScopeAnswer> | undefined {
    const files = [...new Set(paths.map((p) => this.fromAsk(p)))];
    const denied = files.find((f) => this.userSays(f) === "deny");
    if (denied) return Promise.resolve({ reply: "reject", message: `The user's permission rules forbid writing ${denied}. Do without it, or report blocked.` });
    // Outside the workspace, OpenCode asked the user first (external_directory): their answer stands, no lock applies.
    if (files.every(isOutside)) return Promise.resolve({ reply: "once" });
    if (files.some(isOutside)) return undefined;
    const state = files.find((f) => f === STATE_DIR || f.startsWith(`${STATE_DIR}/`));
    if (state) return Promise.resolve({ reply: "reject", message: `${state} is the orchestrator's own state; never write there.` });
    if (files.some((f) => isProtected(f) || this.userSays(f) === "ask")) return undefined;
    if (this.locks.tryAcquireMore(todoId, files)) {
      // A grant to a TODO that also waits elsewhere can close a cycle: break it now.
      this.breakCycles();
      return Promise.resolve({ reply: "once" });
    }
    const cycle = this.holderCycle(todoId, files);
    if (cycle) return Promise.resolve(this.refusal(cycle));
    const redone = files.find((f) => this.isSentBack(this.locks.holderOf(f), todoId));
    if (redone) return Promise.resolve(this.redoneRefusal(redone));
    return new Promise<ScopeAnswer>((resolveAnswer) => {
      const onAbort = () => this.drop(waiter, { reply: "reject", message: "The mission stopped." });
      const timer = this.options.maxWaitMs ? setTimeout(() => this.drop(waiter, this.timedOut(waiter)), this.options.maxWaitMs) : undefined;
      timer?.unref?.();
      const waiter: Waiter = {
        todoId,
        sessionId,
        files,
        resolve: resolveAnswer,
        cleanup: () => {
          clearTimeout(timer);
          signal?.removeEventListener("abort", onAbort);
        },
      };
      this.waiters.push(waiter);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** The TODO let go of its files (accepted, failed, replaced): the writes waiting on them go ahead in the order they asked. */
  release(todoId: string): void {
    this.locks.release(todoId);
    // Its own waits end with its run (the session is gone or done).
    for (const w of this.waiters.filter((x) => x.todoId === todoId)) this.drop(w, { reply: "reject", message: "Your turn ended." });
    for (const w of [...this.waiters]) {
      if (this.locks.tryAcquireMore(w.todoId, w.files)) this.drop(w, { reply: "once" });
    }
    // A hand-over to a TODO that waits elsewhere too can close a cycle.
    this.breakCycles();
  }

  /**
   * The TODO was sent back for another attempt and keeps its files: the writes waiting on them are
   * refused, since the next attempt changes the files again (an edit computed while it waited would
   * overwrite that attempt's work).
   */
  sentBack(todoId: string): void {
    for (const w of [...this.waiters]) {
      const file = w.files.find((f) => w.todoId !== todoId && this.locks.holderOf(f) === todoId);
      if (file) this.drop(w, this.redoneRefusal(file));
    }
  }

  /** Each waiting write: whose it is (TODO, session) and the TODOs holding the files it waits for. */
  waits(): Array<{ todoId: string; sessionId?: string; holders: string[] }> {
    return this.waiters.map((w) => ({ todoId: w.todoId, sessionId: w.sessionId, holders: [...new Set(w.files.map((f) => this.locks.holderOf(f) ?? w.todoId))].filter((h) => h !== w.todoId) }));
  }

  private isSentBack(holder: string | undefined, asking: string): holder is string {
    return holder !== undefined && holder !== asking && (this.options.sentBack?.(holder) ?? false);
  }

  private redoneRefusal(file: string): ScopeAnswer {
    const holder = this.locks.holderOf(file) ?? "?";
    return { reply: "reject", message: `${file} belongs to TODO ${holder} (${this.options.titleOf(holder)}), which was sent back and will change it again. Leave ${file} alone: finish within your own files, or report blocked and say what ${file} needs.` };
  }

  /** A session's turn ended (done, aborted, retried in a new session): its waits end with it. */
  sessionEnded(sessionId: string): void {
    for (const w of this.waiters.filter((x) => x.sessionId === sessionId)) this.drop(w, { reply: "reject", message: "Your turn ended." });
  }

  /** How many writes wait on another TODO's files. */
  get waiting(): number {
    return this.waiters.length;
  }

  private drop(waiter: Waiter, answer: ScopeAnswer): void {
    const i = this.waiters.indexOf(waiter);
    if (i < 0) return;
    this.waiters.splice(i, 1);
    waiter.cleanup();
    waiter.resolve(answer);
  }

  private refusal(cycle: { file: string; todoId: string }): ScopeAnswer {
    return {
      reply: "reject",
      message: `${cycle.file} is being changed by TODO ${cycle.todoId} (${this.options.titleOf(cycle.todoId)}), which waits for a file your TODO holds. Leave ${cycle.file} alone: finish within your own files, or report blocked and say what ${cycle.file} needs.`,
    };
  }

  private timedOut(waiter: Waiter): ScopeAnswer {
    const file = waiter.files.find((f) => (this.locks.holderOf(f) ?? waiter.todoId) !== waiter.todoId) ?? waiter.files[0] ?? "the file";
    const holder = this.locks.holderOf(file);
    return { reply: "reject", message: `${file} is still being changed by TODO ${holder ?? "?"}${holder ? ` (${this.options.titleOf(holder)})` : ""}. Finish within your own files, or report blocked and say what ${file} needs.` };
  }

  /** Refuses the newest waiter of every cycle of waits (a grant or a hand-over may close one without a new wait). */
  private breakCycles(): void {
    for (const w of [...this.waiters].reverse()) {
      if (!this.waiters.includes(w)) continue;
      const cycle = this.holderCycle(w.todoId, w.files);
      if (cycle) this.drop(w, this.refusal(cycle));
    }
  }

  /** The held file whose holder, directly or through other waits, waits on `todoId`: waiting for it would never end. */
  private holderCycle(todoId: string, files: readonly string[]): { file: string; todoId: string } | undefined {
    for (const file of files) {
      const holder = this.locks.holderOf(file);
      if (!holder || holder === todoId) continue;
      if (this.waitsOn(holder, todoId, new Set())) return { file, todoId: holder };
    }
    return undefined;
  }

  /** Whether `from` waits, directly or through a chain of waits, on a file `target` holds. */
  private waitsOn(from: string, target: string, seen: Set<string>): boolean {
    if (seen.has(from)) return false;
    seen.add(from);
    for (const w of this.waiters) {
      if (w.todoId !== from) continue;
      for (const file of w.files) {
        const holder = this.locks.holderOf(file);
        if (!holder || holder === from) continue;
        if (holder === target || this.waitsOn(holder, target, seen)) return true;
      }
    }
    return false;
  }
}
