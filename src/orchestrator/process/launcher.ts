/**
 * Starts the short processes of a mission — the checkpoints' git runs, the checks and agents'
 * background jobs — from a small helper process rather than from this one. On Linux, Node starts a
 * child with fork(), which copies the page tables of the whole parent on the event loop's thread:
 * measured on Node 20, 0.9 ms from a 45 MB process, 4.6 ms from 150 MB, 18 ms from 450 MB. An
 * extension host holds hundreds of MB (every extension's), so each git run of a checkpoint and each
 * check would stall every extension's event loop for that long, and a wave's end starts dozens.
 * The launcher is a Node process of its own (started once, on first use) that forks from its own
 * few MB; our side of a start is one IPC message. Elsewhere (macOS and Windows do not fork a copy
 * of the parent), and if the launcher cannot start, processes start here as before.
 *
 * The launcher exits when we do (its IPC channel closes), and with it the pipes it holds: a guarded
 * job's guard reads EOF on its lifeline and ends its whole group (processGroup.ts), as when we die.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { EventEmitter } from "node:events";
import { join } from "node:path";
import { PassThrough, type Readable } from "node:stream";
import { withoutSecrets } from "./secrets";
import { collectOutput, spawnPiped } from "./spawnPiped.mjs";

/**
 * The launcher's program, a file of its own (lint and the type checker read it): beside this
 * module when run from source, beside the bundle (dist/) in the extension, which the build writes.
 */
const LAUNCHER_PROGRAM = join(__dirname, "launcherProgram.mjs");

type Reply =
  | { id: number; type: "ready" }
  | { id: number; type: "spawn"; pid: number }
  | { id: number; type: "error"; message: string; code?: string }
  | { id: number; type: "data"; fd: 1 | 2; data: Buffer }
  | { id: number; type: "exit" | "close"; code: number | null; signal: NodeJS.Signals | null }
  | { id: number; type: "done"; code: number | null; signal: NodeJS.Signals | null; stdout: Buffer; stderr: Buffer };

export interface RunOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Written to its stdin, which is then closed. */
  input?: string | Buffer;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: Buffer;
}

export interface StartOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Its own process group. */
  detached?: boolean;
}

/**
 * A process started for us: what the job manager uses of a ChildProcess (a real one where the
 * launcher is not used). Events: "spawn", "error" (it could not start), "exit" (code, signal),
 * "close" (code, signal; its output has all been read). Its stdin stays open until we exit.
 */
export interface StartedProcess extends EventEmitter {
  readonly pid: number | undefined;
  readonly stdout: Readable;
  readonly stderr: Readable;
}

/** A process the launcher started, fed by its replies. */
class LaunchedProcess extends EventEmitter implements StartedProcess {
  pid: number | undefined;
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();

  /** One reply about it; true once nothing more will come. */
  receive(reply: Reply): boolean {
    switch (reply.type) {
      case "spawn":
        this.pid = reply.pid;
        this.emit("spawn");
        return false;
      case "error":
        this.emit("error", Object.assign(new Error(reply.message), { code: reply.code }));
        return this.pid === undefined;
      case "data":
        (reply.fd === 1 ? this.stdout : this.stderr).write(reply.data);
        return false;
      case "exit":
        this.exited(reply.code, reply.signal);
        return false;
      case "close":
        this.finish(reply.code, reply.signal);
        return true;
      default:
        return false;
    }
  }

  private hasExited = false;

  /** "exit", once (the launcher's going away after it ends it again). */
  exited(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.hasExited) return;
    this.hasExited = true;
    this.emit("exit", code, signal);
  }

  /** Becomes a process started here instead (the launcher could not run): the same events, from it. */
  adopt(child: ChildProcess): void {
    child.stdout?.on("data", (chunk: Buffer) => this.stdout.write(chunk));
    child.stderr?.on("data", (chunk: Buffer) => this.stderr.write(chunk));
    this.pid = child.pid;
    if (child.pid !== undefined) queueMicrotask(() => this.emit("spawn"));
    child.once("error", (error) => this.pid === undefined && this.emit("error", error));
    child.once("exit", (code, signal) => this.exited(code, signal));
    child.once("close", (code, signal) => this.finish(code, signal));
  }

  /** Its output is over: the streams end, and once both have, "close" (also when the launcher itself went away). */
  finish(code: number | null, signal: NodeJS.Signals | null): void {
    let open = 2;
    for (const stream of [this.stdout, this.stderr]) {
      stream.once("end", () => --open === 0 && this.emit("close", code, signal));
      // Output nobody reads is let go of, as a child's pipe would be.
      if (stream.readableFlowing !== true) stream.resume();
      stream.end();
    }
  }
}

export interface LauncherOptions {
  /** The Node the launcher runs on (default: this process's own executable). */
  node?: string;
  /** How long a new launcher has to say it runs before processes start here instead (default 5 s). */
  readyWithinMs?: number;
}

export class Launcher {
  private child: ChildProcess | undefined;
  /** Set where the launcher cannot run (off Linux, or it did not come up): processes start here from then on. */
  private unavailable = process.platform !== "linux";
  private next = 0;
  /** Requests waiting for replies, each with the launcher it went to. */
  private readonly waiting = new Map<number, { channel: ChildProcess; settle: (reply: Reply | undefined) => void }>();

  constructor(private readonly options: LauncherOptions = {}) {}

  /**
   * Runs a command to its end, its output collected. Rejects (with the error's `code`, e.g. ENOENT)
   * when it cannot start. If the launcher goes away meanwhile (killed), the command is killed and
   * runs once more in a new one: what runs this way (git reading or recording a checkpoint) can run
   * twice. If the launcher never came up, it runs here.
   */
  run(command: string, args: readonly string[], options: RunOptions, retried = false): Promise<RunResult> {
    const channel = this.channel();
    if (!channel) return runHere(command, args, options);
    return new Promise((resolve, reject) => {
      let pid: number | undefined;
      this.request(channel, { command, args, cwd: options.cwd, env: options.env, input: options.input, collect: true }, (reply) => {
        if (!reply) {
          // An orphan would go on holding what it holds (git's index lock) beside the run again.
          if (pid !== undefined) killQuietly(pid);
          if (this.unavailable || !retried) this.run(command, args, options, true).then(resolve, reject);
          else reject(new Error("the process launcher exited"));
        } else if (reply.type === "spawn") {
          pid = reply.pid;
          return false;
        } else if (reply.type === "error") reject(Object.assign(new Error(reply.message), { code: reply.code }));
        else if (reply.type === "done") resolve({ code: reply.code, signal: reply.signal, stdout: reply.stdout, stderr: reply.stderr });
        else return false;
        return true;
      });
    });
  }

  /** Starts a command whose output streams in; see StartedProcess. */
  start(command: string, args: readonly string[], options: StartOptions): StartedProcess {
    const here = () => spawnPiped(command, args, options);
    const channel = this.channel();
    if (!channel) return here() as StartedProcess;
    const launched = new LaunchedProcess();
    this.request(channel, { command, args, cwd: options.cwd, env: options.env, detached: options.detached }, (reply) => {
      if (reply) return launched.receive(reply);
      if (launched.pid === undefined && this.unavailable) launched.adopt(here());
      else if (launched.pid === undefined) launched.emit("error", new Error("the process launcher exited"));
      else {
        // The launcher went away; its pipes closed, so the guard has ended the process's tree. How the
        // process ended went with the launcher: no code, no signal.
        launched.exited(null, null);
        launched.finish(null, null);
      }
      return true;
    });
    return launched;
  }

  /** Sends a request; `onReply` returns true once it expects no more (undefined: the launcher is gone). */
  private request(channel: ChildProcess, message: Record<string, unknown>, onReply: (reply: Reply | undefined) => boolean): void {
    const id = ++this.next;
    this.waiting.set(id, {
      channel,
      settle: (reply) => {
        if (onReply(reply) !== true) return;
        this.waiting.delete(id);
        if (![...this.waiting.values()].some((w) => w.channel === channel)) this.idle(channel);
      },
    });
    // Only while something is under way does the channel keep this process alive.
    channel.ref();
    channel.channel?.ref();
    try {
      channel.send({ id, ...message });
    } catch {
      // A channel closing under us: its exit settles the request.
    }
  }

  private idle(channel: ChildProcess): void {
    channel.unref();
    channel.channel?.unref();
  }

  /** The launcher, started on first use; undefined where processes start here. */
  private channel(): ChildProcess | undefined {
    if (this.unavailable) return undefined;
    if (this.child?.connected) return this.child;
    try {
      const child = spawn(this.options.node ?? process.execPath, [LAUNCHER_PROGRAM], { stdio: ["ignore", "ignore", "inherit", "ipc"], serialization: "advanced", env: launcherEnvironment(process.env), windowsHide: true });
      if (child.pid === undefined) {
        child.on("error", () => undefined);
        this.unavailable = true;
        return undefined;
      }
      let ready = false;
      // A binary that starts but is no Node here (a build without ELECTRON_RUN_AS_NODE) never says ready.
      const notReady = setTimeout(() => child.kill("SIGKILL"), this.options.readyWithinMs ?? 5_000);
      notReady.unref();
      child.on("message", (reply: Reply) => {
        if (reply.type === "ready") {
          ready = true;
          clearTimeout(notReady);
        } else this.waiting.get(reply.id)?.settle(reply);
      });
      let left = false;
      const gone = () => {
        if (left) return;
        left = true;
        clearTimeout(notReady);
        // Never came up: processes start here from now on, the waiting ones too.
        if (!ready) this.unavailable = true;
        if (this.child === child) this.child = undefined;
        for (const w of [...this.waiting.values()]) if (w.channel === child) w.settle(undefined);
      };
      child.once("exit", gone);
      child.once("disconnect", gone);
      // A send on a channel that broke (EPIPE) is reported here, once per send.
      child.on("error", gone);
      this.child = child;
      this.idle(child);
      return child;
    } catch {
      this.unavailable = true;
      return undefined;
    }
  }
}

/**
 * The launcher's own environment: ours (a packaged editor's binary may need what its wrapper set,
 * such as LD_LIBRARY_PATH) without the orchestrator's secrets and without NODE_OPTIONS (an inspector
 * or a loader meant for us); Electron runs it as Node. Each process it starts gets the environment
 * its request carries, not this one.
 */
export function launcherEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const own = withoutSecrets(env);
  delete own.NODE_OPTIONS;
  return { ...own, ELECTRON_RUN_AS_NODE: "1" };
}

const killQuietly = (pid: number) => {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // gone already
  }
};

/** Runs a command here, its output collected (where the launcher is not used): as the launcher's program does. */
function runHere(command: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  return collectOutput(spawnPiped(command, args, options), options.input);
}

/** The one launcher of this process. */
export const launcher = new Launcher();
