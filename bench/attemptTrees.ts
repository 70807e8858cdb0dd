/**
 * Attempt trees (src/orchestrator/changes/attemptTrees.ts) on a generated committed repository:
 * the first tree (the store's first checkpoint already taken), a second one (warm), capturing a
 * ten-file change, and the disk one tree takes (its files plus its record in the shadow
 * repository). Run on its own: `node --import tsx bench/attemptTrees.ts [files]`.
 */
import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AttemptTrees } from "../src/orchestrator/changes/attemptTrees";
import { CheckpointStore } from "../src/orchestrator/changes/checkpointStore";
import { generateRepo } from "./wide";

/** Bytes on disk under `dir` (links counted as links, never followed). */
function diskBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += lstatSync(path).blocks * 512;
    if (entry.isDirectory()) total += diskBytes(path);
  }
  return total;
}

async function main(files: number): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), "bench-trees-"));
  try {
    const workspace = join(root, "workspace");
    generateRepo(workspace, files);
    const store = new CheckpointStore(workspace);
    const trees = new AttemptTrees(store, { treesRoot: join(root, "trees") });
    let started = performance.now();
    const base = await store.checkpoint("integration start");
    const checkpointMs = performance.now() - started;
    const timed = async <T>(run: () => Promise<T>): Promise<[T, number]> => {
      const at = performance.now();
      return [await run(), performance.now() - at];
    };
    const [first, firstMs] = await timed(() => trees.make("first", base));
    const [second, secondMs] = await timed(() => trees.make("second", base));
    const [, thirdMs] = await timed(() => trees.make("third", base));
    const modules = readdirSync(join(second.path, "src")).slice(0, 10);
    for (const name of modules) {
      const path = join(second.path, "src", name);
      writeFileSync(path, `${readFileSync(path, "utf8")}// touched\n`);
    }
    const [, captureMs] = await timed(() => trees.capture(second));
    const treeBytes = diskBytes(first.path);
    const recordBytes = diskBytes(join(store.gitDir, "worktrees", first.name));
    started = performance.now();
    await trees.remove(first, { dropped: true });
    const removeMs = performance.now() - started;
    const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
    process.stdout.write(
      [
        `${files} files (store's first checkpoint ${checkpointMs.toFixed(0)} ms)`,
        `  make tree: first ${firstMs.toFixed(0)} ms, second ${secondMs.toFixed(0)} ms, third ${thirdMs.toFixed(0)} ms`,
        `  capture a 10-file change: ${captureMs.toFixed(0)} ms; remove a tree: ${removeMs.toFixed(0)} ms`,
        `  disk per tree: ${mib(treeBytes)} MiB of files + ${mib(recordBytes)} MiB of record (index) in the shadow repository; workspace ${mib(diskBytes(workspace) - diskBytes(join(workspace, ".git")) - diskBytes(join(workspace, ".opencode")))} MiB without .git`,
      ].join("\n") + "\n",
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

void main(Number(process.argv[2] ?? 3_000));
