/**
 * What a restore never writes: the workspace's protected paths (`.git/`, `.vscode/`, OpenCode's
 * config and `.opencode/`, where our own state lives; agents/permissions.ts) and any `.git` folder
 * below them. A checkpoint of ours never holds them, but a store or a mission state someone else
 * wrote could name `.git/hooks/post-checkout`; restoring it would run their code at the next checkout.
 */
import { PROTECTED_IN_WORKSPACE } from "../agents/permissions";

const PROTECTED = new Set<string>(PROTECTED_IN_WORKSPACE.map((p) => p.toLowerCase()));
// Characters some file systems ignore in names (HFS+), as git itself does for `.git`.
const IGNORED_IN_NAMES = /[\u200c-\u200f\u202a-\u202e\u206a-\u206f\ufeff]/g;

/**
 * A name as a case-insensitive file system (Windows, macOS) may see it: `.GIT`, `.git.` and `.git `
 * are `.git` there, and `git~1` is its short name on Windows.
 */
function asFileSystemSees(name: string): string {
  const plain = name.replace(IGNORED_IN_NAMES, "").toLowerCase().replace(/[. ]+$/, "");
  return plain === "git~1" ? ".git" : plain;
}

/** Why a restore may not write `path` (workspace-relative, `/`-separated); undefined when it may. */
export function protectedFromRestore(path: string): string | undefined {
  const names = path.split("/").map(asFileSystemSees);
  if (PROTECTED.has(names[0] ?? "")) return "the workspace protects it";
  if (names.includes(".git")) return "it is inside a git folder";
  return undefined;
}
