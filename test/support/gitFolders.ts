/**
 * Real git repositories for the change-tracking tests, and a byte-exact fingerprint of a `.git`
 * folder: every file's path, kind and content hash, read without running git on it (a `git status`
 * could itself refresh and rewrite the index).
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { lstatSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join, relative } from "node:path";

/** git as a user runs it in their repository. */
export function userGit(cwd: string, ...args: string[]): string {
  return execFileSync("git", ["--no-optional-locks", "-c", "user.name=u", "-c", "user.email=u@u", "-c", "init.defaultBranch=main", ...args], { cwd, encoding: "utf8" });
}

/** Each entry under `dir` (path → kind and hash), links read as links. */
export function fingerprint(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      const key = relative(dir, path);
      if (entry.isSymbolicLink()) out[key] = `link ${readlinkSync(path)}`;
      else if (entry.isDirectory()) {
        out[key] = `dir ${lstatSync(path).mode.toString(8)}`;
        walk(path);
      } else out[key] = `file ${lstatSync(path).mode.toString(8)} ${createHash("sha1").update(readFileSync(path)).digest("hex")}`;
    }
  };
  walk(dir);
  return out;
}

/** The files of a commit of the store's repository, sorted. */
export function filesAt(gitDir: string, commit: string): string[] {
  return execFileSync("git", ["-c", "core.quotePath=false", "--git-dir", gitDir, "ls-tree", "-r", "-z", "--name-only", commit], { encoding: "utf8" }).split("\0").filter(Boolean).sort();
}

/** A file's content at a commit of the store's repository. */
export function showAt(gitDir: string, commit: string, path: string): string {
  return execFileSync("git", ["--git-dir", gitDir, "cat-file", "blob", `${commit}:${path}`], { encoding: "utf8" });
}

/** A tree entry's mode at a commit (120000 for a link). */
export function modeAt(gitDir: string, commit: string, path: string): string {
  return execFileSync("git", ["--git-dir", gitDir, "ls-tree", commit, "--", path], { encoding: "utf8" }).split(" ")[0] ?? "";
}
