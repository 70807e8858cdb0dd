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
import { chmodSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
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

/** What the sandbox keeps, and what it takes away again when a command created it (see sandboxLines). */
const QUARANTINE = ".opencode/orchestrator/quarantine";

/**
 * The sandboxed part of the script. What configures git, OpenCode and the editor stays read-only:
 * code an agent put there would run outside the sandbox. bwrap can make read-only only what exists
 * (a mount needs a mount point, and one made for a name that is missing would be an empty file in
 * the user's workspace, which OpenCode would then fail to parse): so a protected name that was
 * missing when the command started and exists when it ends — it ended, was stopped or interrupted —
 * is moved into the orchestrator's quarantine folder, kept, never deleted, and the command's output
 * says so. `.opencode` always exists (createAgentShell makes it), so it is always read-only.
 */
function sandboxLines(options: AgentShellOptions & { bwrap: string }, shell: string): string[] {
  const ws = sh(options.workspace);
  const guarded = PROTECTED_IN_WORKSPACE.map((p) => sh(join(options.workspace, p))).map((p) => `--ro-bind-try ${p} ${p}`).join(" ");
  const names = PROTECTED_IN_WORKSPACE.filter((p) => p !== ".opencode").map(sh).join(" ");
  return [
    `ws=${ws}`,
    // The sandbox's /tmp is its own: a working folder under the real /tmp (outside the workspace) is not there.
    'case "$PWD" in "$ws"|"$ws"/*) dir="$PWD" ;; /tmp|/tmp/*) dir="$ws" ;; *) dir="$PWD" ;; esac',
    "missing=",
    `for name in ${names}; do [ -e "$ws/$name" ] || [ -h "$ws/$name" ] || missing="$missing $name"; done`,
    "quarantine() {",
    "  for name in $missing; do",
    '    [ -e "$ws/$name" ] || [ -h "$ws/$name" ] || continue',
    `    q="$ws/${QUARANTINE}/$(date +%Y%m%d-%H%M%S)-$$"`,
    '    if [ -h "$ws/.opencode" ] || [ -h "$ws/.opencode/orchestrator" ] || ! mkdir -p "$q" || ! mv -- "$ws/$name" "$q/"; then',
    '      echo "orchestrator sandbox: the command created $name, which the workspace protects (it configures git, OpenCode or the editor), and it could not be moved aside: remove it before trusting it" >&2',
    "    else",
    `      echo "orchestrator sandbox: the command created $name, which the workspace protects (it configures git, OpenCode or the editor); it was moved to \${q#"$ws/"}/ (nothing was deleted)" >&2`,
    "    fi",
    "  done",
    "}",
    "trap 'quarantine; exit 129' HUP",
    "trap 'quarantine; exit 130' INT",
    "trap 'quarantine; exit 143' TERM",
    // Read-only root; the workspace writable but for those; a private /tmp and /proc; the device nodes a build needs.
    `${sh(options.bwrap)} --die-with-parent --new-session --unshare-pid --ro-bind / / --dev /dev --proc /proc --tmpfs /tmp --bind "$ws" "$ws" ${guarded} --setenv SHELL ${sh(shell)} --chdir "$dir" ${sh(shell)} "$@"`,
    "code=$?",
    "quarantine",
    'exit "$code"',
  ];
}

export function agentShellScript(options: AgentShellOptions & { bwrap?: string }): string {
  const shell = innerShell(options.userShell);
  const lines = ["#!/bin/sh", "# Written by OpenCode Orchestrator: the shell of agent commands (see agentShell.ts).", `unset ${SECRET_VARIABLES.join(" ")}`];
  if (options.sandbox === "bubblewrap" && options.bwrap) lines.push(...sandboxLines({ ...options, bwrap: options.bwrap }, shell));
  else lines.push(`exec ${sh(shell)} "$@"`);
  return `${lines.join("\n")}\n`;
}

/** Writes the script; the sandbox needs bwrap, and a clear error says how to get it. */
export function createAgentShell(options: AgentShellOptions): AgentShell {
  const bwrap = options.sandbox === "bubblewrap" ? (options.bwrap ?? findBubblewrap()) : undefined;
  if (options.sandbox === "bubblewrap" && !bwrap) {
    throw new Error("orchestrator.sandbox is \"bubblewrap\" but bwrap is not installed: install bubblewrap (e.g. `sudo apt install bubblewrap`) or set orchestrator.sandbox to \"off\".");
  }
  // `.opencode` (our state's folder) must exist to be read-only in the sandbox (sandboxLines).
  if (options.sandbox === "bubblewrap") mkdirSync(join(options.workspace, ".opencode"), { recursive: true });
  const dir = ownedTempDir("shell");
  chmodSync(dir, 0o700);
  const path = join(dir, "agent-shell");
  writeFileSync(path, agentShellScript({ ...options, bwrap }), { mode: 0o700 });
  const jobShell = options.sandbox === "bubblewrap" ? path : innerShell(options.userShell);
  return { path, jobShell, sandbox: options.sandbox, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}
