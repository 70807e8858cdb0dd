/**
 * What to do when a turn fails, decided from the typed error alone (both engines' errors arrive in one
 * vocabulary: engine/errors.ts). OpenCode has already retried rate limits and 5xx itself by the time
 * a session error reaches us (OpenCode 1: 5 attempts; OpenCode 2: 10); this is the next layer:
 * wait (honouring retry-after, with jitter) and lower the parallel limit, back off on transient
 * failures, retry with feedback when the answer did not fit, and stop the mission with a clear
 * message when no retry can help (credentials, an unknown model or agent).
 */
import { ServerUnreachableError, SessionError, SessionExpiredError, StructuredResultError, TurnStalledError } from "../engine/errors";

export type RecoveryAction =
  /** Run the turn again in a fresh session after `delayMs`, adding `feedback` to the prompt if given. */
  | { kind: "retry"; delayMs: number; note: string; lowerLimit: boolean; feedback?: string }
  /** No more attempts for this turn: its TODO fails and goes to the Commander's decision. */
  | { kind: "give-up"; note: string }
  /** Nothing can succeed until the user changes something: stop the mission and say what. */
  | { kind: "halt"; reason: string };

export interface RecoveryOptions {
  /** Attempts per turn, the first included (setting `recoveryAttempts`, default 3). */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  random?: () => number;
}

const CONFIG_ERROR = /(model|agent|provider) not found|unknown (model|agent|provider)|no such (model|agent)/i;
const NETWORK_ERROR = /fetch failed|ECONNREFUSED|ECONNRESET|socket hang up|network error|other side closed|UND_ERR/i;

export class RecoveryPolicy {
  readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly random: () => number;

  constructor(options: RecoveryOptions = {}) {
    this.maxAttempts = options.maxAttempts ?? 3;
    this.baseDelayMs = options.baseDelayMs ?? 1_000;
    this.maxDelayMs = options.maxDelayMs ?? 60_000;
    this.random = options.random ?? Math.random;
  }

  /** Exponential backoff with ±25% jitter, so parallel sessions do not retry in lockstep. */
  backoff(attempt: number, atLeastMs = 0): number {
    const exponential = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** Math.max(0, attempt - 1));
    const jittered = exponential * (0.75 + 0.5 * this.random());
    return Math.round(Math.min(this.maxDelayMs, Math.max(atLeastMs, jittered)));
  }

  /** `attempt`: how many times the turn has run, this failure included (1 for the first). */
  decide(error: unknown, attempt: number): RecoveryAction {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof SessionError) {
      if (error.kind === "auth") return { kind: "halt", reason: `${message} Nothing will work until the provider is set up.` };
      // OpenCode 2 names an unknown model as such (kind "configuration"); OpenCode 1 only in its message.
      if (error.kind === "configuration" || (error.kind === "unknown" && CONFIG_ERROR.test(message))) {
        return { kind: "halt", reason: `Configuration error: ${message}. Check orchestrator.model / orchestrator.models.* and the providers configured in OpenCode.` };
      }
      if (error.kind === "content-filter") return { kind: "give-up", note: `the provider filtered the answer: ${message}` };
    }
    if (attempt >= this.maxAttempts) return { kind: "give-up", note: `${message} (after ${attempt} attempts)` };

    if (error instanceof SessionError) {
      switch (error.kind) {
        case "api":
          if (error.details.statusCode === 429) {
            const wait = this.backoff(attempt, error.details.retryAfterMs ?? 0);
            return { kind: "retry", delayMs: wait, lowerLimit: true, note: `rate limited; waiting ${Math.round(wait / 1000)} s` };
          }
          return { kind: "retry", delayMs: this.backoff(attempt), lowerLimit: false, note: `provider error${error.details.statusCode ? ` ${error.details.statusCode}` : ""}: ${message}` };
        case "context-overflow":
          return { kind: "retry", delayMs: 0, lowerLimit: false, note: "context overflow; fresh session", feedback: "A previous attempt ran out of context. Work in small steps and read only what you need." };
        case "structured-output":
          return { kind: "retry", delayMs: 0, lowerLimit: false, note: "no structured answer", feedback: "Your previous answer did not use the required structured output. Finish by calling the tool your instructions name for the result (StructuredOutput, or the orchestrator's report tool) with the result." };
        case "aborted":
          // Not the orchestrator's own abort (turn.ts): a declined tool call, another client's abort.
          return { kind: "retry", delayMs: this.backoff(attempt), lowerLimit: false, note: `interrupted outside the orchestrator: ${message}` };
        case "output-length":
          return { kind: "retry", delayMs: 0, lowerLimit: false, note: "answer cut at the output limit", feedback: "Your previous answer was cut at the output limit. Keep answers and file writes short; split large files into steps." };
        default:
          return { kind: "retry", delayMs: this.backoff(attempt), lowerLimit: false, note: message };
      }
    }
    if (error instanceof StructuredResultError) {
      return { kind: "retry", delayMs: 0, lowerLimit: false, note: "structured result did not fit", feedback: `Your previous structured answer was invalid: ${error.issues.replace(/[.\s]+$/, "")}. Answer again in the required format.` };
    }
    if (error instanceof TurnStalledError || error instanceof SessionExpiredError) return { kind: "retry", delayMs: 0, lowerLimit: false, note: message };
    if (error instanceof ServerUnreachableError || NETWORK_ERROR.test(message)) {
      return { kind: "retry", delayMs: this.backoff(attempt), lowerLimit: false, note: `OpenCode unreachable: ${message}` };
    }
    return { kind: "retry", delayMs: this.backoff(attempt), lowerLimit: false, note: message };
  }
}
