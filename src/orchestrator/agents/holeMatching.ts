/**
 * OpenCode's wildcard patterns (`*` any text, `?` one character, "cmd *" also "cmd" alone) against a
 * text with holes — text only the running shell knows. Two questions, answered exactly enough to be
 * safe: can the pattern match the text for some filling of its holes (`matchesSome`), and does it match
 * for every filling (`matchesAll`; a no here may be a "cannot tell", never a wrong yes).
 */
import { HOLE, type ShellText } from "./shellWords";

const STAR = 0;
const ONE = 1;
type PatternToken = typeof STAR | typeof ONE | string;
type TextToken = typeof HOLE | string;

/** Past this many steps a comparison is not made: the text counts as possibly matched, never as surely. */
const MAX_CELLS = 4_000_000;

/** The pattern's alternatives: OpenCode reads "cmd *" as "cmd" or "cmd …". */
function alternatives(pattern: string): PatternToken[][] {
  const tokens = (p: string): PatternToken[] => Array.from(p, (c) => (c === "*" ? STAR : c === "?" ? ONE : c));
  return pattern.endsWith(" *") ? [tokens(pattern), tokens(pattern.slice(0, -2))] : [tokens(pattern)];
}

function textTokens(text: ShellText): TextToken[] {
  return text.flatMap((piece): TextToken[] => (piece === HOLE ? [HOLE] : Array.from(piece)));
}

/** Whether some filling of the text's holes is matched by the pattern. */
export function matchesSome(pattern: string, text: ShellText): boolean {
  const t = textTokens(text);
  return alternatives(pattern).some((g) => intersects(g, t));
}

/** Whether every filling of the text's holes is matched by the pattern (false when that cannot be shown). */
export function matchesAll(pattern: string, text: ShellText): boolean {
  const t = textTokens(text);
  return alternatives(pattern).some((g) => covers(g, t));
}

/** dp[i][j]: pattern from i and text from j can produce one string (a hole produces any). */
function intersects(g: PatternToken[], t: TextToken[]): boolean {
  const w = t.length + 1;
  if ((g.length + 1) * w > MAX_CELLS) return true;
  const dp = new Uint8Array((g.length + 1) * w);
  for (let i = g.length; i >= 0; i--) {
    for (let j = t.length; j >= 0; j--) {
      let ok = i === g.length && j === t.length;
      const p = g[i];
      const c = t[j];
      if (!ok && p === STAR) ok = dp[(i + 1) * w + j] === 1 || (j < t.length && dp[i * w + j + 1] === 1);
      if (!ok && c === HOLE) ok = dp[i * w + j + 1] === 1 || (i < g.length && p !== STAR && dp[(i + 1) * w + j] === 1);
      if (!ok && p !== undefined && p !== STAR && c !== undefined && c !== HOLE) ok = (p === ONE || p === c) && dp[(i + 1) * w + j + 1] === 1;
      dp[i * w + j] = ok ? 1 : 0;
    }
  }
  return dp[0] === 1;
}

/** dp[i][j]: pattern from i matches text from j whatever its holes hold (only a `*` may take a hole). */
function covers(g: PatternToken[], t: TextToken[]): boolean {
  const w = t.length + 1;
  if ((g.length + 1) * w > MAX_CELLS) return false;
  const dp = new Uint8Array((g.length + 1) * w);
  for (let i = g.length; i >= 0; i--) {
    for (let j = t.length; j >= 0; j--) {
      const p = g[i];
      const c = t[j];
      let ok: boolean;
      if (p === undefined) ok = c === undefined;
      else if (p === STAR) ok = dp[(i + 1) * w + j] === 1 || (c !== undefined && dp[i * w + j + 1] === 1);
      else ok = c !== undefined && c !== HOLE && (p === ONE || p === c) && dp[(i + 1) * w + j + 1] === 1;
      dp[i * w + j] = ok ? 1 : 0;
    }
  }
  return dp[0] === 1;
}
