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

/** JSON keys whose string values are credentials (any prefix: `access_token`, `clientSecret`, `x-api-key`). */
const JSON_CREDENTIAL_KEY = String.raw`[\w.-]*?(?:token|secret|password|passwd|passphrase|api[_-]?key|apikey|authorization|auth|cookie|credentials?|private[_-]?key)`;

/** An authorization value keeps its scheme ("Bearer ***"): what kind of credential it was helps, the credential does not. */
const keepScheme = (value: string) => /^(basic|bearer|token|digest|negotiate)\s/i.exec(value)?.[1];

/**
 * Credentials by their shape, whoever they belong to (a password the user typed into a URL, a
 * token a server echoed): JSON fields named like credentials (escaped quotes inside, and JSON inside
 * a JSON string), an Authorization header's value, API-key and token headers, cookies, a Basic or
 * Bearer credential (one with a digit or a base64 sign, or 16 letters and more, so "Basic auth"
 * stays prose), `NAME_TOKEN=` style assignments, credential-looking query values, URL user-info.
 */
const CREDENTIAL_SHAPES: ReadonlyArray<readonly [RegExp, Replacement]> = [
  [new RegExp(String.raw`("${JSON_CREDENTIAL_KEY}"\s*:\s*")((?:[^"\\]|\\.)*)(")`, "gi"), (_match, head = "", value = "", tail = "") => `${head}${keepScheme(value) ? `${keepScheme(value)} ` : ""}***${tail}`],
  [new RegExp(String.raw`(\\"${JSON_CREDENTIAL_KEY}\\"\s*:\s*\\")((?:[^"\\]|\\[^"])*)(\\")`, "gi"), (_match, head = "", value = "", tail = "") => `${head}${keepScheme(value) ? `${keepScheme(value)} ` : ""}***${tail}`],
  [/(authorization["']?\s*[:=]\s*["']?)(?:(basic|bearer|token|digest|negotiate)\s+)?[^\s"',;]+/gi, (_match, head = "", scheme) => `${head}${scheme ? `${scheme} ` : ""}***`],
  [/\b((?:x-)?api-key|x-(?:auth|access|goog-api)-?(?:token|key)|proxy-authorization)(["']?\s*[:=]\s*["']?)(?!\*\*\*)[^\s"',;]+/gi, "$1$2***"],
  [/\b(set-cookie|cookie)(\s*:\s*)(?!\*\*\*)[^\r\n"']+/gi, "$1$2***"],
  [/\b(Basic|Bearer)(\s+)(?:(?=[A-Za-z._~-]*[0-9+/=])[A-Za-z0-9._~+/-]{6,}=*|[A-Za-z]{16,}\b)/g, "$1$2***"],
  [/\b([A-Z0-9_]*(?:API_?KEY|TOKEN|SECRET|PASSWORD|PASSWD)[A-Z0-9_]*=)(?!\*\*\*)[^\s"']+/g, "$1***"],
  [/([?&;](?:[\w-]*token|auth|key|api[_-]?key|password|passwd|pwd|secret|sig|signature)=)[^&#\s"'<>]+/gi, "$1***"],
  [/\b([a-z][a-z0-9+.-]*:\/\/[^/\s:@"'<>]*:)[^@/\s"'<>]+@/gi, "$1***@"],
];

/** Wraps a logger so that every registered secret, and anything shaped like a credential, is replaced by "***". */
export class RedactingLogger implements Logger {
  private readonly secrets = new Set<string>();
  private readonly shortSecrets = new Map<string, RegExp>();

  constructor(private readonly inner: Logger) {}

  /**
   * Every secret is registered with its encoded forms too: as it stands in JSON (`"`, `\\`, `/`
   * escaped), URL- and form-encoded, base64'd alone and as the Basic credential of `opencode:<secret>`. A short one (a password the user chose for an attached
   * server) is matched where it stands alone; a long random one anywhere.
   */
  addSecret(secret: string): void {
    if (!secret) return;
    const json = JSON.stringify(secret).slice(1, -1);
    const forms = [secret, json, json.replace(/\//g, "\\/"), encodeURIComponent(secret), encodeURIComponent(secret).replace(/%20/g, "+"), Buffer.from(secret).toString("base64"), Buffer.from(`opencode:${secret}`).toString("base64")];
    for (const form of new Set(forms)) {
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

/** The most a line is held back waiting for its end, before what there is of it is written. */
const MAX_HELD_LINE = 64 * 1024;

/**
 * Output that arrives in chunks (a process's pipe), written on in whole lines: a secret the
 * process wrote in two pieces reaches the redactor as one line. The complete lines of a chunk go
 * out as one message (a `yes` flood costs one call per chunk, not per line). A line longer than
 * MAX_HELD_LINE is written up to its last whitespace before the limit (a token holds none), the
 * rest held with what follows.
 */
export function lineWriter(write: (text: string) => void): { write(chunk: string): void; end(): void } {
  let held = "";
  return {
    write(chunk: string) {
      held += chunk;
      const lastNewline = held.lastIndexOf("\n");
      if (lastNewline >= 0) {
        write(held.slice(0, lastNewline));
        held = held.slice(lastNewline + 1);
      }
      if (held.length > MAX_HELD_LINE) {
        const cut = Math.max(held.slice(0, MAX_HELD_LINE).search(/\s\S*$/), 0) || MAX_HELD_LINE;
        write(held.slice(0, cut));
        held = held.slice(cut);
      }
    },
    end() {
      if (held) write(held);
      held = "";
    },
  };
}
