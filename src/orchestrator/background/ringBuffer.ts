/** Keeps the last `capacity` characters of a stream, and how many were written in all. */
export class RingBuffer {
  private chunks: string[] = [];
  private size = 0;
  total = 0;

  constructor(readonly capacity: number) {}

  write(text: string): void {
    this.total += text.length;
    this.chunks.push(text);
    this.size += text.length;
    while (this.size > this.capacity && this.chunks.length) {
      const head = this.chunks[0] as string;
      const excess = this.size - this.capacity;
      if (head.length <= excess) {
        this.chunks.shift();
        this.size -= head.length;
      } else {
        this.chunks[0] = head.slice(excess);
        this.size -= excess;
      }
    }
  }

  /** The kept text, or only its last `tail` characters. */
  read(tail?: number): string {
    const all = this.chunks.join("");
    this.chunks = [all];
    return tail === undefined ? all : all.slice(-tail);
  }

  /** Characters written that are no longer kept (they are in the job's log file). */
  get dropped(): number {
    return this.total - this.size;
  }
}
