/**
 * The shell every agent command runs in. OpenCode's bash tool runs `$SHELL -c <command>`, and so
 * do the background jobs: pointing SHELL at this small script gives one place where
 *  - the orchestrator's secrets (the server password, the config that carries the MCP token) are
 *    taken out of the command's environment, so `env` or a prompt-injected "print your environment"
 *    shows neither;
 *  - optionally (orchestrator.sandbox = "bubblewrap"), the command runs in a bubblewrap sandbox:
 *    the file system read-only except the workspace and a private /tmp, its own PID namespace (it
 *    cannot read the server's /proc/<pid>/environ), no new privileges. A guard, not a jail: the
 *    network stays open, and files outside the workspace stay readable.
 * The script is written once per host, into a private (0700) folder.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { PROTECTED_IN_WORKSPACE } from "../agents/permissions";
import { ownedTempDir } from "./ownedTempDir";
import { SECRET_VARIABLES } from "./secrets";

export type SandboxMode = "off" | "bubblewrap";

export interface AgentShellOptions {
  workspace: string;
  sandbox: SandboxMode;
  /** The user's shell (`$SHELL`), used when OpenCode would accept it (not fish or nu); else /bin/sh. */
  userShell?: string;
  /** Where bwrap is (found on PATH when absent). */
  bwrap?: string;
}

export interface AgentShell {
  /** The script: SHELL for the servers. */
  path: string;
  /**
   * The interpreter of background jobs: the script when it sandboxes; else the inner shell itself,
   * as the job manager already leaves the secrets out of a job's environment (withoutSecrets) and
   * the script would only add a process to every job (a check of a wave is one of thirty).
   */
  jobShell: string;
  sandbox: SandboxMode;
  dispose(): void;
}

/** Single-quotes a value for /bin/sh. */
const sh = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

/** The shell the command itself runs in: the user's where OpenCode itself would use it. */
export function innerShell(userShell: string | undefined): string {
  const name = userShell ? basename(userShell) : "";
  return userShell && name && !["fish", "nu"].includes(name) && !userShell.includes("'") ? userShell : "/bin/sh";
}

/** bwrap's path, or undefined when it is not installed. */
export function findBubblewrap(): string | undefined {
  try {
    return execFileSync("/bin/sh", ["-c", "command -v bwrap"], { encoding: "utf8" }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** What the sandbox keeps, and what it takes away again when a command created it (agentShell.sh). */
const QUARANTINE = ".opencode/orchestrator/quarantine";

/** The sandboxed part of the script (agentShell.sh, read once; the build copies it beside the bundle). */
let sandboxProgram: string | undefined;
const sandboxScript = () => (sandboxProgram ??= readFileSync(join(__dirname, "agentShell.sh"), "utf8"));

/** The values agentShell.sh runs with, as shell assignments. The protected names are split by the shell: plain words only. */
function sandboxSettings(options: AgentShellOptions & { bwrap: string }, shell: string): string[] {
  const odd = PROTECTED_IN_WORKSPACE.find((name) => !/^[\w.-]+$/.test(name));
  if (odd) throw new Error(`The sandbox cannot protect ${JSON.stringify(odd)}: a protected name must be a plain word.`);
  return [`ws=${sh(options.workspace)}`, `bwrap=${sh(options.bwrap)}`, `shell=${sh(shell)}`, `protected=${sh(PROTECTED_IN_WORKSPACE.join(" "))}`, `quarantine_dir=${sh(QUARANTINE)}`];
}

export function agentShellScript(options: AgentShellOptions & { bwrap?: string }): string {
  const shell = innerShell(options.userShell);
  const lines = ["#!/bin/sh", "# Written by OpenCode Orchestrator: the shell of agent commands (see agentShell.ts).", `unset ${SECRET_VARIABLES.join(" ")}`];
  if (options.sandbox === "bubblewrap" && options.bwrap) lines.push(...sandboxSettings({ ...options, bwrap: options.bwrap }, shell), sandboxScript());
  else lines.push(`exec ${sh(shell)} "$@"`);
  return `${lines.join("\n")}\n`;
}

/** Writes the script; the sandbox needs bwrap, and a clear error says how to get it. */
export function createAgentShell(options: AgentShellOptions): AgentShell {
  const bwrap = options.sandbox === "bubblewrap" ? (options.bwrap ?? findBubblewrap()) : undefined;
  if (options.sandbox === "bubblewrap" && !bwrap) {
    throw new Error("orchestrator.sandbox is \"bubblewrap\" but bwrap is not installed: install bubblewrap (e.g. `sudo apt install bubblewrap`) or set orchestrator.sandbox to \"off\".");
  }
  // `.opencode` (our state's folder) must exist to be read-only in the sandbox (agentShell.sh).
  if (options.sandbox === "bubblewrap") mkdirSync(join(options.workspace, ".opencode"), { recursive: true });
  const dir = ownedTempDir("shell");
  chmodSync(dir, 0o700);
  const path = join(dir, "agent-shell");
  writeFileSync(path, agentShellScript({ ...options, bwrap }), { mode: 0o700 });
  const jobShell = options.sandbox === "bubblewrap" ? path : innerShell(options.userShell);
  return { path, jobShell, sandbox: options.sandbox, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}
