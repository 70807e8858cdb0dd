/**
 * What an attempt tree needs but git does not hold (`node_modules` above all), reached from the
 * workspace without copying it. A link to the whole folder would let a Worker's `npm install` in its
 * tree rewrite the user's `node_modules` through it; so the tree gets a real folder of its own whose
 * entries are links to the user's packages (one per package, scoped ones one level down, `.bin`
 * a real folder of links too). npm replaces a package it changes by moving the entry aside and
 * writing a new folder: that replaces our link in the tree, never what it points to. What is NOT
 * kept apart: a write INTO a linked package (a Worker editing `node_modules/x/index.js`, a
 * postinstall run inside an unchanged package) reaches the user's copy.
 */
import { copyFileSync, lstatSync, mkdirSync, readdirSync, realpathSync, statSync, symlinkSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { containedDir } from "../workspace/containedFiles";

/** The folders linked by default: a Node project's packages. */
export const DEFAULT_SHARED_FOLDERS: readonly string[] = ["node_modules"];

// npm's record of what it installed: copied, since npm rewrites it in place.
const COPIED = new Set([".package-lock.json"]);
// Folders of links (npm writes new links there): a real folder in the tree, its entries linked.
const FOLDERS_OF_LINKS = new Set([".bin"]);

/**
 * Gives `tree/<folder>` the entries of `workspace/<folder>` as links. Does nothing when the workspace
 * has no such folder or the tree already has one (the repository ships it). Returns whether it linked.
 * Throws when a folder on the way inside the tree is a link (a repository could ship one to lead our
 * writes elsewhere).
 */
export function linkSharedFolder(workspace: string, tree: string, folder: string): boolean {
  const source = join(workspace, folder);
  const target = join(tree, folder);
  const inside = relative(tree, target);
  if (!inside || inside.startsWith("..")) throw new Error(`shared folder ${folder} is not inside the tree`);
  if (!statSync(source, { throwIfNoEntry: false })?.isDirectory()) return false;
  if (dirname(target) !== tree) {
    const problem = containedDir(tree, dirname(target), true);
    if (problem) throw new Error(`shared folder ${folder} not linked: ${problem}`);
  }
  if (lstatSync(target, { throwIfNoEntry: false })) return false;
  mkdirSync(target);
  linkEntries(realpathSync(source), target, true);
  return true;
}

function linkEntries(source: string, target: string, top: boolean): void {
  for (const entry of readdirSync(source, { withFileTypes: true })) {
    const from = join(source, entry.name);
    const to = join(target, entry.name);
    if (top && COPIED.has(entry.name)) copyFileSync(from, to);
    else if (top && FOLDERS_OF_LINKS.has(entry.name)) {
      mkdirSync(to);
      linkEntries(from, to, false);
    } else if (top && entry.name.startsWith("@") && entry.isDirectory()) {
      mkdirSync(to);
      linkEntries(from, to, false);
    } else if (top && entry.name.startsWith(".")) {
      // Caches (`.cache`, `.vite`) stay the tree's own: a tool's cache written through a link would be the user's.
      continue;
    } else {
      // The real place, absolute: a relative link (pnpm's, npm's `.bin`) would resolve inside the tree.
      const real = realPlace(from);
      if (real) symlinkSync(real, to, statSync(real).isDirectory() ? "junction" : "file");
    }
  }
}

/** Where an entry really is; undefined for a dangling link (nothing to reach). */
function realPlace(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}
