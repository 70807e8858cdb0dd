/**
 * Our own checkpoints (src/orchestrator/changes/checkpointStore.ts): the first one of a committed
 * workspace of N small files, and the second after 10 files were changed. A fresh copy of the
 * workspace per run; one run past 5,000 files (writing and copying 30,000 files takes this machine
 * longer than the checkpoints themselves).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CheckpointStore } from "../src/orchestrator/changes/checkpointStore";
import { median } from "./stats";
import { copyRepo, generateRepo } from "./wide";

export interface CheckpointRow {
  files: number;
  firstMs: number;
  secondMs: number;
  touched: number;
  runs: number;
}

export async function checkpointTimes(sizes: number[], runs: number, log?: (line: string) => void): Promise<CheckpointRow[]> {
  const rows: CheckpointRow[] = [];
  for (const files of sizes) {
    const root = mkdtempSync(join(tmpdir(), "bench-checkpoint-"));
    try {
      const template = join(root, "template");
      generateRepo(template, files);
      const first: number[] = [];
      const second: number[] = [];
      const n = files > 5_000 ? 1 : runs;
      for (let r = 0; r < n; r++) {
        // The last run takes the template itself: one copy fewer.
        const workspace = r === n - 1 ? template : join(root, `run${r}`);
        if (workspace !== template) copyRepo(template, workspace);
        const store = new CheckpointStore(workspace);
        let started = performance.now();
        await store.checkpoint(`first ${r}`);
        first.push(performance.now() - started);
        const modules = listModules(workspace);
        for (let k = 0; k < 10; k++) {
          const path = modules[Math.floor(((k + 0.5) * modules.length) / 10)] as string;
          writeFileSync(path, `${readFileSync(path, "utf8")}// touched in run ${r}\n`);
        }
        started = performance.now();
        await store.checkpoint(`second ${r}`);
        second.push(performance.now() - started);
        rmSync(workspace, { recursive: true, force: true });
      }
      const row: CheckpointRow = { files, firstMs: median(first), secondMs: median(second), touched: 10, runs: n };
      log?.(`  ${files} files: first ${row.firstMs.toFixed(0)} ms, second ${row.secondMs.toFixed(0)} ms`);
      rows.push(row);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
  return rows;
}

function listModules(workspace: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.isDirectory()) walk(join(dir, entry.name));
      else out.push(join(dir, entry.name));
    }
  };
  walk(join(workspace, "src"));
  return out;
}
