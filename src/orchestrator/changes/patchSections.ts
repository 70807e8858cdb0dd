/**
 * One unified diff of many files, split back into each file's part: a review batch of thirty TODOs
 * costs one `git diff-tree -p`, not thirty. A part is found by its `diff --git a/<path> b/<path>`
 * header, spelled as git spells it; a header that matches no path asked for is left out, and the
 * caller reads that path's diff on its own.
 */

/** The header git writes before a path's part (`--no-renames`, no prefix options, `core.quotePath=false`). */
export function diffHeader(path: string): string {
  return `diff --git ${quoted(`a/${path}`)} ${quoted(`b/${path}`)}`;
}

/** Git's C-style quoting (quote.c): only control bytes, `"` and `\` force it when core.quotePath is false. */
function quoted(name: string): string {
  let out = "";
  let must = false;
  for (const byte of Buffer.from(name, "utf8")) {
    const letter = ESCAPES[byte];
    if (letter) {
      out += `\\${letter}`;
      must = true;
    } else if (byte < 0x20 || byte === 0x7f) {
      out += `\\${byte.toString(8).padStart(3, "0")}`;
      must = true;
    } else out += String.fromCharCode(byte);
  }
  // Bytes at or over 0x80 were copied one by one: decode them back as the UTF-8 git prints.
  return must ? `"${Buffer.from(out, "latin1").toString("utf8")}"` : name;
}

const ESCAPES: Partial<Record<number, string>> = { 0x07: "a", 0x08: "b", 0x09: "t", 0x0a: "n", 0x0b: "v", 0x0c: "f", 0x0d: "r", 0x22: '"', 0x5c: "\\" };

/** Each path's part of `patch` (in git's order), for the paths asked for whose header was found. */
export function splitPatch(patch: string, paths: readonly string[]): Map<string, string> {
  const byHeader = new Map(paths.map((p) => [diffHeader(p), p]));
  const parts = new Map<string, string>();
  // A part starts at a line "diff --git …": no other line of a diff starts so (its own lines start with " ", "+", "-" or "\").
  const starts = [...patch.matchAll(/^diff --git .*$/gm)];
  starts.forEach((start, i) => {
    const path = byHeader.get(start[0]);
    if (path !== undefined) parts.set(path, patch.slice(start.index, starts[i + 1]?.index ?? patch.length));
  });
  return parts;
}

/** `text` cut at `maxBytes` (at a line end), with a note of how much was left out. */
export function cutPatch(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  const cut = text.slice(0, maxBytes);
  const kept = cut.slice(0, Math.max(0, cut.lastIndexOf("\n") + 1));
  return `${kept}[… ${Buffer.byteLength(text) - Buffer.byteLength(kept)} more bytes of diff: read the files themselves]\n`;
}
