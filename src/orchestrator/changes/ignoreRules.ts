/**
 * The ignore rules a workspace inherits from the user's repository: its `.git/info/exclude` and the
 * `.gitignore` files of folders above the workspace (a workspace opened inside a monorepo). Git
 * reads neither for a work tree rooted at the workspace, so they are translated to workspace-relative
 * rules; the workspace's own `.gitignore` files git reads itself.
 *
 * The text read here is the repository's (a hostile parent repository writes what it likes): it goes
 * only into the store's own exclude file, in its link-free folder (checkpointStore.ts), and is read
 * bounded — a FIFO or a link to a device where a `.gitignore` should be is skipped, never waited on.
 */
import { statSync } from "node:fs";
import { readSmallFile } from "../workspace/containedFiles";
import { dirname, join, relative, resolve, sep } from "node:path";

export interface UserRepository {
  /** The folder holding `.git`. */
  root: string;
  /** Where `info/exclude` lives (a linked worktree's common dir, else its git dir). */
  commonDir: string;
}

/** The user's repository enclosing `workspace`, found on disk without running git on it. */
export function findUserRepository(workspace: string): UserRepository | undefined {
  for (let dir = resolve(workspace); ; dir = dirname(dir)) {
    const gitDir = gitDirAt(dir);
    if (gitDir) {
      const commonDir = readText(join(gitDir, "commondir"))?.trim();
      return { root: dir, commonDir: commonDir ? resolve(gitDir, commonDir) : gitDir };
    }
    if (dirname(dir) === dir) return undefined;
  }
}

function gitDirAt(dir: string): string | undefined {
  const dotGit = join(dir, ".git");
  try {
    if (statSync(dotGit).isDirectory()) return dotGit;
  } catch {
    return undefined;
  }
  // A linked worktree or submodule: `.git` is a file saying `gitdir: <path>`.
  const pointer = /^gitdir:\s*(.+?)\s*$/m.exec(readText(dotGit) ?? "")?.[1];
  return pointer ? resolve(dir, pointer) : undefined;
}

/** Larger than any real ignore file; what is larger is not read at all. */
const MAX_RULES_BYTES = 1 << 20;

/** Git follows a link at `.git/info/exclude` (dotfiles) but not at a `.gitignore` in the tree; so do we. */
function readText(path: string, followLink = true): string | undefined {
  return readSmallFile(path, MAX_RULES_BYTES, followLink);
}

/** The inherited rules as one exclude file's text, in the user's precedence order (later wins). */
export function inheritedExcludes(workspace: string): string {
  const repository = findUserRepository(workspace);
  if (!repository) return "";
  const down = relative(repository.root, resolve(workspace)).split(sep).filter(Boolean);
  const sources = [{ text: readText(join(repository.commonDir, "info", "exclude")), down }];
  for (let depth = 0; depth < down.length; depth++) {
    sources.push({ text: readText(join(repository.root, ...down.slice(0, depth), ".gitignore"), false), down: down.slice(depth) });
  }
  const rules = sources.flatMap(({ text, down: below }) =>
    (text ?? "").split("\n").flatMap((line) => translateRule(line, below) ?? []),
  );
  return rules.length ? rules.join("\n") + "\n" : "";
}

/**
 * One ignore rule of a folder `down` levels above the workspace, rewritten for the workspace; undefined
 * when it cannot apply inside it (aimed at another folder, or at the workspace itself — the user
 * opened that folder, so we snapshot it).
 */
export function translateRule(line: string, down: readonly string[]): string | undefined {
  if (line.trim() === "" || line.startsWith("#")) return undefined;
  if (down.length === 0) return line;
  const negated = line.startsWith("!");
  const pattern = negated ? line.slice(1) : line;
  const dirOnly = pattern.endsWith("/");
  const body = dirOnly ? pattern.slice(0, -1) : pattern;
  // No slash but a trailing one: the rule matches at any depth, inside the workspace as well.
  if (!body.includes("/")) return line;
  const segments = (body.startsWith("/") ? body.slice(1) : body).split("/");
  const rebuild = (rest: string[], anchored: boolean) =>
    `${negated ? "!" : ""}${anchored ? "/" : ""}${rest.join("/")}${dirOnly ? "/" : ""}`;
  for (let i = 0; i < down.length; i++) {
    const segment = segments[i];
    if (segment === undefined) return undefined;
    if (segment === "**") return rebuild(segments.slice(i), false);
    if (!segmentMatches(segment, down[i]!)) return undefined;
  }
  return segments.length > down.length ? rebuild(segments.slice(down.length), true) : undefined;
}

/** Whether one path segment of a gitignore glob (`*`, `?`, `[…]`, `\x`) matches a folder name. */
function segmentMatches(glob: string, name: string): boolean {
  let source = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "\\" && i + 1 < glob.length) source += escapeRegExp(glob[++i]!);
    else if (c === "*") source += "[^/]*";
    else if (c === "?") source += "[^/]";
    else if (c === "[") {
      const end = glob.indexOf("]", i + 2);
      if (end < 0) source += "\\[";
      else {
        const set = glob.slice(i + 1, end);
        source += `[${set.startsWith("!") ? "^" + set.slice(1) : set}]`;
        i = end;
      }
    } else source += escapeRegExp(c);
  }
  try {
    return new RegExp(`^${source}$`).test(name);
  } catch {
    return false;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}
