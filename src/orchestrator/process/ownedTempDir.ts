/**
 * Temporary folders the extension host owns (the agents' shell script, the pool members' data
 * directories), named after the host's pid. A host that ends normally removes its own; one killed
 * (a crashed window, a SIGKILL) cannot, so the next host to make one of the same kind removes those
 * whose owner is gone.
 *
 * A pid names a process only in its own PID namespace and boot: a host in a container (or a
 * sandboxed editor) that shares /tmp with us has pids that mean nothing here. So on Linux a folder's
 * name also carries its owner's PID namespace (the inode of /proc/self/ns/pid) and boot, and only
 * folders of our own namespace and boot whose owner has ended are removed. Whatever is unsure stays:
 * a live process with a reused pid, a folder of another namespace or boot, a name without them (made
 * before they were written, or where there is no /proc). A stale folder may stay; a live one is
 * never taken.
 */
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const prefix = (kind: string) => `orchestrator-${kind}-`;

let ownScope: string | null | undefined;

/** This process's PID namespace and boot, as `<namespace inode>.<first 8 hex digits of the boot id>`; undefined without /proc. */
export function namespaceScope(): string | undefined {
  if (ownScope === undefined) {
    try {
      const namespace = /^pid:\[(\d+)\]$/.exec(readlinkSync("/proc/self/ns/pid"))?.[1];
      const boot = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").replace(/-/g, "").slice(0, 8);
      ownScope = namespace && /^[0-9a-f]{8}$/.test(boot) ? `${namespace}.${boot}` : null;
    } catch {
      ownScope = null;
    }
  }
  return ownScope ?? undefined;
}

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
  const scope = namespaceScope();
  for (const name of names) {
    // <prefix><pid>-[<namespace>.<boot>-]<six characters of mkdtemp>
    const owner = new RegExp(`^${prefix(kind)}(\\d+)-(?:(\\d+\\.[0-9a-f]{8})-)?[^-]{6}$`).exec(name);
    if (!owner || owner[2] !== scope) continue; // another namespace or boot, or not known: its pid means nothing here
    if (Number(owner[1]) === process.pid || alive(Number(owner[1]))) continue;
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
  const scope = namespaceScope();
  return mkdtempSync(join(parent, `${prefix(kind)}${process.pid}-${scope ? `${scope}-` : ""}`));
}
