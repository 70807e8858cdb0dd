/** Finding and ending the processes a test started, by pid and process group, never by name. */
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { livePidsInGroup } from "../../src/orchestrator/engine/processGroup";

function procEntries(): number[] {
  return readdirSync("/proc").filter((e) => /^\d+$/.test(e)).map(Number);
}

/** Live processes whose process group is `pgid` (zombies left unreaped by a container's init are dead). */
export function processesInGroup(pgid: number): number[] {
  return livePidsInGroup(pgid) ?? [];
}

/** Processes running in `dir` (their cwd): what a sandboxed server started there left behind. */
export function processesWithCwd(dir: string): number[] {
  return procEntries().filter((pid) => {
    try {
      return readlinkSync(`/proc/${pid}/cwd`) === dir;
    } catch {
      return false;
    }
  });
}

export function killGroup(pgid: number, signal: NodeJS.Signals = "SIGKILL"): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // gone already
  }
}

/** The command line of a process, for messages about processes that should not be there. */
export function describeProcess(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
  } catch {
    return "(gone)";
  }
}
