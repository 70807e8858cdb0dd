/**
 * What the workspace guard does to a call of one of OpenCode's writing tools (write, edit,
 * apply_patch; OpenCode 2: write, edit, patch) before it runs: every path the call writes is judged by where it lands, not by how it
 * is spelt (landingPath.ts). A path that reaches the real file through a link is rewritten to that
 * file, so everything after us — OpenCode's own `external_directory` ask, the edit permission
 * rules, the orchestrator's file scopes — sees the truth: a link out of the workspace becomes an
 * outside write the user is asked about, a link onto another TODO's file becomes that file. In the
 * sandbox, an outside write is refused instead: the sandbox promises that agents write the workspace
 * only. A hard-linked file is made a file of its own before it is written, so its other names (maybe
 * outside the workspace) keep their content. Reading tools' paths are rewritten to where they lead
 * too (never refused: the sandbox does not limit reading), so OpenCode's read rules judge the file
 * read — `notes.md -> .env` is `.env` to a rule that denies `.env` — and a link out of the workspace
 * is an outside read, asked as such.
 */
import { chmodSync, copyFileSync, renameSync, rmSync, statSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { dirname, join } from "node:path";
import { landingOf } from "../../workspace/landingPath";

export interface GuardOptions {
  /** The workspace (OpenCode's instance directory). */
  workspace: string;
  /** Commands run in the sandbox: a write outside the workspace is refused, not asked. */
  sandbox: boolean;
}

/** One OpenCode's tools as the guard sees them: which write, which read, which argument names the path. */
export interface GuardedTools {
  /** Writing tools and the argument that names their file. */
  writes: Readonly<Record<string, string>>;
  /** Tools that take a Codex-format patch in `patchText`. */
  patches: ReadonlySet<string>;
  /** Reading tools and the argument that names their file or folder. */
  reads: Readonly<Record<string, string>>;
}

/** OpenCode 1's tools. */
export const V1_TOOLS: GuardedTools = { writes: { write: "filePath", edit: "filePath" }, patches: new Set(["apply_patch"]), reads: { read: "filePath", grep: "path", glob: "path", list: "path" } };
/** OpenCode 2's: renamed path arguments, `patch` for apply_patch, no `list` (read lists a folder). */
export const V2_TOOLS: GuardedTools = { writes: { write: "path", edit: "path" }, patches: new Set(["patch"]), reads: { read: "path", grep: "path", glob: "path" } };

/** apply_patch's file headers (the Codex patch format OpenCode uses): what follows the colon is a path. */
const PATCH_HEADER = /^(\*\*\* (?:Add File|Update File|Delete File|Move to): )(.+?)([ \t\r]*)$/gm;

/**
 * Judges one path a tool is about to write: the path to write instead (the landing), or an error
 * the agent reads. `removes`: the call only deletes the name (a link itself, never its target).
 */
export function guardedPath(path: string, options: GuardOptions, removes = false): string {
  if (removes) return path;
  const landing = landingOf(path, options.workspace);
  if (landing.broken) return path;
  if (landing.outside && options.sandbox) {
    const through = landing.link ? ` through the symbolic link ${landing.link}` : "";
    throw new Error(`Refused: ${path} leads outside the workspace${through} (to ${landing.path}). Agents here run in a sandbox that writes the workspace only; write inside the workspace instead.`);
  }
  if (landing.hardLinked && !landing.outside) ownCopy(landing.path);
  return landing.link ? landing.path : path;
}

/** Replaces a hard-linked file by a copy of its own (same content and mode): its other names keep theirs. */
function ownCopy(file: string): void {
  const temp = join(dirname(file), `.${randomBytes(6).toString("hex")}.orchestrator-copy`);
  try {
    copyFileSync(file, temp);
    chmodSync(temp, statSync(file).mode & 0o7777);
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw new Error(`Refused: ${file} has other names (a hard link), and a copy of its own could not be made (${(error as Error).message}); writing it would change them too.`, { cause: error });
  }
}

/** A path a reading tool is about to read: where it leads, when a link is on the way. */
function readPath(path: string, options: GuardOptions): string {
  const landing = landingOf(path, options.workspace);
  return landing.link && !landing.broken ? landing.path : path;
}

/** Applies the guard to a tool's arguments, in place; throws (refusing the call) with the reason. */
export function guardToolCall(tool: string, args: Record<string, unknown>, options: GuardOptions, tools: GuardedTools = V1_TOOLS): void {
  const reads = tools.reads[tool];
  if (reads) {
    if (typeof args[reads] === "string" && args[reads]) args[reads] = readPath(args[reads] as string, options);
    return;
  }
  if (tools.patches.has(tool)) {
    if (typeof args.patchText !== "string") return;
    args.patchText = args.patchText.replace(PATCH_HEADER, (_line, header: string, path: string, trail: string) => `${header}${guardedPath(path, options, header.includes("Delete File"))}${trail}`);
    return;
  }
  const writes = tools.writes[tool];
  if (writes && typeof args[writes] === "string") args[writes] = guardedPath(args[writes] as string, options);
}
