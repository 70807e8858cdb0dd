/**
 * Which missions and checkpoint stores this user's own runs made. A cloned repository can ship
 * `.opencode/orchestrator/…` whole — a mission whose "changes" name `.git/hooks/…`, a store holding
 * them — so what we restore from, resume or continue must carry a mark only we can make: an HMAC,
 * under a per-user key kept outside every workspace, of what the thing is, the workspace it is in
 * and its id. A mark copied from another workspace or another machine does not verify.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { closeSync, constants, fstatSync, linkSync, mkdirSync, openSync, readSync, rmSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";

/** What a mark is for: a mark of one kind never passes for the other. */
export type MarkKind = "mission" | "checkpoint-store";

const KEY_BYTES = 32;
const KEY_TEXT = /^[0-9a-f]{64}$/;
const MARK_TEXT = /^[0-9a-f]{64}$/;

/** Made once per process: the default where no lasting key was given (tests, benchmarks). */
let processKey: Buffer | undefined;

export class Provenance {
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length < KEY_BYTES) throw new Error(`a provenance key has at least ${KEY_BYTES} bytes`);
    this.key = Buffer.from(key);
  }

  /**
   * A key of this process alone: what it marks, only this process recognises. The extension gives a
   * lasting key (fromKeyFile) so a window reload still knows the user's missions.
   */
  static ofThisProcess(): Provenance {
    processKey ??= randomBytes(KEY_BYTES);
    return new Provenance(processKey);
  }

  /**
   * The user's key from `file` (outside every workspace), made on first use with mode 0600. Two
   * windows making it at once agree on one (the second link fails and reads the first). A file
   * that holds no key is an error, never silently replaced: every mark made with it would be lost.
   */
  static fromKeyFile(file: string): Provenance {
    const existing = readKeyFile(file);
    if (existing) return new Provenance(existing);
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    const temp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
    writeFileSync(temp, randomBytes(KEY_BYTES).toString("hex") + "\n", { flag: "wx", mode: 0o600 });
    try {
      linkSync(temp, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    } finally {
      rmSync(temp, { force: true });
    }
    const key = readKeyFile(file);
    if (!key) throw new Error(`${file} holds no provenance key`);
    return new Provenance(key);
  }

  /** The mark of `id` (a mission id, a store's id) of `kind` in `workspace`. */
  mark(kind: MarkKind, workspace: string, id: string): string {
    // NULs separate the parts: none of them can hold one, so no two triples give one text.
    return createHmac("sha256", this.key).update(`opencode-orchestrator/${kind}/v1\0${resolve(workspace)}\0${id}`).digest("hex");
  }

  /** Whether `mark` is this user's mark of `id` of `kind` in `workspace`. */
  verifies(kind: MarkKind, workspace: string, id: string, mark: string | undefined): boolean {
    if (mark === undefined || !MARK_TEXT.test(mark)) return false;
    return timingSafeEqual(Buffer.from(this.mark(kind, workspace, id), "hex"), Buffer.from(mark, "hex"));
  }
}

/** The key in `file`; undefined when there is no file; throws when the file is there but holds no key. */
function readKeyFile(file: string): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new Error(`the provenance key ${file} cannot be read: ${(error as Error).message}`, { cause: error });
  }
  try {
    const stat = fstatSync(fd);
    const buffer = Buffer.alloc(KEY_BYTES * 2 + 1);
    const length = stat.isFile() && stat.size <= buffer.length ? readSync(fd, buffer, 0, buffer.length, 0) : 0;
    const text = buffer.subarray(0, length).toString("utf8").trim();
    if (!KEY_TEXT.test(text)) throw new Error(`${file} is not a provenance key (64 hex digits); delete it to make a new one — missions marked with the old key then count as not yours`);
    return Buffer.from(text, "hex");
  } finally {
    closeSync(fd);
  }
}
