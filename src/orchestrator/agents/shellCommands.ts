/**
 * Every command a shell command line would run, found by walking its syntax tree: the simple
 * commands in pipelines, lists, groups, subshells, loops, conditionals, function bodies (judged
 * whether or not they are called) and `$(…)`/backtick/process substitutions; the scripts of nested
 * shells (`sh -c`, a here-document or here-string fed to a shell, `eval`, `trap`), and what wrappers,
 * `find -exec`, `xargs`, git aliases and package runners start (commandRunners.ts). What the walk
 * cannot know is reported as unsure, never guessed: a command name only the shell knows, text the
 * parser could not read, a shell fed from a pipe, a sourced file, an alias.
 */
import type { Parser } from "web-tree-sitter";
import { COMMAND_VARIABLES, FOREIGN_SHELLS, HIDDEN_COMMAND_VARIABLES, SHELLS } from "./commandTools";
import { runsInTurn } from "./commandRunners";
import { withSyntaxTree, type SyntaxNode } from "./shellSyntax";
import { HOLE, concat, hereDocument, joinWords, literalOf, wordOf, type ShellText } from "./shellWords";

/** One command the line would run, as the rules see it. */
export interface FoundCommand {
  /** Its words as the shell reads them (assignments and redirections left out), holes where only the shell knows. */
  text: ShellText;
  /** The same command as a rule may also name it (`rm` for `/bin/rm`, `git push` for `git -C x push`): judged only by rules that name it. */
  spellings: ShellText[];
  /** Where it stands in the line, for the agent's and the user's messages. */
  source: string;
  /** Why the gate cannot tell what runs here; such a command is judged as any command at all. */
  unsure?: string;
}

/** What a command line would do, as far as its text tells. */
/** An argument or a redirection target: it may name a path. */
export interface PathWord {
  word: ShellText;
  /** The folders changed into before it, from the start (`cd a && cd b && cat x`); absent: any the line may be in. */
  from?: ShellText[];
}

export interface CommandScan {
  commands: FoundCommand[];
  words: PathWord[];
  /** Folders the line changes into (`cd`, `git -C`, `env -C`): relative paths may be read from any of them. */
  folders: ShellText[];
}

/** Where a shell's commands come from when it reads its input: a script the line shows, a pipe, a file. */
type Input = { script: string } | "pipe" | "file" | "unknown";

interface Context {
  /** Nested shells so far. */
  depth: number;
  /** The input of the commands here; absent: the job's own (empty). */
  input?: Input;
  /** Where the commands here surely run: after `cd a &&` (absent: wherever the line may be). */
  from?: ShellText[];
}

/** Shells inside shells deeper than this are not read: no honest script needs `sh -c "sh -c '…'"` three times over. */
export const MAX_SHELL_DEPTH = 3;
/** Programs inside programs (`sudo nice timeout 5 env rm`) deeper than this are not read. */
const MAX_WRAPPING = 8;

/** Words that begin or end a block: as a command name they mean the parser misread the line. */
const RESERVED = new Set(["{", "}", "(", ")", "if", "then", "else", "elif", "fi", "do", "done", "case", "esac", "in", "while", "until", "for", "function", "select", "!", "[[", "]]"]);

/** What runs in turn (commandRunners.ts) may report back through this. */
export interface ScanSink {
  /** A command to judge in its own right (what a wrapper starts). */
  run(words: ShellText[], context: RunContext): void;
  /** A shell script to read (a nested shell's, an option's value). */
  script(text: ShellText, context: RunContext): void;
  unsure(source: string, why: string): void;
  /** Another spelling of the command being judged. */
  spelling(command: FoundCommand, text: ShellText): void;
  folder(word: ShellText): void;
  /** A variable set for a command (`env NAME=value cmd`). */
  variable(name: string, value: ShellText, context: RunContext): void;
  /** The words of a short command line written as one text (`env -S`, a git alias); undefined when it is more than words. */
  splitWords(text: string): ShellText[] | undefined;
}

export interface RunContext {
  source: string;
  level: number;
  depth: number;
  input?: Input;
  from?: ShellText[];
}

/** Finds what `script` would run. `parser` comes from shellParser(). */
export function scanCommandLine(parser: Parser, script: string): CommandScan {
  const scanner = new CommandScanner(parser);
  scanner.readScript(script, { depth: 0 });
  return scanner.scan;
}

class CommandScanner implements ScanSink {
  readonly scan: CommandScan = { commands: [], words: [], folders: [] };
  /** An `exec` gave the line's commands another input than the job's. */
  private inputReplaced = false;

  constructor(private readonly parser: Parser) {}

  readScript(script: string, context: Context): void {
    if (context.depth > MAX_SHELL_DEPTH) return this.unsure(script, `shells nested more than ${MAX_SHELL_DEPTH} deep`);
    withSyntaxTree(this.parser, script, (root) => {
      // Text the parser could not read is asked about; what it did read is judged all the same.
      if (root.hasError) this.unsure(script, "the shell parser cannot read all of it");
      this.walk(root, context);
    });
  }

  private walk(node: SyntaxNode, context: Context): void {
    switch (node.type) {
      case "command":
        return this.command(node, context);
      case "redirected_statement":
        return this.redirected(node, context);
      case "list":
        return this.list(node, context);
      case "pipeline":
        // Each command after a `|` reads the one before it.
        node.namedChildren.forEach((child, i) => this.walk(child, i > 0 ? { ...context, input: "pipe" } : context));
        return;
      case "variable_assignment":
        this.assignment(node, context);
        break;
      case "declaration_command":
      case "unset_command":
        this.declaration(node, context);
        break;
      case "ERROR":
        this.unsure(node.text, "the shell parser cannot read it");
        break;
    }
    if (node.isMissing) this.unsure(node.parent?.text ?? node.text, "the shell parser finds something missing");
    for (const child of node.namedChildren) this.walk(child, context);
  }

  /** `a && b`: b runs only where a succeeded, so after `cd x &&` it surely runs in x. */
  private list(node: SyntaxNode, context: Context): void {
    // Every part after the first (a comment may stand between them) is the right-hand side.
    const [left, ...right] = node.namedChildren;
    if (left) this.walk(left, context);
    const operator = node.children.find((c) => !c.isNamed)?.type;
    const from = operator === "&&" && left ? movedTo(left, context.from ?? []) : undefined;
    for (const part of right) this.walk(part, from ? { ...context, from } : context);
  }

  private redirected(node: SyntaxNode, context: Context): void {
    const body = node.childForFieldName("body");
    let input = context.input;
    for (const child of node.namedChildren) {
      if (child.equals(body as SyntaxNode)) continue;
      input = this.redirect(child, context) ?? input;
    }
    // `exec <file` with no command replaces the input of every command after it.
    if (body && input !== context.input && isBareExec(body)) this.inputReplaced = true;
    if (body) this.walk(body, { ...context, input });
  }

  /** A redirection's target is a path to check; one that feeds the command's input says what it feeds. */
  private redirect(node: SyntaxNode, context: Context): Input | undefined {
    for (const child of node.namedChildren) this.walk(child, { ...context, input: undefined });
    if (node.type === "heredoc_redirect") {
      const text = hereDocument(node);
      return text === undefined ? "unknown" : { script: text };
    }
    if (node.type === "herestring_redirect") {
      const word = node.namedChildren[0];
      const text = word ? literalOf(wordOf(word)) : undefined;
      return text === undefined ? "unknown" : { script: `${text}\n` };
    }
    if (node.type !== "file_redirect") return undefined;
    const operator = node.children.find((c) => !c.isNamed)?.type ?? "";
    const destination = node.childForFieldName("destination") ?? node.namedChildren.at(-1);
    const fd = node.childForFieldName("descriptor")?.text;
    // `>&2`, `2>&1`, `<&-` name descriptors, not files.
    if (destination && !((operator === ">&" || operator === "<&") && /^(\d+|-)$/.test(destination.text))) this.scan.words.push(pathWord(wordOf(destination), context.from));
    const reads = operator === "<" || operator === "<&" || operator === "<>";
    return reads && (fd === undefined || fd === "0") ? (operator === "<" ? "file" : "unknown") : undefined;
  }

  private command(node: SyntaxNode, context: Context): void {
    const words: ShellText[] = [];
    let input = context.input;
    for (const child of node.namedChildren) {
      if (child.type === "variable_assignment") this.walk(child, { ...context, input: undefined });
      else if (child.type.endsWith("_redirect")) input = this.redirect(child, context) ?? input;
      else if (isDescriptor(child)) continue;
      else {
        words.push(wordOf(child));
        // What a word expands first runs first: `$(…)` inside it.
        this.walk(child, { ...context, input: undefined });
      }
    }
    if (input !== context.input && isBareExec(node)) this.inputReplaced = true;
    this.run(words, { source: node.text, level: 0, depth: context.depth, input, ...(context.from ? { from: context.from } : {}) });
  }

  /** `NAME=value` before a command or alone: a value some program runs as a command is judged as one. */
  private assignment(node: SyntaxNode, context: Context): void {
    const name = node.childForFieldName("name")?.text ?? "";
    const value = node.childForFieldName("value");
    this.variable(name, value ? wordOf(value) : [""], { source: node.text, level: 0, depth: context.depth });
  }

  variable(name: string, value: ShellText, context: RunContext): void {
    if (HIDDEN_COMMAND_VARIABLES.has(name)) this.unsure(context.source, `${name} makes programs run what the line does not show`);
    else if (COMMAND_VARIABLES.has(name) && value.length) this.script(value, context);
  }

  /** `export A=1`, `local x`, `unset y`: a command of its own; its assignments are walked as any. */
  private declaration(node: SyntaxNode, context: Context): void {
    const words = node.children.filter((c) => !c.isNamed || c.type === "word" || c.type === "variable_name" || c.type === "variable_assignment").map((c) => [c.text]);
    this.run(words, { source: node.text, level: 0, depth: context.depth });
  }

  run(words: ShellText[], context: RunContext): void {
    if (!words.length) return;
    if (context.level > MAX_WRAPPING) return this.unsure(context.source, "programs wrapped in one another too deep");
    this.scan.words.push(...words.slice(1).map((w) => pathWord(w, context.from)));
    const name = literalOf(words[0] as ShellText);
    if (name === undefined) return this.unsure(context.source, "its command name is known only when it runs");
    if (RESERVED.has(name)) return this.unsure(context.source, "the shell parser read a block word as a command");
    const program = name.slice(name.lastIndexOf("/") + 1);
    const found: FoundCommand = { text: joinWords(words), spellings: [], source: context.source };
    if (program !== name) found.spellings.push(joinWords([[program], ...words.slice(1)]));
    this.scan.commands.push(found);
    const args = words.slice(1);
    if (SHELLS.has(program)) return this.shell(args, context);
    if (FOREIGN_SHELLS.has(program)) return this.unsure(context.source, `${program} scripts are not shell the gate can read`);
    runsInTurn(program, found, args, context, this);
  }

  /** `sh -c SCRIPT`, `sh -s`/`sh` reading its input, `sh FILE` (a script file: not seen). */
  private shell(args: ShellText[], context: RunContext): void {
    let commandMode = false;
    let fromInput = false;
    let i = 0;
    for (; i < args.length; i++) {
      const word = literalOf(args[i] as ShellText);
      if (word === undefined) return this.unsure(context.source, "a shell's option is known only when it runs");
      if (word === "--" || word === "-") {
        i++;
        break;
      }
      if (!/^[-+]/.test(word)) break;
      if (word.startsWith("--")) {
        if (["--rcfile", "--init-file"].includes(word)) i++;
        continue;
      }
      for (let j = 1; j < word.length; j++) {
        const letter = word[j] as string;
        if (letter === "c") commandMode = true;
        else if (letter === "s") fromInput = true;
        else if (letter === "o" || letter === "O") {
          i++; // the option's name is the next word
          break;
        } else if (!/[a-zA-Z]/.test(letter)) return this.unsure(context.source, `a shell option ${word} the gate does not know`);
      }
    }
    const operands = args.slice(i);
    if (commandMode) return operands[0] ? this.script(operands[0], context) : undefined;
    if (operands.length && !fromInput) return; // a script file: what it does inside is not seen
    const input = context.input ?? (this.inputReplaced ? "unknown" : undefined);
    if (input === undefined || input === "file") return; // the job's own input (empty), or a script file
    if (input === "pipe" || input === "unknown") return this.unsure(context.source, "a shell reads its commands from a pipe or other input the line does not show");
    this.readScript(input.script, { depth: context.depth + 1 });
  }

  /** A script run by a shell one level down (`sh -c`, `eval`, a variable some program runs). */
  script(text: ShellText, context: RunContext): void {
    const literal = literalOf(text);
    if (literal === undefined) return this.unsure(context.source, "a script known only when it runs");
    this.readScript(literal, { depth: context.depth + 1, input: context.input });
  }

  unsure(source: string, why: string): void {
    this.scan.commands.push({ text: [HOLE], spellings: [], source, unsure: why });
  }

  spelling(command: FoundCommand, text: ShellText): void {
    command.spellings.push(text);
  }

  folder(word: ShellText): void {
    this.scan.folders.push(word);
  }

  splitWords(text: string): ShellText[] | undefined {
    return withSyntaxTree(this.parser, text, (root) => {
      const only = root.namedChildren;
      if (root.hasError || only.length !== 1 || only[0]?.type !== "command") return undefined;
      const parts = only[0].namedChildren;
      if (parts.some((p) => p.type === "variable_assignment" || p.type.endsWith("_redirect"))) return undefined;
      return parts.map((p) => concat(wordOf(p)));
    });
  }
}

/** `exec` with redirections only: they stay for the rest of the script. */
function isBareExec(node: SyntaxNode): boolean {
  if (node.type !== "command") return false;
  const words = node.namedChildren.filter((c) => c.type !== "variable_assignment" && !c.type.endsWith("_redirect") && !isDescriptor(c));
  return words.length === 1 && words[0]?.text === "exec";
}

/** `0` in `exec 0<<<text`: the grammar reads a here-string's descriptor as a word of its own. */
function isDescriptor(node: SyntaxNode): boolean {
  const next = node.nextSibling;
  return node.type === "number" && next !== null && next.type.endsWith("_redirect") && next.startIndex === node.endIndex;
}

const pathWord = (word: ShellText, from: ShellText[] | undefined): PathWord => (from ? { word, from } : { word });

/** Where a command leaves the line when it succeeds: `cd x`, `cd a && cd b`; undefined when it does not move. */
function movedTo(node: SyntaxNode, from: ShellText[]): ShellText[] | undefined {
  if (node.type === "redirected_statement") return node.childForFieldName("body") ? movedTo(node.childForFieldName("body") as SyntaxNode, from) : undefined;
  if (node.type === "list" && node.children.find((c) => !c.isNamed)?.type === "&&") {
    const [left, right] = node.namedChildren.filter((c) => c.type !== "comment");
    const afterLeft = (left && movedTo(left, from)) ?? from;
    return (right && movedTo(right, afterLeft)) ?? (afterLeft === from ? undefined : afterLeft);
  }
  if (node.type !== "command") return undefined;
  const words = node.namedChildren.filter((c) => c.type !== "variable_assignment" && !c.type.endsWith("_redirect")).map(wordOf);
  const name = words[0] && literalOf(words[0]);
  if (name !== "cd" && name !== "pushd") return undefined;
  const targets = words.slice(1).filter((w) => !/^-[LPe@]*$/.test(literalOf(w) ?? "x"));
  return targets.length === 1 ? [...from, targets[0] as ShellText] : undefined;
}
