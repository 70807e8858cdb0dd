/**
 * SVG elements built with createElementNS and textContent, never markup: nothing a model wrote can
 * become an element, and the strict CSP (no inline styles) holds because looks are classes and
 * presentation attributes.
 */
const SVG_NS = "http://www.w3.org/2000/svg";

export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}, ...children: Array<Node | string>): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  node.append(...children);
  return node;
}

/** A status or role as a class name part (they arrive as free strings). */
export const classPart = (value: string): string => value.replace(/[^A-Za-z0-9_-]/g, "") || "unknown";

/** `text` cut to `max` characters with an ellipsis; the whole goes in the element's <title>. */
export const clip = (text: string, max: number): string => (text.length <= max ? text : `${text.slice(0, Math.max(max - 1, 0))}…`);
