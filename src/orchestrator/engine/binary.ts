/**
 * Which `opencode` binary to run: the user's setting, else the one on PATH, else the one that ships
 * with this project (its dev dependency, for development and tests).
 */
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, join } from "node:path";
import { OpencodeNotFoundError } from "./errors";

export interface BinarySearch {
  /** `orchestrator.opencode.path`, if set. */
  configuredPath?: string;
  /** The PATH to search. */
  pathEnv?: string;
  /** Further candidates, in order (e.g. `<extension>/node_modules/.bin/opencode`). */
  fallbacks?: string[];
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function resolveOpencodeBinary(search: BinarySearch): string {
  const tried: string[] = [];
  const configured = search.configuredPath?.trim();
  if (configured) {
    // An explicit setting that is wrong must not silently fall back to another binary.
    if (isExecutableFile(configured)) return configured;
    throw new OpencodeNotFoundError([`${configured} (orchestrator.opencode.path)`]);
  }
  for (const dir of (search.pathEnv ?? "").split(delimiter).filter(Boolean)) {
    const candidate = join(dir, process.platform === "win32" ? "opencode.exe" : "opencode");
    if (isExecutableFile(candidate)) return candidate;
  }
  tried.push("PATH");
  for (const candidate of search.fallbacks ?? []) {
    if (isExecutableFile(candidate)) return candidate;
    tried.push(candidate);
  }
  throw new OpencodeNotFoundError(tried);
}
