/**
 * A job's command that needs no shell. `bash -c 'npm test'` reads the line, finds `npm` and execs it
 * in its own place: the same process, the same exit status as starting `npm test` directly, only one
 * process start later (a shell's start is a third of a short check's cost, and a wave's end runs a
 * check per TODO). So a command of plain words — no quoting, expansion, redirection, operator or
 * assignment — whose program is on PATH runs without the shell, where that changes nothing:
 *  - the shell is sh, dash or bash without BASH_ENV (which reads a file first); zsh reads ~/.zshenv
 *    for every command, and other shells are not assumed;
 *  - the program is not one the shell runs itself differently from the file of the same name
 *    (`cd`, `exit`, `pwd`, `echo`, …; `test` only with operators both read alike) — those, and
 *    programs not found, go through the shell, which gives its own answer (127, "not found").
 * The job's PWD is its working folder either way (a shell sets it). The permission gate reads the same
 * line with a shell parser: a plain line is one simple command of exactly these words, so what starts
 * is what was judged (test/unit/directCommand.test.ts holds the two together).
 */
import { accessSync, closeSync, constants, openSync, readSync, statSync } from "node:fs";
import { basename, delimiter, isAbsolute, join, resolve } from "node:path";

/** Words of a plain command line: letters, digits and `_@%+=:,./-`, one space between. */
const PLAIN = /^[A-Za-z0-9_@%+=:,./-]+(?: [A-Za-z0-9_@%+=:,./-]+)*$/;

/** Shells that read nothing before a `-c` command (bash only without BASH_ENV). */
const PLAIN_SHELLS = new Set(["sh", "dash", "bash"]);

/** Builtins and keywords: run by the shell itself, or not the same as a file of that name. */
const SHELL_ONLY = new Set([
  ...["cd", "exit", "export", "source", ".", "eval", "exec", "set", "unset", "alias", "unalias", "read", "wait", "trap", "ulimit", "umask", "shift", "return"],
  ...["break", "continue", "local", "declare", "typeset", "readonly", "let", "command", "builtin", "type", "hash", "jobs", "fg", "bg", "disown", "suspend"],
  ...["times", "getopts", "shopt", "enable", "history", "fc", "pushd", "popd", "dirs", "logout", "mapfile", "readarray", "caller", "complete", "compgen"],
  ...["if", "then", "else", "elif", "fi", "case", "esac", "for", "while", "until", "do", "done", "function", "select", "time", "coproc"],
  // Files of these names exist, but the builtins differ (a logical path, escapes, job ids).
  ...["pwd", "echo", "printf", "kill"],
]);

/** bash's own `test` operators that coreutils' test lacks or reads otherwise; with none of them the two agree. */
const BASH_TEST_ONLY = new Set(["-v", "-R", "-N", "-o", "=="]);

/** The program and its arguments to start instead of `<shell> -c <command>`, or undefined when the shell must read it. */
export function directCommand(command: string, shell: string, env: NodeJS.ProcessEnv, cwd: string): string[] | undefined {
  const line = command.trim();
  if (!PLAIN.test(line) || !PLAIN_SHELLS.has(basename(shell)) || (basename(shell) === "bash" && env.BASH_ENV)) return undefined;
  const [name, ...args] = line.split(" ");
  if (!name || name.includes("=") || SHELL_ONLY.has(name)) return undefined;
  if ((name === "test" || name === "[") && args.some((a) => BASH_TEST_ONLY.has(a))) return undefined;
  const program = findProgram(name, env.PATH ?? "", cwd);
  return program ? [program, ...args] : undefined;
}

/** Where the shell would find `name`: a path as given, else the first executable file of that name on PATH. */
function findProgram(name: string, path: string, cwd: string): string | undefined {
  const candidates = name.includes("/") ? [resolve(cwd, name)] : path.split(delimiter).map((dir) => (dir && isAbsolute(dir) ? join(dir, name) : resolve(cwd, dir, name)));
  const found = candidates.find((file) => {
    try {
      accessSync(file, constants.X_OK);
      return statSync(file).isFile();
    } catch {
      return false;
    }
  });
  return found && startsItself(found) ? found : undefined;
}

/** A binary or a script with a `#!` line: one without, the shell runs as a script of its own (exec alone would fail). */
function startsItself(file: string): boolean {
  const head = Buffer.alloc(4);
  let fd: number | undefined;
  try {
    fd = openSync(file, "r");
    const read = readSync(fd, head, 0, 4, 0);
    return (read >= 2 && head.subarray(0, 2).toString("latin1") === "#!") || (read === 4 && head.toString("latin1") === "\x7fELF");
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
