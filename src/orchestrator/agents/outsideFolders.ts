/**
 * The folders outside the workspace a command line reaches, for OpenCode's `external_directory`
 * permission. OpenCode's bash tool (1.18) asks it for the arguments of a few file commands (cd, rm,
 * cp, mv, mkdir, touch, chmod, chown, cat) that lexically leave the project; the gate is stricter:
 * every argument and redirection target of every command found, resolved against every folder the
 * line may change into, through symbolic links (a link in the workspace that points outside is
 * outside). The pattern asked is the folder with `/*`, as OpenCode asks it. Not counted: the
 * character devices every shell uses (`/dev/null`, `/dev/stdout` …), which hold no one's files.
 */
import { realpathSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, isAbsolute, join, resolve } from "node:path";
import type { CommandScan, PathWord } from "./shellCommands";
import { HOLE, literalOf, type ShellText } from "./shellWords";

export interface OutsideFolders {
  /** `<folder>/*` for each folder outside the workspace, in the order found. */
  patterns: string[];
  /** A path only the running shell knows (`$HOME/x`, `cd "$D" && cat ../y`): it may be anywhere. */
  unknown: boolean;
}

/** Devices every shell reads or writes, with no one's files behind them. */
const HARMLESS_DEVICES = /^\/dev\/(null|zero|full|u?random|tty|stdin|stdout|stderr|fd\/\d+)$/;
/** Folders a line may change into, at most (beyond: unknown). */
const MAX_FOLDERS = 16;

/** Where `scan`'s paths lead, seen from `workspace` (the jobs' working folder). */
export function outsideFolders(scan: CommandScan, workspace: string, home = homedir()): OutsideFolders {
  const root = physical("/", resolve(workspace));
  const inside = (path: string) => path === root || path.startsWith(root.endsWith("/") ? root : `${root}/`);
  const patterns = new Set<string>();
  let unknown = false;
  const places = new Set<string>([root]);
  const resolved = new Map<string, string>();
  const reach = (word: ShellText, from: Iterable<string>): string[] | undefined => {
    const path = pathOf(word, home);
    if (path === undefined) return [];
    if (path === HOLE) return undefined;
    const starts = isAbsolute(path) ? ["/"] : [...from];
    return starts.map((folder) => {
      const key = `${folder}\0${path}`;
      let at = resolved.get(key);
      if (at === undefined) resolved.set(key, (at = physical(folder, path)));
      return at;
    });
  };
  /** The one folder a chain of `cd`s from the start leads to; undefined when only the shell knows it. */
  const surely = (chain: ShellText[]): string[] | undefined => {
    let at = [root];
    for (const step of chain) {
      const next = literalOf(step) === undefined ? undefined : reach(step, at);
      if (!next || next.length !== 1) return undefined;
      at = next;
    }
    return at;
  };
  // Every folder the line may change into: a relative path may be read from any of them.
  for (const word of scan.folders) {
    const reached = literalOf(word) === undefined ? undefined : reach(word, [...places]);
    if (!reached || places.size + reached.length > MAX_FOLDERS) unknown = true;
    else for (const folder of reached) places.add(folder);
  }
  const words: PathWord[] = [...scan.words, ...scan.folders.map((word) => ({ word }))];
  for (const { word, from } of words) {
    const start = from ? surely(from) : places;
    const reached = start && reach(word, start);
    if (!reached) unknown = true;
    for (const path of reached ?? []) {
      if (inside(path) || HARMLESS_DEVICES.test(path)) continue;
      patterns.add(join(isFolder(path) ? path : dirname(path), "*"));
    }
  }
  return { patterns: [...patterns], unknown };
}

/**
 * The path a word may name, as the shell hands it over: an option's value after `=` (`--out=/x`), a
 * `file://` URL's path, `~` expanded; undefined for an option without one; HOLE when only the running
 * shell knows it and it may be a path (it holds a `/` or starts with `~`).
 */
function pathOf(word: ShellText, home: string): string | typeof HOLE | undefined {
  let text = literalOf(word);
  if (text === undefined) {
    const shown = word.filter((p): p is string => typeof p === "string").join("");
    return shown.includes("/") || shown.startsWith("~") ? HOLE : undefined;
  }
  if (text.startsWith("-")) {
    const eq = text.indexOf("=");
    if (eq < 0) return undefined;
    text = text.slice(eq + 1);
  }
  if (text.startsWith("file://")) text = text.slice("file://".length);
  if (text === "~" || text.startsWith("~/")) return home + text.slice(1);
  if (text.startsWith("~")) return HOLE; // another user's home
  return text;
}

/**
 * Where `path` really leads from `folder` (itself without links): symbolic links resolved in order,
 * `..` taken from the folder a link led to, as the kernel does (Node's path functions would drop
 * `link/..` as text). A part that does not exist ends the resolution: the rest is taken as written.
 */
function physical(folder: string, path: string): string {
  const joined = folder === "/" ? `/${path}` : `${folder}/${path}`;
  try {
    return realpathSync.native(joined);
  } catch {
    // Resolved part by part below.
  }
  const parts = path.split("/").filter((p) => p && p !== ".");
  let at = folder;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    if (part === "..") {
      at = dirname(at);
      continue;
    }
    const next = at === "/" ? `/${part}` : `${at}/${part}`;
    try {
      at = realpathSync.native(next);
    } catch {
      return resolve(next, ...parts.slice(i + 1));
    }
  }
  return at;
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
