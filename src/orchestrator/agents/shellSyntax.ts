/**
 * The shell parser the command gate reads command lines with: tree-sitter's bash grammar (the one
 * OpenCode's own bash tool uses to find commands), compiled to WebAssembly. Loading is asynchronous
 * and done once per process; parsing after that is synchronous and takes well under a millisecond
 * for a command line. The grammar tolerates errors: a tree with ERROR or MISSING nodes is text the
 * parser could not read, and the gate treats it as such.
 *
 * Where the two .wasm files are: beside the bundle (scripts/build.mjs copies them into dist/, and
 * the VSIX ships them), else in node_modules (tests and tools run the sources).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Language, Parser, type Node } from "web-tree-sitter";

export type SyntaxNode = Node;

/** The files the parser needs, by the name the build gives them in dist/ and where each lies in node_modules. */
const WASM_FILES = {
  runtime: { name: "web-tree-sitter.wasm", module: "web-tree-sitter/web-tree-sitter.wasm" },
  bash: { name: "tree-sitter-bash.wasm", module: "tree-sitter-bash/tree-sitter-bash.wasm" },
} as const;

/** The bytes of one of the parser's files: beside this code once bundled, else from its package. */
function wasmBytes(file: (typeof WASM_FILES)[keyof typeof WASM_FILES]): Uint8Array {
  const bundled = join(__dirname, file.name);
  if (existsSync(bundled)) return readFileSync(bundled);
  let installed: string;
  try {
    installed = require.resolve(file.module);
  } catch {
    throw new Error(`The shell parser's ${file.name} is missing: it belongs beside the extension's bundle (dist/${file.name}); rebuild with \`npm run build\`.`);
  }
  return readFileSync(installed);
}

let loading: Promise<Parser> | undefined;

/** The bash parser, loaded on first use. A failure is not cached: the next call tries again. */
export function shellParser(): Promise<Parser> {
  loading ??= (async () => {
    await Parser.init({ wasmBinary: wasmBytes(WASM_FILES.runtime) });
    const bash = await Language.load(wasmBytes(WASM_FILES.bash));
    const parser = new Parser();
    parser.setLanguage(bash);
    return parser;
  })().catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

/** Parses `script` and hands its tree to `read`; the tree's memory (in WebAssembly) is freed after. */
export function withSyntaxTree<T>(parser: Parser, script: string, read: (root: SyntaxNode) => T): T {
  const tree = parser.parse(script);
  if (!tree) throw new Error("The shell parser gave no tree.");
  try {
    return read(tree.rootNode);
  } finally {
    tree.delete();
  }
}
