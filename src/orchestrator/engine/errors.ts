/**
 * Typed failures of the engine. Each carries a message a user can act on; the recovery layer
 * (and the UI) switch on the class and `kind`, never on message text.
 */
import type { EngineSessionError } from "./engineEvents";

export class OpencodeNotFoundError extends Error {
  override readonly name = "OpencodeNotFoundError";
  constructor(readonly tried: string[]) {
    super(
      "OpenCode not found. Set `orchestrator.opencode.path` to the opencode binary, or install it with " +
        `\`${INSTALL_OPENCODE}\` (or see https://opencode.ai/docs). Looked in: ` + tried.join(", "),
    );
  }
}

/** The install that gets the current OpenCode (2): what errors and the Install OpenCode action name. */
export const INSTALL_OPENCODE = "npm install -g @opencode/cli";


export class ServerStartError extends Error {
  override readonly name = "ServerStartError";
  constructor(message: string, readonly output: string) {
    super(output ? `${message}\n--- opencode output ---\n${output}` : message);
  }
}

export class ServerUnreachableError extends Error {
  override readonly name = "ServerUnreachableError";
}

export type SessionErrorKind =
  | "auth"
  | "api"
  | "context-overflow"
  | "aborted"
  | "structured-output"
  | "output-length"
  | "content-filter"
  /** The model or agent asked for does not exist there: no retry helps. */
  | "configuration"
  | "unknown";


/** A `session.error` from OpenCode, classified. */
export class SessionError extends Error {
  override readonly name = "SessionError";
  constructor(
    readonly kind: SessionErrorKind,
    message: string,
    readonly sessionId: string,
    readonly details: { statusCode?: number; retryable?: boolean; retryAfterMs?: number; providerId?: string } = {},
  ) {
    super(message);
  }
}

/** The turn was stopped on purpose (the user's stop, or the mission's). */
export class TurnAbortedError extends Error {
  override readonly name = "TurnAbortedError";
  constructor(readonly sessionId: string) {
    super(`Turn in session ${sessionId} was aborted.`);
  }
}

/** No sign of life from a busy session for longer than the watchdog allows. */
export class TurnStalledError extends Error {
  override readonly name = "TurnStalledError";
  constructor(readonly sessionId: string, readonly silentMs: number) {
    super(`Session ${sessionId} showed no activity for ${Math.round(silentMs / 1000)} s; it was aborted.`);
  }
}

/** The session outlived sessionTtlMinutes; it was aborted so the mission never waits on it forever. */
export class SessionExpiredError extends Error {
  override readonly name = "SessionExpiredError";
  constructor(readonly sessionId: string, readonly ageMs: number) {
    super(`Session ${sessionId} ran for ${Math.round(ageMs / 60_000)} min, past its time limit; it was aborted.`);
  }
}

/** The model answered, but not with a result that fits the schema. */
export class StructuredResultError extends Error {
  override readonly name = "StructuredResultError";
  constructor(readonly sessionId: string, readonly issues: string) {
    super(`The structured result of session ${sessionId} does not match its schema: ${issues}`);
  }
}

function retryAfterMs(headers: Record<string, string> | undefined): number | undefined {
  const value = headers?.["retry-after-ms"] ?? headers?.["retry-after"];
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return headers?.["retry-after-ms"] !== undefined ? seconds : seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

export function sessionErrorFrom(sessionId: string, error: EngineSessionError | undefined): SessionError {
  if (!error) return new SessionError("unknown", "OpenCode reported an error without details.", sessionId);
  switch (error.name) {
    case "ProviderAuthError":
      return new SessionError("auth", `Provider ${error.data.providerID} rejected the credentials: ${error.data.message}. Check the provider setup in OpenCode (\`opencode auth login\`).`, sessionId, { providerId: error.data.providerID, retryable: false });
    case "APIError":
      return new SessionError(error.data.statusCode === 401 || error.data.statusCode === 403 ? "auth" : "api", error.data.message, sessionId, {
        statusCode: error.data.statusCode,
        retryable: error.data.isRetryable,
        retryAfterMs: retryAfterMs(error.data.responseHeaders),
      });
    case "ContextOverflowError":
      return new SessionError("context-overflow", error.data.message, sessionId, { retryable: false });
    case "MessageAbortedError":
      return new SessionError("aborted", error.data.message, sessionId, { retryable: false });
    case "StructuredOutputError":
      return new SessionError("structured-output", error.data.message, sessionId, { retryable: true });
    case "MessageOutputLengthError":
      return new SessionError("output-length", "The model's answer was cut at its output limit.", sessionId, { retryable: true });
    case "ContentFilterError":
      return new SessionError("content-filter", error.data.message, sessionId, { retryable: false });
    case "ConfigurationError":
      return new SessionError("configuration", error.data.message, sessionId, { retryable: false });
    case "UnknownError":
      return new SessionError("unknown", error.data.message, sessionId);
    default:
      return new SessionError("unknown", JSON.stringify(error), sessionId);
  }
}
