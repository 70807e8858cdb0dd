// @ts-check
/**
 * How a process is started and its output collected, one way for the launcher's program and for
 * this process where the launcher is not used (launcher.ts): plain JavaScript, since the launcher's
 * program runs on Node as it is.
 */
import { spawn } from "node:child_process";
import { Buffer } from "node:buffer";

/**
 * Starts a command with its three streams piped.
 * @param {string} command
 * @param {readonly string[]} args
 * @param {{ cwd: string; env: NodeJS.ProcessEnv; detached?: boolean }} options `detached`: its own process group
 */
export function spawnPiped(command, args, options) {
  return spawn(command, [...args], { cwd: options.cwd, env: options.env, detached: options.detached === true, stdio: ["pipe", "pipe", "pipe"], windowsHide: true });
}

/**
 * Writes `input` to a started process's stdin, closes it, and collects its output to its end.
 * Rejects (with the error's `code`, e.g. ENOENT) when it could not start.
 * @param {import("node:child_process").ChildProcessWithoutNullStreams} child
 * @param {string | Uint8Array | undefined} input
 * @returns {Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: Buffer; stderr: Buffer }>}
 */
export function collectOutput(child, input) {
  return new Promise((resolve, reject) => {
    /** @type {Buffer[]} */
    const stdout = [];
    /** @type {Buffer[]} */
    const stderr = [];
    child.stdout.on("data", (/** @type {Buffer} */ chunk) => stdout.push(chunk));
    child.stderr.on("data", (/** @type {Buffer} */ chunk) => stderr.push(chunk));
    child.on("error", reject);
    // A process that exits without reading its input closes the pipe under our write.
    child.stdin.on("error", () => undefined);
    child.on("close", (code, signal) => resolve({ code, signal, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr) }));
    child.stdin.end(input ?? "");
  });
}
