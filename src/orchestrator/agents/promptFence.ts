/**
 * Fences for text the orchestrator did not write (the user's mission, the Planner's TODOs, a
 * Worker's report, a Reviewer's issues, a diff of workspace files) inside the prompts it sends.
 * A block opens with `<name … nonce="N">` and closes only with `</name nonce="N">`, where N is new
 * for every prompt and chosen after the text is known, so no text can close its block early and
 * speak in the orchestrator's voice (`</mission>` is just text). The text inside stays intact.
 */
import { randomBytes } from "node:crypto";

export interface Fence {
  readonly nonce: string;
  /** `text` in a block of its own; `attributes` (trusted: ids, kinds) go on the opening tag. */
  block(name: string, text: string, attributes?: Record<string, string>): string;
  /** The opening and closing tags of a block whose lines the caller assembles. */
  open(name: string, attributes?: Record<string, string>): string;
  close(name: string): string;
}

/** A fence for one prompt, whose nonce appears in none of `texts` (the untrusted parts of that prompt). */
export function fenceFor(texts: Iterable<string>): Fence {
  const all = [...texts];
  let nonce: string;
  do nonce = randomBytes(6).toString("hex");
  while (all.some((t) => t.includes(nonce)));
  const attrs = (attributes: Record<string, string> = {}) => Object.entries(attributes).map(([k, v]) => ` ${k}="${oneLine(v).replace(/"/g, "'")}"`).join("");
  const open = (name: string, attributes?: Record<string, string>) => `<${name}${attrs(attributes)} nonce="${nonce}">`;
  const close = (name: string) => `</${name} nonce="${nonce}">`;
  return { nonce, open, close, block: (name, text, attributes) => `${open(name, attributes)}\n${text}\n${close(name)}` };
}

/** One line: a title or a file name cannot start a line of its own (and pose as another field). */
export function oneLine(text: string): string {
  return text.replace(/[\r\n\u2028\u2029]+/g, " ");
}
