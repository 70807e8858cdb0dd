/**
 * Shell words as the shell reads them: quotes removed, escapes resolved, and a hole wherever only the
 * running shell knows the text (a variable, a command's output, a glob, a brace expansion). The gate
 * matches rules against these texts; a hole matches whatever a rule could want it to.
 */
import type { SyntaxNode } from "./shellSyntax";

/** Text only the running shell knows. */
export const HOLE: unique symbol = Symbol("text only the shell knows");
export type Piece = string | typeof HOLE;
/** Literal strings and holes, in order; adjacent strings merged. */
export type ShellText = readonly Piece[];

/** Appends pieces, merging adjacent strings and dropping empty ones. */
export function concat(...texts: ShellText[]): Piece[] {
  const out: Piece[] = [];
  for (const text of texts) {
    for (const piece of text) {
      if (piece === "") continue;
      const last = out.length - 1;
      if (typeof piece === "string" && typeof out[last] === "string") out[last] = (out[last] as string) + piece;
      else out.push(piece);
    }
  }
  return out;
}

/** Words joined as a command line is matched: one space between. */
export function joinWords(words: readonly ShellText[]): Piece[] {
  return concat(...words.flatMap((word, i) => (i ? [[" "], word] : [word])));
}

/** The text when it has no hole. */
export function literalOf(text: ShellText): string | undefined {
  if (text.some((p) => p === HOLE)) return undefined;
  return text.join("");
}

/** A brace expansion in a word's unquoted text: `{a,b}`, `{1..3}` (quoted pieces show as \0 and never count). */
const BRACE_EXPANSION = /\{[^{}\0]*(?:,|\.\.)[^{}\0]*\}/;

/** A word (or a command name, a string, a concatenation) as the shell reads it. */
export function wordOf(node: SyntaxNode): Piece[] {
  switch (node.type) {
    case "command_name":
      return node.firstNamedChild ? wordOf(node.firstNamedChild) : [HOLE];
    case "word":
      return BRACE_EXPANSION.test(node.text) ? [HOLE] : unquotedWord(node.text);
    case "number":
      return [node.text];
    case "raw_string":
      return [node.text.slice(1, -1)];
    case "string":
      return doubleQuoted(node);
    case "translated_string":
      return node.firstNamedChild ? doubleQuoted(node.firstNamedChild) : [HOLE];
    case "ansi_c_string":
      return ansiC(node.text.slice(2, -1));
    case "concatenation": {
      const shape = node.children.map((c) => (c.type === "word" ? c.text : "\0")).join("");
      if (BRACE_EXPANSION.test(shape)) return [HOLE];
      return concat(...node.children.map((c) => (c.type === "word" ? unquotedWord(c.text) : wordOf(c))));
    }
    default:
      // An expansion, a substitution, a glob the grammar names: only the running shell knows it.
      return [HOLE];
  }
}

/** Unquoted text: backslashes escape the next character, globs are holes. */
function unquotedWord(text: string): Piece[] {
  const out: Piece[] = [];
  let literal = "";
  const flush = () => {
    if (literal) out.push(literal);
    literal = "";
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === "\\") {
      const next = text[++i];
      if (next !== undefined && next !== "\n") literal += next;
    } else if (c === "*" || c === "?" || (c === "[" && text.indexOf("]", i + 2) > 0)) {
      flush();
      if (out.at(-1) !== HOLE) out.push(HOLE);
      if (c === "[") i = text.indexOf("]", i + 2);
    } else literal += c;
  }
  flush();
  return out;
}

/** Inside double quotes: `\` escapes only `$`, `` ` ``, `"`, `\` and a newline; expansions are holes. */
function doubleQuoted(node: SyntaxNode): Piece[] {
  const source = node.text;
  const start = node.startIndex;
  const pieces: Piece[][] = [];
  let at = start + 1;
  for (const child of node.children) {
    if (child.startIndex < at || child.endIndex > node.endIndex - 1) continue; // the quotes
    if (child.startIndex > at) pieces.push([unescapeDoubleQuoted(source.slice(at - start, child.startIndex - start))]);
    pieces.push(child.type === "string_content" ? [unescapeDoubleQuoted(child.text)] : [HOLE]);
    at = child.endIndex;
  }
  if (node.endIndex - 1 > at) pieces.push([unescapeDoubleQuoted(source.slice(at - start, node.endIndex - 1 - start))]);
  return concat(...pieces);
}

function unescapeDoubleQuoted(text: string): string {
  return text.replace(/\\([$`"\\\n])/g, (_, c: string) => (c === "\n" ? "" : c));
}

const C_ESCAPES: Record<string, string> = { a: "\x07", b: "\b", e: "\x1b", E: "\x1b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v", "\\": "\\", "'": "'", '"': '"', "?": "?" };

/** `$'…'`: C escapes resolved; one the shell reads in a way this does not (`\c`) makes it a hole. */
function ansiC(body: string): Piece[] {
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c !== "\\") {
      out += c;
      continue;
    }
    const e = body[++i] ?? "";
    const simple = C_ESCAPES[e];
    let match: RegExpExecArray | null;
    if (simple !== undefined) out += simple;
    else if ((match = /^[0-7]{1,3}/.exec(body.slice(i)))) {
      out += String.fromCharCode(parseInt(match[0], 8) & 0xff);
      i += match[0].length - 1;
    } else if ((match = /^(?:x([0-9a-fA-F]{1,2})|u([0-9a-fA-F]{1,4})|U([0-9a-fA-F]{1,8}))/.exec(body.slice(i)))) {
      const code = parseInt((match[1] ?? match[2] ?? match[3]) as string, 16);
      if (code > 0x10ffff) return [HOLE];
      out += String.fromCodePoint(code);
      i += match[0].length - 1;
    } else return [HOLE];
  }
  return [out];
}

/** A here-document's text as the shell feeds it: literal when its delimiter is quoted, else undefined if it expands anything. */
export function hereDocument(redirect: SyntaxNode): string | undefined {
  const start = redirect.children.find((c) => c.type === "heredoc_start");
  const body = redirect.children.find((c) => c.type === "heredoc_body");
  if (!start) return undefined;
  const stripTabs = redirect.children.some((c) => c.type === "<<-");
  const quoted = /['"\\]/.test(start.text);
  let text = body?.text ?? "";
  if (!quoted) {
    if (body?.namedChildren.some((c) => c.type !== "heredoc_content")) return undefined;
    text = text.replace(/\\([$`\\\n])/g, (_, c: string) => (c === "\n" ? "" : c));
  }
  return stripTabs ? text.replace(/^\t+/gm, "") : text;
}
