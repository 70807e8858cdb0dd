// @ts-check
/**
 * The launcher's program (launcher.ts starts it on the host's own Node): runs each request it is
 * sent over the IPC channel and relays what the process does. It exits when the host does (the
 * channel closes), and with it the pipes it holds: a guarded job's lifeline.
 */
import process from "node:process";
import { collectOutput, spawnPiped } from "./spawnPiped.mjs";

/**
 * One request: a run to its end with its output collected (`collect`), or a start whose output streams.
 * @typedef {{ id: number; command: string; args: string[]; cwd: string; env: NodeJS.ProcessEnv; detached?: boolean; collect?: boolean; input?: string | Uint8Array }} Request
 */

// Output goes to the host at the host's pace: past 64 messages not yet written to the channel, the
// processes' pipes are paused (the processes then wait on them, as they would on a slow reader).
let backlog = 0;
/** @type {Set<import("node:stream").Readable>} */
const paused = new Set();

/**
 * @param {Record<string, unknown>} message
 * @param {import("node:stream").Readable} [stream] the pipe the message came from, paused while the channel is behind
 */
function send(message, stream) {
  if (!process.connected || !process.send) return;
  backlog++;
  try {
    process.send(message, undefined, undefined, () => {
      backlog--;
      if (backlog < 16) {
        for (const s of paused) {
          paused.delete(s);
          s.resume();
        }
      }
    });
  } catch {
    backlog--;
    return;
  }
  if (stream && backlog > 64 && !paused.has(stream)) {
    paused.add(stream);
    stream.pause();
  }
}

/** @param {unknown} error */
const errorReply = (/** @type {number} */ id, error) => ({ id, type: "error", message: error instanceof Error ? error.message : String(error), code: /** @type {NodeJS.ErrnoException} */ (error)?.code });

/** @param {Request} m */
function run(m) {
  let child;
  try {
    child = spawnPiped(m.command, m.args, m);
  } catch (error) {
    send(errorReply(m.id, error));
    return;
  }
  if (m.collect) {
    const done = collectOutput(child, m.input);
    if (child.pid !== undefined) send({ id: m.id, type: "spawn", pid: child.pid });
    done.then(
      (result) => send({ id: m.id, type: "done", ...result }),
      (error) => send(errorReply(m.id, error)),
    );
    return;
  }
  child.on("error", (error) => send(errorReply(m.id, error)));
  if (child.pid === undefined) return;
  send({ id: m.id, type: "spawn", pid: child.pid });
  child.stdin.on("error", () => undefined);
  const { stdout, stderr } = child;
  stdout.on("data", (data) => send({ id: m.id, type: "data", fd: 1, data }, stdout));
  stderr.on("data", (data) => send({ id: m.id, type: "data", fd: 2, data }, stderr));
  child.on("exit", (code, signal) => send({ id: m.id, type: "exit", code, signal }));
  child.on("close", (code, signal) => send({ id: m.id, type: "close", code, signal }));
  // Its stdin stays open: a guard's lifeline, closed when this launcher exits.
}

process.on("message", (/** @type {Request} */ m) => run(m));
process.on("disconnect", () => process.exit(0));
send({ id: 0, type: "ready" });
