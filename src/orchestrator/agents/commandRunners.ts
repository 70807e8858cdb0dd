/**
 * What a command runs in turn: the command behind a wrapper (`sudo`, `env -S`, `timeout 5`, `xargs`),
 * `find -exec` and `-delete`, the scripts of `eval` and `trap`, git's subcommand behind its global
 * options and the aliases and programs its `-c` settings define, and the program a package runner
 * starts. Each tool's options come from commandTools.ts; what the gate cannot place is unsure.
 */
import { FIND_EXEC_ACTIONS, GIT_COMMAND_KEYS, GIT_HARMLESS_KEYS, GIT_OPTIONS, GIT_SUBCOMMAND_SCRIPTS, PACKAGE_MANAGERS, WRAPPERS, type OptionSyntax, type PackageManager, type Wrapper } from "./commandTools";
import type { FoundCommand, RunContext, ScanSink } from "./shellCommands";
import { HOLE, joinWords, literalOf, type ShellText } from "./shellWords";

/** Options read off the front of a tool's words. */
interface ReadOptions {
  /** Where what follows the options starts. */
  next: number;
  /** Each option given, with its value where it takes one (in order). */
  given: Array<{ option: string; value?: ShellText }>;
}

/** A tool's options at the front of `args`; undefined when one is not in its table (where its command starts is then unknown). */
export function readOptions(syntax: OptionSyntax, args: readonly ShellText[], numeric = false): ReadOptions | undefined {
  const given: ReadOptions["given"] = [];
  const plusOptions = syntax.flags.some((f) => f.startsWith("+")) || syntax.withValue.some((f) => f.startsWith("+"));
  let i = 0;
  for (; i < args.length; i++) {
    const word = literalOf(args[i] as ShellText);
    if (word === undefined) {
      // A word only the shell knows, where an option may stand: where the command starts is unknown.
      const first = (args[i] as ShellText)[0];
      if (first === HOLE || (typeof first === "string" && first.startsWith("-"))) return undefined;
      break;
    }
    if (word === "--") return { next: i + 1, given };
    if (word === "-") {
      if (!syntax.flags.includes("-")) break;
      given.push({ option: word });
      continue;
    }
    if (!word.startsWith("-") && !(plusOptions && word.startsWith("+"))) break;
    if (syntax.flags.includes(word) || syntax.optionalValue?.includes(word)) given.push({ option: word });
    else if (syntax.withValue.includes(word)) {
      given.push({ option: word, value: args[i + 1] ?? [""] });
      i++;
    } else if (word.startsWith("--")) {
      const eq = word.indexOf("=");
      const option = eq > 0 ? word.slice(0, eq) : word;
      if (eq < 0 || !(syntax.withValue.includes(option) || syntax.optionalValue?.includes(option))) return undefined;
      given.push({ option, value: [word.slice(eq + 1)] });
    } else if (numeric && /^-\d+$/.test(word)) given.push({ option: word });
    else {
      // A cluster of short options: `-0n1`, `-ec`, `-n5`.
      for (let j = 1; j < word.length; j++) {
        const option = `${word[0]}${word[j]}`;
        if (syntax.flags.includes(option)) given.push({ option });
        else if (syntax.withValue.includes(option) || syntax.optionalValue?.includes(option)) {
          const attached = word.slice(j + 1);
          if (attached) given.push({ option, value: [attached] });
          else if (syntax.withValue.includes(option)) {
            given.push({ option, value: args[i + 1] ?? [""] });
            i++;
          } else given.push({ option });
          break;
        } else return undefined;
      }
    }
  }
  return { next: i, given };
}

/** Judges what `program` (already found as `command`) runs in turn, if anything. */
export function runsInTurn(program: string, command: FoundCommand, args: ShellText[], context: RunContext, sink: ScanSink): void {
  const inner = { ...context, level: context.level + 1 };
  switch (program) {
    case "eval":
      return args.length ? sink.script(joinWords(args), context) : undefined;
    case "source":
    case ".":
      return sink.unsure(context.source, "it runs the commands of a file the line does not show");
    case "alias":
      return args.length ? sink.unsure(context.source, "it defines an alias") : undefined;
    case "coproc":
      return sink.unsure(context.source, "coproc blocks are not read");
    case "enable":
      return args.some((a) => literalOf(a)?.startsWith("-f") !== false) ? sink.unsure(context.source, "it may load a builtin from a file") : undefined;
    case "trap": {
      const action = args.find((a) => !["--", "-p", "-l", "-P"].includes(literalOf(a) ?? ""));
      return action ? sink.script(action, context) : undefined;
    }
    case "cd":
    case "pushd": {
      const target = args.find((a) => !/^-[LPe@]*$/.test(literalOf(a) ?? "x"));
      return sink.folder(target ?? ["~"]);
    }
    case "busybox":
      // `busybox sh -c …`, `busybox rm …`: the applet is the command.
      return args.length ? sink.run(args, inner) : undefined;
    case "find":
      return find(args, inner, sink);
    case "git":
      return git(command, args, inner, sink);
  }
  const manager = PACKAGE_MANAGERS[program];
  if (manager) return packageManager(program, manager, command, args, inner, sink);
  const wrapper = WRAPPERS[program];
  if (wrapper) return wrapped(program, wrapper, args, inner, sink);
}

/** The command after a wrapper's options, operands and (env) assignments. */
function wrapped(program: string, tool: Wrapper, args: ShellText[], context: RunContext, sink: ScanSink): void {
  const syntax: OptionSyntax = { withValue: [...tool.withValue, ...(tool.scriptOptions ?? [])], flags: [...tool.flags, ...(tool.noCommand ?? [])], optionalValue: tool.optionalValue ?? [] };
  let words = args;
  let options = readOptions(syntax, words, tool.numericOption);
  // env -S 'a b' c: the string is split into words that come before the rest (and may hold options again).
  for (let split = 0; options && program === "env" && split < 4; split++) {
    const at = options.given.findIndex((g) => g.option === "-S" || g.option === "--split-string");
    if (at < 0) break;
    const text = literalOf(options.given[at]?.value ?? [HOLE]);
    const parts = text === undefined ? undefined : sink.splitWords(text);
    if (!parts) return sink.unsure(context.source, "env -S with a string the gate cannot split");
    words = [...parts, ...words.slice(options.next)];
    options = readOptions(syntax, words, tool.numericOption);
  }
  if (!options) return sink.unsure(context.source, `${program} with an option the gate does not know`);
  if (options.given.some((g) => tool.noCommand?.includes(g.option))) return;
  for (const g of options.given) {
    if (tool.scriptOptions?.includes(g.option)) sink.script(g.value ?? [""], context);
    if (program === "env" && (g.option === "-C" || g.option === "--chdir") && g.value) sink.folder(g.value);
  }
  if (tool.scriptOnly) return;
  let rest = words.slice(options.next);
  if (tool.assignments) {
    for (let first = rest[0]?.[0]; typeof first === "string" && /^[A-Za-z_][A-Za-z0-9_]*=/.test(first); first = rest[0]?.[0]) {
      const eq = first.indexOf("=");
      sink.variable(first.slice(0, eq), [first.slice(eq + 1), ...(rest[0] as ShellText).slice(1)], context);
      rest = rest.slice(1);
    }
  }
  if (rest.length < (tool.operands ?? 0)) return;
  rest = rest.slice(tool.operands ?? 0);
  // flock's operand may be a descriptor, and `flock FILE -c CMD` puts the script after it.
  if (program === "flock" && rest.length) {
    const after = readOptions(syntax, rest);
    if (!after) return sink.unsure(context.source, "flock with an option the gate does not know");
    for (const g of after.given) if (tool.scriptOptions?.includes(g.option)) sink.script(g.value ?? [""], context);
    rest = rest.slice(after.next);
  }
  if (!rest.length && tool.defaultCommand) rest = [[tool.defaultCommand]];
  if (!rest.length) return;
  if (tool.moreArguments) {
    const replace = options.given.find((g) => g.option === "-I" || g.option === "-i" || g.option === "--replace");
    const token = replace ? (literalOf(replace.value ?? ["{}"]) ?? "{}") : undefined;
    const unknown: ShellText = [HOLE];
    rest = [...rest.map((w) => (token && literalOf(w)?.includes(token) ? unknown : w)), unknown];
  }
  if (tool.joinsIntoScript) return sink.script(joinWords(rest), context);
  sink.run(rest, context);
}

/** `find … -exec CMD {} ;` runs CMD for each file; `-delete` removes them, and is judged as `rm`. */
function find(args: ShellText[], context: RunContext, sink: ScanSink): void {
  for (let i = 0; i < args.length; i++) {
    const word = literalOf(args[i] as ShellText);
    if (word === "-delete") sink.run([["rm"], [HOLE]], context);
    if (word === undefined || !FIND_EXEC_ACTIONS.has(word)) continue;
    const command: ShellText[] = [];
    let j = i + 1;
    for (; j < args.length; j++) {
      const part = literalOf(args[j] as ShellText);
      if (part === ";" || (part === "+" && literalOf(command.at(-1) ?? []) === "{}")) break;
      command.push(part?.includes("{}") ? [HOLE] : (args[j] as ShellText));
    }
    // -execdir runs in each file's folder: a relative path in it may be read from anywhere below.
    if (word.endsWith("dir")) sink.folder([HOLE]);
    sink.run(command, context);
    i = j;
  }
}

/** Matches a git configuration key (lower case) against a table's keys, `*` standing for one part. */
const keyMatches = (key: string, patterns: readonly string[]) =>
  patterns.some((p) => {
    const parts = p.split(".");
    const keyParts = key.split(".");
    if (parts.length === 2 && parts[1] !== "*" && parts[0] !== "*") return key === p;
    // section.*.name: the middle is a subsection that may itself hold dots.
    if (parts.length === 3) return keyParts.length >= 3 && (parts[0] === "*" || keyParts[0] === parts[0]) && keyParts.at(-1) === parts[2];
    return keyParts.length === 2 && (parts[0] === "*" || keyParts[0] === parts[0]) && (parts[1] === "*" || keyParts[1] === parts[1]);
  });

/**
 * git: the subcommand behind the global options is another spelling of the command (`git -C x push`
 * is `git push` to a rule "git push*"); `-c` settings that run programs are judged as the programs,
 * aliases defined on the line are judged as what they expand to, settings the gate does not know are unsure.
 */
function git(command: FoundCommand, args: ShellText[], context: RunContext, sink: ScanSink): void {
  const aliases = new Map<string, ShellText>();
  const options = readOptions(GIT_OPTIONS, args);
  if (!options) return sink.unsure(context.source, "git with an option the gate does not know");
  for (const { option, value } of options.given) {
    if (option === "-C" && value) sink.folder(value);
    if (option === "--exec-path" && value) sink.unsure(context.source, "git runs its programs from another folder");
    if (option !== "-c" && option !== "--config-env") continue;
    const setting = literalOf(value ?? [HOLE]);
    const eq = setting?.indexOf("=") ?? -1;
    if (setting === undefined) {
      sink.unsure(context.source, "a git setting known only when it runs");
      continue;
    }
    const key = (eq < 0 ? setting : setting.slice(0, eq)).toLowerCase();
    // --config-env takes the value from a variable: only the running shell knows it.
    const text: ShellText = option === "--config-env" || eq < 0 ? [HOLE] : [setting.slice(eq + 1)];
    if (key.startsWith("alias.")) aliases.set(key.slice("alias.".length), text);
    else if (key === "core.fsmonitor" && /^(true|false|)$/.test(literalOf(text) ?? "x")) continue;
    else if (keyMatches(key, GIT_COMMAND_KEYS)) sink.script(text, context);
    else if (!keyMatches(key, GIT_HARMLESS_KEYS)) sink.unsure(context.source, `git setting ${key} may make git run a program`);
  }
  const rest = args.slice(options.next);
  if (!rest.length) return;
  if (options.next > 0) sink.spelling(command, joinWords([["git"], ...rest]));
  const sub = literalOf(rest[0] as ShellText);
  if (sub === undefined) return aliases.size ? sink.unsure(context.source, "a git subcommand known only when it runs") : undefined;
  const alias = aliases.get(sub.toLowerCase());
  if (alias) {
    const value = literalOf(alias);
    if (value === undefined) return sink.unsure(context.source, "a git alias known only when it runs");
    if (value.startsWith("!")) {
      const more = rest.slice(1).map((w) => literalOf(w));
      if (more.some((w) => w === undefined)) return sink.unsure(context.source, "a git alias with arguments known only when it runs");
      return sink.script([[value.slice(1), ...more.map((w) => shellQuoted(w as string))].join(" ")], context);
    }
    const words = sink.splitWords(value);
    if (!words) return sink.unsure(context.source, "a git alias the gate cannot split");
    // git with the same settings, the alias expanded: an alias of an alias is read the same way
    // (one that loops runs into the wrapping bound and is unsure).
    return sink.run([["git"], ...args.slice(0, options.next), ...words, ...rest.slice(1)], context);
  }
  gitSubcommand(sub, rest.slice(1), context, sink);
}

/** A git subcommand's options that carry a script (`rebase --exec`), and `submodule foreach` / `bisect run`. */
function gitSubcommand(sub: string, args: ShellText[], context: RunContext, sink: ScanSink): void {
  const known = GIT_SUBCOMMAND_SCRIPTS[sub];
  if (!known) return;
  if (known.rest === "script" && literalOf(args[0] ?? []) === "foreach") {
    const body = args.slice(1).filter((w) => !["--recursive", "--quiet", "-q"].includes(literalOf(w) ?? ""));
    return body.length ? sink.script(joinWords(body), context) : undefined;
  }
  if (known.rest === "command" && literalOf(args[0] ?? []) === "run") return args.length > 1 ? sink.run(args.slice(1), context) : undefined;
  for (let i = 0; i < args.length; i++) {
    const word = literalOf(args[i] as ShellText) ?? "";
    for (const option of known.options ?? []) {
      if (word === option) sink.script(args[i + 1] ?? [""], context);
      else if (word.startsWith(`${option}=`) || (option.length === 2 && word.startsWith(option) && word.length > 2)) sink.script([word.slice(option.length + (word[option.length] === "=" ? 1 : 0))], context);
    }
  }
}

/** Unknown global options before a package manager's subcommand: past this many, where it starts is unsure. */
const MAX_UNKNOWN_OPTIONS = 3;

/**
 * npm, pnpm, yarn, bun and their runners: the subcommand behind the global options is another spelling
 * (`npm --prefix x publish` is `npm publish`); an option the table does not know may or may not take
 * the next word, so both readings are spellings. What `npm exec`, `npx`, `pnpm dlx` … run is a command.
 */
function packageManager(program: string, manager: PackageManager, command: FoundCommand, args: ShellText[], context: RunContext, sink: ScanSink): void {
  if (manager.runsCommand) return runner(program, manager, args, context, sink);
  const starts = subcommandStarts(manager, args, context, sink);
  if (!starts) return sink.unsure(context.source, `${program} with options the gate cannot place`);
  for (const start of starts) {
    const rest = args.slice(start);
    if (!rest.length) continue;
    if (start > 0) sink.spelling(command, joinWords([[program], ...rest]));
    const sub = literalOf(rest[0] as ShellText);
    if (sub !== undefined && manager.runners.includes(sub)) runner(`${program} ${sub}`, manager, rest.slice(1), context, sink);
    if (program === "bun" && sub === "exec") sink.script(joinWords(rest.slice(1)), context);
  }
}

/** Where the subcommand may start, given options the table may not know. */
function subcommandStarts(manager: PackageManager, args: ShellText[], context: RunContext, sink: ScanSink): number[] | undefined {
  let starts = [0];
  const done: number[] = [];
  for (let round = 0; starts.length; round++) {
    if (round > MAX_UNKNOWN_OPTIONS) return undefined;
    const next: number[] = [];
    for (const start of starts) {
      let i = start;
      for (; i < args.length; i++) {
        const word = literalOf(args[i] as ShellText);
        if (word === undefined) return undefined;
        if (word === "--" || !word.startsWith("-")) break;
        const option = word.includes("=") ? word.slice(0, word.indexOf("=")) : word;
        if (manager.programOptions?.includes(option)) sink.script(word.includes("=") ? [word.slice(word.indexOf("=") + 1)] : (args[i + 1] ?? [""]), context);
        if (manager.withValue.includes(word)) i++;
        else if (!manager.flags.includes(option) && !word.includes("=") && !manager.withValue.includes(option)) {
          next.push(i + 2); // it took the next word as its value…
          continue; // …or it did not: read on
        }
      }
      done.push(i < args.length && literalOf(args[i] as ShellText) === "--" ? i + 1 : i);
    }
    starts = next;
  }
  return [...new Set(done)];
}

/** `npx CMD`, `npm exec -- CMD`, `pnpm dlx CMD`: the program is judged as a command; `-c '…'` as a script. */
function runner(name: string, manager: PackageManager, args: ShellText[], context: RunContext, sink: ScanSink): void {
  const shellMode: OptionSyntax = { withValue: manager.withValue, flags: [...manager.flags, "-c", "--shell-mode"] };
  const pnpmExec = name === "pnpm exec";
  const options = readOptions(pnpmExec ? shellMode : manager, args);
  if (!options) return sink.unsure(context.source, `${name} with an option the gate does not know`);
  for (const g of options.given) {
    if (manager.scriptOptions.includes(g.option) || manager.programOptions?.includes(g.option)) sink.script(g.value ?? [""], context);
  }
  const rest = args.slice(options.next);
  if (!rest.length) return;
  if (pnpmExec && options.given.some((g) => g.option === "-c" || g.option === "--shell-mode")) return sink.script(joinWords(rest), context);
  sink.run(rest, context);
}

/** A word as a shell reads it back, whatever it holds. */
function shellQuoted(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
