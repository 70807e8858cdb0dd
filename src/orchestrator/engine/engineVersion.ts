/**
 * Which OpenCode a binary or a server is, from what it says it is: the binary's `--version`
 * (OpenCode 1 prints `1.18.33`, OpenCode 2 `opencode v2.1.2`), a server's health answer (OpenCode 1:
 * `GET /global/health` → JSON `{healthy, version}`; OpenCode 2: `GET /api/info` → JSON `{version,
 * pid}`). Each major answers the other's path with its web app's HTML, so only a JSON answer counts.
 * Never from the wording of a log line. Which versions run is one table (SUPPORTED).
 */
import { execFile } from "node:child_process";
import { statSync } from "node:fs";
import { withoutSecrets } from "../process/secrets";
import { INSTALL_OPENCODE } from "./errors";

/** The engine adapters there are: OpenCode 1 (`opencode-ai`) and OpenCode 2 (`@opencode/cli`). */
export type EngineMajor = 1 | 2;

export interface EngineIdentity {
  major: EngineMajor;
  /** As the binary or server said it ("1.18.33", "2.1.2"). */
  version: string;
}

interface SupportedLine {
  major: EngineMajor;
  /** The oldest release that runs: older ones lack what the adapter relies on. */
  from: [number, number, number];
  /** The line the tests run on, for people ("1.18.x"). */
  line: string;
  tested: string;
}

/**
 * OpenCode 1 from 1.18.29 (the plugin object form our guard's package uses), OpenCode 2 from 2.1.0
 * (the `/api` this adapter speaks). A newer minor of a known major runs, with a warning in the log:
 * OpenCode releases often, and refusing each new minor would stop every user at every release.
 */
export const SUPPORTED: readonly SupportedLine[] = [
  { major: 1, from: [1, 18, 29], line: "1.18.x", tested: "1.18.33" },
  { major: 2, from: [2, 1, 0], line: "2.1.x", tested: "2.1.2" },
];

/** "OpenCode 1.18.x (tested 1.18.33) and 2.1.x (tested 2.1.2)": the versions, for a message. */
export const SUPPORTED_TEXT = SUPPORTED.map((s) => `${s.line} (tested: ${s.tested})`).join(" and ");

/** The numbers of a version however it is written ("1.18.33", "opencode v2.1.2", "v2.1.2-beta.1"). */
export function parseVersion(text: string): [number, number, number] | undefined {
  const match = /(\d+)\.(\d+)\.(\d+)/.exec(text);
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
}

const older = (a: readonly number[], b: readonly number[]) => {
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) < (b[i] ?? 0);
  return false;
};

/** The OpenCode found is one this extension does not run: too old, or a major it does not know. */
export class UnsupportedOpencodeError extends Error {
  override readonly name = "UnsupportedOpencodeError";
  constructor(readonly found: string) {
    super(`${found}. This extension runs OpenCode ${SUPPORTED_TEXT}. Install the current OpenCode with \`${INSTALL_OPENCODE}\`, or set \`orchestrator.opencode.path\` to a supported opencode binary.`);
  }
}

export type Support = { ok: true; identity: EngineIdentity; untested: boolean } | { ok: false; reason: string };

/** Whether a version runs here; `where` names what said it (a binary's path, a server's URL). */
export function supportOf(versionText: string, where: string): Support {
  const parsed = parseVersion(versionText);
  const found = versionText.trim() || "(no version)";
  if (!parsed) return { ok: false, reason: `${where} did not say which OpenCode it is (it said ${JSON.stringify(found.slice(0, 80))})` };
  const line = SUPPORTED.find((s) => s.major === parsed[0]);
  const version = parsed.join(".");
  if (!line) return { ok: false, reason: `${where} is OpenCode ${version}, a major version this extension does not know` };
  if (older(parsed, line.from)) return { ok: false, reason: `${where} is OpenCode ${version}, older than ${line.from.join(".")}` };
  const untested = parsed[1] !== line.from[1];
  return { ok: true, identity: { major: line.major, version }, untested };
}

/** The identity of a version, or the error that says it does not run (found, supported, how to get one). */
export function requireSupported(versionText: string, where: string): EngineIdentity & { untested: boolean } {
  const support = supportOf(versionText, where);
  if (!support.ok) throw new UnsupportedOpencodeError(support.reason);
  return { ...support.identity, untested: support.untested };
}

const VERSION_TIMEOUT_MS = 15_000;
/** By path and modification time: every pool member asks, and an update of the binary is a new answer. */
const versions = new Map<string, Promise<string>>();

/** What `<binary> --version` prints (both majors answer at once, without starting a server). */
export function binaryVersion(binary: string): Promise<string> {
  let key = binary;
  try {
    key = `${binary}\0${statSync(binary).mtimeMs}`;
  } catch {
    // Not there: execFile says so.
  }
  let answer = versions.get(key);
  if (!answer) {
    answer = new Promise<string>((resolve, reject) => {
      // No secrets in its environment: it starts no server, but it is still a program we run.
      execFile(binary, ["--version"], { timeout: VERSION_TIMEOUT_MS, env: withoutSecrets(process.env) }, (error, stdout, stderr) => {
        if (error) reject(new UnsupportedOpencodeError(`${binary} --version failed (${error.message.split("\n")[0]}${stderr ? `: ${stderr.trim().slice(0, 200)}` : ""})`));
        else resolve(stdout.trim());
      });
    });
    versions.set(key, answer);
    answer.catch(() => versions.delete(key));
  }
  return answer;
}

/** The engine a binary is, or the error that stops the start (too old, an unknown major, no answer). */
export async function identifyBinary(binary: string): Promise<EngineIdentity & { untested: boolean }> {
  return requireSupported(await binaryVersion(binary), binary);
}

/** What a server's health answer says it is; undefined when the answer is not that major's JSON. */
export function identityFromHealth(path: "/global/health" | "/api/info", contentType: string | null, body: unknown): { major: EngineMajor; version: string } | undefined {
  if (!contentType?.includes("application/json") || !body || typeof body !== "object") return undefined;
  const b = body as { healthy?: unknown; version?: unknown; pid?: unknown };
  if (typeof b.version !== "string") return undefined;
  if (path === "/global/health" && typeof b.healthy === "boolean") return { major: 1, version: b.version };
  if (path === "/api/info" && typeof b.pid === "number") return { major: 2, version: b.version };
  return undefined;
}
