/**
 * Temporary folders the extension host owns (the agents' shell script, the pool members' data
 * directories), named after the host's pid. A host that ends normally removes its own; one killed
 * (a crashed window, a SIGKILL) cannot, so the next host to make one of the same kind removes those
 * whose owner is gone. A live process with a reused pid keeps its folder: a stale folder may stay,
 * a live one is never taken.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const prefix = (kind: string) => `orchestrator-${kind}-`;

/** Whether a process with this pid exists (EPERM: it does, it is someone else's). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Removes the folders of `kind` in `parent` whose owning process has ended; returns their names. */
export function sweepStale(kind: string, parent = tmpdir()): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return removed;
  }
  const uid = process.getuid?.();
  for (const name of names) {
    const owner = new RegExp(`^${prefix(kind)}(\\d+)-`).exec(name)?.[1];
    if (!owner || Number(owner) === process.pid || alive(Number(owner))) continue;
    const path = join(parent, name);
    try {
      // Only our own user's folders: a shared /tmp holds other users' too.
      if (uid !== undefined && statSync(path).uid !== uid) continue;
      rmSync(path, { recursive: true, force: true });
      removed.push(name);
    } catch {
      // gone meanwhile, or not ours to remove
    }
  }
  return removed;
}

/** A new folder of `kind`, owned by this process, after removing those of owners that are gone. */
export function ownedTempDir(kind: string, parent = tmpdir()): string {
  sweepStale(kind, parent);
  return mkdtempSync(join(parent, `${prefix(kind)}${process.pid}-`));
}
