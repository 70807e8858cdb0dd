/**
 * prctl(PR_SET_DUMPABLE, 0) for the OpenCode process the guard runs in: /proc/<pid>/environ, its
 * memory and ptrace are then closed to other processes of the same user (root excepted), so a
 * process an agent started cannot read the password the server started with. Bun (OpenCode's
 * runtime) reaches libc through bun:ffi; elsewhere (not Linux, no libc found) this does nothing.
 */
interface BunFfi {
  dlopen(library: string, symbols: Record<string, { args: unknown[]; returns: unknown }>): { symbols: { prctl(...args: number[]): number } };
  FFIType: { i32: unknown; u64: unknown };
}

const PR_SET_DUMPABLE = 4;
const LIBRARIES = ["libc.so.6", "libc.musl-x86_64.so.1", "libc.musl-aarch64.so.1"];

/** Whether the process is now non-dumpable. */
export async function makeNonDumpable(): Promise<boolean> {
  if (process.platform !== "linux") return false;
  let ffi: BunFfi;
  try {
    // Only Bun has it; a variable keeps bundlers and the type checker from looking for it.
    const name = "bun:ffi";
    ffi = (await import(name)) as BunFfi;
  } catch {
    return false;
  }
  for (const library of LIBRARIES) {
    try {
      const { i32, u64 } = ffi.FFIType;
      const libc = ffi.dlopen(library, { prctl: { args: [i32, u64, u64, u64, u64], returns: i32 } });
      return libc.symbols.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) === 0;
    } catch {
      // not this libc
    }
  }
  return false;
}
