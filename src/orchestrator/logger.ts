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

/** Below this length a secret is matched only where it stands alone, so it does not eat parts of ordinary words. */
const SHORT_SECRET = 8;

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

type Replacement = string | ((match: string, ...groups: string[]) => string);

/**
 * Credentials by their shape, whoever they belong to (a password the user typed into a URL, a
 * token a server echoed): an Authorization header's value, a Basic or Bearer credential (one with a
 * digit or a base64 sign, so "Basic auth" stays prose), credential-looking query values, URL user-info.
 */
const CREDENTIAL_SHAPES: ReadonlyArray<readonly [RegExp, Replacement]> = [
  [/(authorization["']?\s*[:=]\s*["']?)(?:(basic|bearer|token|digest|negotiate)\s+)?[^\s"',;]+/gi, (_match, head = "", scheme) => `${head}${scheme ? `${scheme} ` : ""}***`],
  [/\b(Basic|Bearer)(\s+)(?=[A-Za-z._~-]*[0-9+/=])[A-Za-z0-9._~+/-]{6,}=*/g, "$1$2***"],
  [/([?&;](?:[\w-]*token|auth|key|api[_-]?key|password|passwd|pwd|secret|sig|signature)=)[^&#\s"'<>]+/gi, "$1***"],
  [/\b([a-z][a-z0-9+.-]*:\/\/[^/\s:@"'<>]*:)[^@/\s"'<>]+@/gi, "$1***@"],
];

/** Wraps a logger so that every registered secret, and anything shaped like a credential, is replaced by "***". */
export class RedactingLogger implements Logger {
  private readonly secrets = new Set<string>();
  private readonly shortSecrets = new Map<string, RegExp>();

  constructor(private readonly inner: Logger) {}

  /**
   * Every secret is registered with its encoded forms too: the Basic credential of `opencode:<secret>`
   * and its URL-encoding are the same secret. A short one (a password the user chose for an attached
   * server) is matched where it stands alone; a long random one anywhere.
   */
  addSecret(secret: string): void {
    if (!secret) return;
    for (const form of [secret, encodeURIComponent(secret), Buffer.from(`opencode:${secret}`).toString("base64")]) {
      if (form.length >= SHORT_SECRET) this.secrets.add(form);
      else if (!this.shortSecrets.has(form)) this.shortSecrets.set(form, new RegExp(`(?<![A-Za-z0-9])${escapeRegExp(form)}(?![A-Za-z0-9])`, "g"));
    }
  }

  redact(message: string): string {
    let out = message;
    // Longest first: a secret that contains another is replaced whole.
    for (const secret of [...this.secrets].sort((a, b) => b.length - a.length)) out = out.split(secret).join("***");
    for (const [shape, replacement] of CREDENTIAL_SHAPES) out = typeof replacement === "string" ? out.replace(shape, replacement) : out.replace(shape, replacement);
    for (const short of this.shortSecrets.values()) out = out.replace(short, "***");
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
