/**
 * The core logs through this interface; the extension hands it a VS Code LogOutputChannel,
 * tests hand it an array. Secrets are scrubbed here, once, so no adapter can forget to.
 */
export interface Logger {
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const silentLogger: Logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };

const LEVELS = ["trace", "debug", "info", "warn", "error"] as const;

/** Wraps a logger so that every registered secret is replaced by "***" before it is written. */
export class RedactingLogger implements Logger {
  private readonly secrets = new Set<string>();

  constructor(private readonly inner: Logger) {}

  addSecret(secret: string): void {
    // Short strings would redact ordinary words; every secret we create is long and random.
    if (secret.length >= 8) this.secrets.add(secret);
  }

  redact(message: string): string {
    let out = message;
    for (const secret of this.secrets) out = out.split(secret).join("***");
    return out;
  }

  trace(message: string): void { this.inner.trace(this.redact(message)); }
  debug(message: string): void { this.inner.debug(this.redact(message)); }
  info(message: string): void { this.inner.info(this.redact(message)); }
  warn(message: string): void { this.inner.warn(this.redact(message)); }
  error(message: string): void { this.inner.error(this.redact(message)); }
}

/** A logger that keeps lines in memory: for tests and for the state of a run. */
export function memoryLogger(lines: string[] = []): Logger & { lines: string[] } {
  const make = (level: string) => (message: string) => void lines.push(`${level}: ${message}`);
  return Object.assign(Object.fromEntries(LEVELS.map((l) => [l, make(l)])) as unknown as Logger, { lines });
}
