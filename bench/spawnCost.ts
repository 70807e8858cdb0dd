/**
 * What starting a short process costs the process that starts it, by how much memory that process
 * holds: Node's `spawn` from here (on Linux libuv forks, copying the parent's page tables on the
 * event loop's thread) against the launcher of `src/orchestrator/process/launcher.ts` (one IPC
 * message here; the fork happens in the launcher's small process). An extension host holds
 * hundreds of MB; a checkpoint is four git runs and a wave's end starts a check per TODO.
 *
 * Each size is measured in a fresh Node process of its own holding that much extra resident memory
 * (touched buffers and a heap of small objects, like an editor's), so that sizes do not leak into
 * each other or into the other benchmarks. Measured per start: how long the call blocks the event
 * loop, and the whole round trip of `git --version` to its output.
 */
import { spawn } from "node:child_process";
import { median } from "./stats";

export interface SpawnCostRow {
  /** Extra memory the starting process held (MB), and its resident size then. */
  ballastMb: number;
  rssMb: number;
  /** Medians over the starts (ms): the event loop blocked by the call, and the round trip to the output. */
  direct: { blockedMs: number; roundTripMs: number };
  launcher: { blockedMs: number; roundTripMs: number };
}

export interface SpawnCostResult {
  starts: number;
  rows: SpawnCostRow[];
}

/** The probe, in its own process: holds `ballastMb`, then times `starts` starts each way, interleaved. */
async function probe(ballastMb: number, starts: number): Promise<SpawnCostRow> {
  const { launcher } = await import("../src/orchestrator/process/launcher");
  const ballast: unknown[] = [];
  // Half in touched buffers, half in small objects on the JS heap.
  for (let i = 0; i < ballastMb / 2; i++) ballast.push(Buffer.alloc(2 ** 20, i & 0xff));
  for (let i = 0; i < ballastMb * 5_000; i++) ballast.push({ i, name: `object ${i}` });
  const options = { cwd: process.cwd(), env: process.env };
  const direct = () =>
    new Promise<{ blockedMs: number; roundTripMs: number }>((resolve, reject) => {
      const t0 = performance.now();
      const child = spawn("git", ["--version"], { ...options, stdio: ["pipe", "pipe", "pipe"] });
      const blockedMs = performance.now() - t0;
      child.stdout.resume();
      child.stderr.resume();
      child.on("error", reject);
      child.on("close", () => resolve({ blockedMs, roundTripMs: performance.now() - t0 }));
      child.stdin.end();
    });
  const launched = async () => {
    const t0 = performance.now();
    const pending = launcher.run("git", ["--version"], options);
    const blockedMs = performance.now() - t0;
    await pending;
    return { blockedMs, roundTripMs: performance.now() - t0 };
  };
  await launched(); // the launcher starts on first use
  await direct();
  const d: Array<{ blockedMs: number; roundTripMs: number }> = [];
  const l: Array<{ blockedMs: number; roundTripMs: number }> = [];
  for (let i = 0; i < starts; i++) {
    // Alternate which goes first.
    if (i % 2) {
      d.push(await direct());
      l.push(await launched());
    } else {
      l.push(await launched());
      d.push(await direct());
    }
  }
  const med = (xs: Array<{ blockedMs: number; roundTripMs: number }>) => ({ blockedMs: median(xs.map((x) => x.blockedMs)), roundTripMs: median(xs.map((x) => x.roundTripMs)) });
  const rssMb = process.memoryUsage().rss / 2 ** 20;
  void ballast.length;
  return { ballastMb, rssMb, direct: med(d), launcher: med(l) };
}

export async function spawnCost(options: { sizesMb: number[]; starts: number; log?: (line: string) => void }): Promise<SpawnCostResult> {
  const rows: SpawnCostRow[] = [];
  for (const mb of options.sizesMb) {
    const row = await new Promise<SpawnCostRow>((resolve, reject) => {
      const child = spawn(process.execPath, ["--import", "tsx", __filename, "probe", String(mb), String(options.starts)], { stdio: ["ignore", "pipe", "inherit"] });
      let out = "";
      child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
      child.on("error", reject);
      child.on("close", (code) => (code === 0 ? resolve(JSON.parse(out) as SpawnCostRow) : reject(new Error(`the spawn-cost probe of ${mb} MB exited ${code}`))));
    });
    options.log?.(`  +${mb} MB (resident ${row.rssMb.toFixed(0)} MB): spawn here blocks ${row.direct.blockedMs.toFixed(2)} ms (round trip ${row.direct.roundTripMs.toFixed(2)} ms), the launcher ${row.launcher.blockedMs.toFixed(2)} ms (round trip ${row.launcher.roundTripMs.toFixed(2)} ms)`);
    rows.push(row);
  }
  return { starts: options.starts, rows };
}

if (process.argv[2] === "probe") {
  void probe(Number(process.argv[3]), Number(process.argv[4])).then(
    (row) => {
      process.stdout.write(JSON.stringify(row));
      process.exit(0);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
