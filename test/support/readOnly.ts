/**
 * Makes a folder and its files read-only for real, also for root (whom permission bits do not stop):
 * as root with the immutable attribute, otherwise with the mode bits. Returns the undo.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, readdirSync } from "node:fs";
import { join } from "node:path";

export function makeReadOnly(dir: string): () => void {
  const files = readdirSync(dir).map((f) => join(dir, f));
  if (process.getuid?.() === 0) {
    execFileSync("chattr", ["+i", ...files, dir]);
    return () => execFileSync("chattr", ["-i", ...files, dir]);
  }
  for (const f of files) chmodSync(f, 0o444);
  chmodSync(dir, 0o555);
  return () => {
    chmodSync(dir, 0o755);
    for (const f of files) chmodSync(f, 0o644);
  };
}
