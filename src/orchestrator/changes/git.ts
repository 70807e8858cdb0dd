/**
 * Runs the `git` CLI for the checkpoint store: no shell, its own repository (GIT_DIR, work tree,
 * index) and none of the user's global or system config, so nothing of the user's repository or
 * settings can be touched or change what a checkpoint holds.
 */
import { join } from "node:path";
import { launcher, type RunResult } from "../process/launcher";

export class GitNotFoundError extends Error {
  override readonly name = "GitNotFoundError";
  constructor() {
    super("git not found: the orchestrator's checkpoints need git on PATH (install git, then resume the mission)");
  }
}

/** A git command of the checkpoint store failed; the message names the command and what git said. */
export class CheckpointError extends Error {
  override readonly name = "CheckpointError";
}

export interface GitResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** Where the store's repository lives and what it works on. */
export interface GitPlace {
  workspace: string;
  gitDir: string;
  /** An index of its own (a merge's scratch index); default: the git dir's `index`. */
  indexFile?: string;
}

const IDENTITY = ["-c", "user.name=OpenCode Orchestrator", "-c", "user.email=orchestrator@localhost"];

/** Settings passed on every call rather than written to a config file, so an old store gets new ones too. */
function configArgs(place: GitPlace): string[] {
  const settings = [
    // A missing directory: no hook of anyone's can run.
    `core.hooksPath=${join(place.gitDir, "no-hooks")}`,
    "core.fsmonitor=false",
    // Bytes in, bytes out: no line-ending conversion (info/attributes unsets text/eol/filter too).
    "core.autocrlf=false",
    "core.safecrlf=false",
    "core.quotePath=false",
    // The inherited ignore rules of the user's repository, translated to the workspace (see ignoreRules.ts).
    `core.excludesFile=${join(place.gitDir, "info", "inherited-exclude")}`,
    // Stat info plus the untracked cache make a checkpoint of an unchanged tree cheap.
    "core.untrackedCache=true",
    "core.preloadIndex=true",
    "index.version=4",
    "core.longpaths=true",
    "gc.auto=0",
    "core.logAllRefUpdates=false",
    "maintenance.auto=false",
    "commit.gpgSign=false",
    "advice.addEmbeddedRepo=false",
    "advice.addIgnoredFile=false",
    "init.defaultBranch=checkpoints",
  ];
  return [...settings.flatMap((s) => ["-c", s]), ...IDENTITY];
}

/**
 * The environment git runs in. Every inherited GIT_* variable is dropped (a VS Code started from a
 * git hook carries GIT_DIR, GIT_INDEX_FILE, …, which would point us at the user's repository),
 * except GIT_EXEC_PATH, which only says where git's own programs are.
 */
function gitEnv(place: GitPlace): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.toUpperCase().startsWith("GIT_") || key.toUpperCase() === "GIT_EXEC_PATH") env[key] = value;
  }
  return {
    ...env,
    GIT_DIR: place.gitDir,
    GIT_WORK_TREE: place.workspace,
    GIT_INDEX_FILE: place.indexFile ?? join(place.gitDir, "index"),
    GIT_CONFIG_NOSYSTEM: "1",
    // A file that never exists: git reads no global config (nor ~/.config/git/config) at all.
    GIT_CONFIG_GLOBAL: join(place.gitDir, "no-global-config"),
    GIT_TERMINAL_PROMPT: "0",
    // Untranslated messages: a lock held by another window is recognised by git's words.
    LC_ALL: "C",
  };
}

export interface RunOptions {
  input?: string | Buffer;
  /** Exit codes that are answers rather than failures (e.g. 1 from `check-ignore`). */
  okCodes?: readonly number[];
  /** Settings for this one command (`name=value`). */
  config?: readonly string[];
  /** Off only for commands that refuse pathspec magic (`check-ignore`); paths are taken literally there anyway. */
  literalPaths?: boolean;
}

/**
 * Runs one git command of the store; resolves with its output, rejects with a CheckpointError.
 * Started by the launcher: a checkpoint is four git runs, and from this process each would stall
 * the extension host's event loop for as long as fork() copies it (process/launcher.ts).
 */
export async function runGit(place: GitPlace, args: readonly string[], options: RunOptions = {}): Promise<GitResult> {
  const okCodes = options.okCodes ?? [0];
  // Paths we pass are file names, never globs: `a[1].ts` means that file.
  const literal = options.literalPaths === false ? [] : ["--literal-pathspecs"];
  const config = (options.config ?? []).flatMap((setting) => ["-c", setting]);
  let ran: RunResult;
  try {
    // git may exit before reading all of stdin (e.g. on a bad object); that is reported by its exit code.
    ran = await launcher.run("git", [...configArgs(place), ...config, ...literal, ...args], { cwd: place.workspace, env: gitEnv(place), input: options.input ?? "" });
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    throw e.code === "ENOENT" ? new GitNotFoundError() : new CheckpointError(`git ${args[0]} could not start: ${e.message}`);
  }
  const result = { code: ran.code ?? -1, stdout: ran.stdout, stderr: ran.stderr.toString("utf8") };
  if (okCodes.includes(result.code)) return result;
  throw new CheckpointError(`git ${args[0]} failed (${ran.signal ? `killed by ${ran.signal}` : `exit ${result.code}`}) in the checkpoint store ${place.gitDir}: ${result.stderr.trim() || "no output"}`);
}

/** Splits NUL-terminated output (`-z`) into its records. */
export function splitNul(output: Buffer): string[] {
  const text = output.toString("utf8");
  const records = text.split("\0");
  if (records[records.length - 1] === "") records.pop();
  return records;
}
