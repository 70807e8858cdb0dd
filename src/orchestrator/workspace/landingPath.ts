/**
 * Where a write to a path really lands. A path in the workspace can lead anywhere: a repository may
 * ship a symbolic link, and an agent's command (even a sandboxed one) can make one. A tool that
 * writes `docs/notes.md` writes through every link on the way, so the orchestrator judges a write
 * by its landing, never by its spelling. Walks the path one component at a time as the kernel
 * would (links in the middle and at the end, relative and absolute targets, links to links),
 * without touching anything; what does not exist yet is created as spelt, below the last real
 * folder. A hard-linked file is reported too: writing it in place changes its other names, which
 * may lie outside the workspace.
 */
import { lstatSync, readlinkSync, realpathSync } from "node:fs";
import { isAbsolute, join, relative, resolve, sep } from "node:path";

export interface Landing {
  /** The absolute path the write reaches. */
  path: string;
  /** The first symbolic link on the way, if any. */
  link?: string;
  /** Whether `path` is outside the workspace (the workspace's own real location counts as inside). */
  outside: boolean;
  /** The file exists with more than one name (a hard link): an in-place write changes them all. */
  hardLinked: boolean;
  /** Why the path cannot be followed (a loop of links, a file used as a folder): the write would fail. */
  broken?: string;
}

/** As the kernel's MAXSYMLINKS: more links than this on one path is a loop. */
const MAX_LINKS = 40;

const components = (absolute: string) => absolute.split(sep).filter(Boolean);

/** Whether `path` is `dir` or below it. */
export function isWithin(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
}

/** The workspace as the kernel names it (its own path may run through a link, e.g. /tmp on macOS). */
function realWorkspace(workspace: string): string {
  try {
    return realpathSync(workspace);
  } catch {
    return resolve(workspace);
  }
}

export function landingOf(path: string, workspace: string): Landing {
  const home = realWorkspace(workspace);
  // Inside the workspace, the answer is spelt from the workspace as the caller names it.
  const land = (at: string, rest: Omit<Landing, "path" | "outside">): Landing => {
    const outside = !isWithin(at, home);
    return { path: outside ? at : join(resolve(workspace), relative(home, at)), outside, ...rest };
  };
  // Tools normalise the path they were given before the kernel sees it: `a/../b` is `b` to them.
  const absolute = resolve(workspace, path);
  // Inside the workspace, the walk starts at its real folder: a link above it is the user's, not a detour.
  const inside = isWithin(absolute, resolve(workspace));
  let pending = components(inside ? relative(resolve(workspace), absolute) : absolute);
  let at = inside ? home : sep;
  let link: string | undefined;
  let hops = 0;
  let hardLinked = false;
  while (pending.length) {
    const name = pending.shift() as string;
    const next = join(at, name);
    let stat;
    try {
      stat = lstatSync(next);
    } catch {
      // Nothing there yet: the rest is created as spelt, below the last real folder.
      return land(join(next, ...pending), { link, hardLinked: false });
    }
    if (stat.isSymbolicLink()) {
      if (++hops > MAX_LINKS) return { ...land(next, { link, hardLinked: false }), outside: true, broken: `${next}: too many levels of symbolic links` };
      link ??= next;
      const target = readlinkSync(next);
      pending = [...components(resolve(at, target)), ...pending];
      at = sep;
      continue;
    }
    if (pending.length && !stat.isDirectory()) {
      return land(join(next, ...pending), { link, hardLinked: false, broken: `${next} is not a folder` });
    }
    if (!pending.length) hardLinked = stat.isFile() && stat.nlink > 1;
    at = next;
  }
  return land(at, { link, hardLinked });
}
