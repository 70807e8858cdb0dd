/** Finding and ending the processes a test started, by pid and process group, never by name. */
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

function procEntries(): number[] {
  return readdirSync("/proc").filter((e) => /^\d+$/.test(e)).map(Number);
}

/** Processes whose process group is `pgid`. */
export function processesInGroup(pgid: number): number[] {
  return procEntries().filter((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]) === pgid;
    } catch {
      return false;
    }
  });
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
