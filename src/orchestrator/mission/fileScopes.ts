/**
 * File scopes, enforced: a Worker's session may write its TODO's declared files; any other write
 * asks (OpenCode's per-session permission rules), and the Commander answers here, never the user.
 * A free file joins the TODO's scope and is locked for it; a file another running TODO holds waits
 * until that TODO lets go; a wait that would close a cycle (A waits on B, B on A) is refused with a
 * message naming the holder, so no two Workers ever wait on each other forever. Paths are compared
 * normalised (FileLocks), so `src/./x.js` and `src/x.js` are one file. What shell commands change
 * is not asked about: the diff catches it afterwards and names it to the Reviewer.
 */
import type { SessionPermissionRule } from "../engine/turn";
import type { FileLocks } from "../todo/fileLocks";
import { workspacePath } from "../todo/workspacePath";

/** The orchestrator's own state: no agent writes there, whatever its scope. */
const STATE_DIR_PATTERN = ".opencode/orchestrator/*";

export type ScopeAnswer = { reply: "once" } | { reply: "reject"; message: string };

interface Waiter {
  todoId: string;
  files: string[];
  resolve(answer: ScopeAnswer): void;
}

/** OpenCode's permission patterns are wildcards (`*`, `?`): a file name holding one must match only itself. */
const literal = (path: string) => path.replace(/[*?]/g, "?");

export class FileScopes {
  private readonly waiters: Waiter[] = [];

  constructor(
    private readonly locks: FileLocks,
    private readonly workspace: string,
    /** A TODO's title, to name a holder to the Worker that waited on it. */
    private readonly titleOf: (todoId: string) => string,
  ) {}

  /** The session rules of a Worker for `files`: those are allowed, every other edit asks, the state folder is denied. */
  rulesFor(files: readonly string[]): SessionPermissionRule[] {
    const own = [...new Set(files.map((f) => workspacePath(f, this.workspace)))].filter((f) => !f.startsWith(".."));
    return [
      { permission: "edit", pattern: "*", action: "ask" },
      ...own.map((f) => ({ permission: "edit", pattern: literal(f), action: "allow" as const })),
      { permission: "edit", pattern: STATE_DIR_PATTERN, action: "deny" },
    ];
  }

  /**
   * A Worker of `todoId` asks to write `paths` (as OpenCode names them: relative to the workspace).
   * Resolves when the answer is known: at once, or when the holder lets go.
   */
  decide(todoId: string, paths: readonly string[], signal?: AbortSignal): Promise<ScopeAnswer> {
    const files = [...new Set(paths.map((p) => workspacePath(p, this.workspace)))];
    const outside = files.find((f) => f === ".." || f.startsWith("../"));
    // Outside the workspace is OpenCode's external_directory ask, the user's to answer; an edit ask for it is refused here.
    if (outside) return Promise.resolve({ reply: "reject", message: `${outside} is outside the workspace; work only inside it.` });
    if (this.locks.tryAcquireMore(todoId, files)) return Promise.resolve({ reply: "once" });
    const holder = this.holderCycle(todoId, files);
    if (holder) {
      return Promise.resolve({
        reply: "reject",
        message: `${holder.file} is being changed by TODO ${holder.todoId} (${this.titleOf(holder.todoId)}), which waits for a file your TODO holds. Leave ${holder.file} alone: finish within your own files, or report blocked and say what ${holder.file} needs.`,
      });
    }
    return new Promise<ScopeAnswer>((resolve) => {
      const waiter: Waiter = { todoId, files, resolve };
      this.waiters.push(waiter);
      signal?.addEventListener("abort", () => this.drop(waiter, { reply: "reject", message: "The mission stopped." }), { once: true });
    });
  }

  /** The TODO's run ended: its files are free, and the writes waiting on them go ahead in the order they asked. */
  release(todoId: string): void {
    this.locks.release(todoId);
    // Its own waits end with its run (the session is gone or done).
    for (const w of this.waiters.filter((x) => x.todoId === todoId)) this.drop(w, { reply: "reject", message: "Your turn ended." });
    for (const w of [...this.waiters]) {
      if (this.locks.tryAcquireMore(w.todoId, w.files)) this.drop(w, { reply: "once" });
    }
  }

  /** How many writes wait on another TODO's files. */
  get waiting(): number {
    return this.waiters.length;
  }

  private drop(waiter: Waiter, answer: ScopeAnswer): void {
    const i = this.waiters.indexOf(waiter);
    if (i < 0) return;
    this.waiters.splice(i, 1);
    waiter.resolve(answer);
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
