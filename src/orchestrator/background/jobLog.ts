/**
 * A job's full output on disk: written asynchronously (the extension host never waits on the disk
 * for a chatty build) and bounded. `<id>.log` holds the newest output up to `maxBytes`; when it is
 * full it becomes `<id>.log.1` (the one before is dropped) and a new `<id>.log` starts, so a job
 * never takes more than twice `maxBytes`. Writes are queued and done one at a time; a queue that
 * outgrows `maxQueuedBytes` (a disk slower than the job) drops its oldest text and says so in the
 * log. The ring buffer in memory keeps the tail whatever happens here.
 */
import { open, rename, rm, type FileHandle } from "node:fs/promises";
import { constants } from "node:fs";
import { APPEND_NOFOLLOW } from "../workspace/containedFiles";

export interface JobLogLimits {
  maxBytes: number;
  maxQueuedBytes: number;
}

export class JobLog {
  private queue: string[] = [];
  private queued = 0;
  private droppedChars = 0;
  private size = 0;
  private handle?: FileHandle;
  private opened = false;
  private writing?: Promise<void>;
  private closed = false;
  /** Why the log stopped being written (a full disk, a folder that went away); the job goes on. */
  failure?: string;

  constructor(
    readonly file: string,
    private readonly limits: JobLogLimits,
  ) {}

  write(text: string): void {
    if (this.closed || this.failure || !text) return;
    this.queue.push(text);
    this.queued += text.length;
    while (this.queued > this.limits.maxQueuedBytes && this.queue.length > 1) {
      const dropped = this.queue.shift() as string;
      this.queued -= dropped.length;
      this.droppedChars += dropped.length;
    }
    this.pump();
  }

  /** Resolves once everything written so far is on disk (or the log has given up). */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  /** Writes what is queued, then lets go of the file. Nothing written after is kept. */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    await this.handle?.close().catch(() => undefined);
    this.handle = undefined;
  }

  private pump(): void {
    if (this.writing) return;
    this.writing = this.drain()
      .catch((error: Error) => {
        this.failure = error.message;
        this.queue = [];
        this.queued = 0;
      })
      .finally(() => {
        this.writing = undefined;
        if (this.queue.length && !this.failure) this.pump();
      });
  }

  private async drain(): Promise<void> {
    while (this.queue.length) {
      let text = this.queue.join("");
      this.queue = [];
      this.queued = 0;
      if (this.droppedChars) {
        text = `\n[${this.droppedChars} characters of output were not written here: the disk was slower than the job]\n${text}`;
        this.droppedChars = 0;
      }
      let bytes = Buffer.from(text, "utf8");
      while (bytes.length) {
        const handle = this.handle ?? (await this.open());
        const room = this.limits.maxBytes - this.size;
        if (room <= 0) {
          await this.rotate();
          continue;
        }
        const part = bytes.subarray(0, room);
        await handle.write(part);
        this.size += part.length;
        bytes = bytes.subarray(part.length);
      }
    }
  }

  /** The first open starts the job's log afresh (a job id of an earlier window reused); later ones continue it. */
  private async open(): Promise<FileHandle> {
    const fresh = !this.opened;
    if (fresh) await rm(`${this.file}.1`, { force: true });
    this.handle = await open(this.file, APPEND_NOFOLLOW | (fresh ? constants.O_TRUNC : 0), 0o644);
    this.opened = true;
    this.size = fresh ? 0 : (await this.handle.stat()).size;
    return this.handle;
  }

  private async rotate(): Promise<void> {
    await this.handle?.close();
    this.handle = undefined;
    // rename replaces `.1` (and a link planted there, never what it points to).
    await rename(this.file, `${this.file}.1`);
    this.size = 0;
  }
}
