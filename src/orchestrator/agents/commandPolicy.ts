/**
 * OpenCode's permission rules, applied to commands the orchestrator runs itself (background jobs,
 * plan-given acceptance checks), so they are decided as the bash tool's commands are: the same
 * configuration, the last matching rule wins, and every command the line would run is judged
 * (shellCommands.ts finds them with a real shell parser), the strictest answer counting. Where the
 * line holds text only the running shell knows, a rule that could match it counts: a command the
 * gate cannot read at all is allowed only where every command would be, denied where every command
 * would be, and asked about otherwise. A guard, not a sandbox: what a script file or a program does
 * inside is not seen (docs/security.md).
 */
import { matchesAll, matchesSome } from "./holeMatching";
import type { CommandScan } from "./shellCommands";
import { literalOf, type ShellText } from "./shellWords";

export type PermissionAction = "allow" | "ask" | "deny";

export interface PermissionRule {
  permission: string;
  pattern: string;
  action: PermissionAction;
}

const ACTIONS = new Set<string>(["allow", "ask", "deny"]);
const isAction = (value: unknown): value is PermissionAction => typeof value === "string" && ACTIONS.has(value);

/** What OpenCode allows and asks when no configuration says otherwise (its agents' defaults). */
export const OPENCODE_DEFAULT_RULES: readonly PermissionRule[] = [
  { permission: "*", pattern: "*", action: "allow" },
  { permission: "external_directory", pattern: "*", action: "ask" },
  { permission: "doom_loop", pattern: "*", action: "ask" },
];

/** OpenCode's `permission` configuration (a string, or per-permission strings or pattern maps) as ordered rules, after its defaults. */
export function permissionRules(config: unknown): PermissionRule[] {
  const rules: PermissionRule[] = [...OPENCODE_DEFAULT_RULES];
  if (isAction(config)) return [...rules, { permission: "*", pattern: "*", action: config }];
  if (!config || typeof config !== "object") return rules;
  for (const [permission, value] of Object.entries(config as Record<string, unknown>)) {
    if (isAction(value)) rules.push({ permission, pattern: "*", action: value });
    else if (value && typeof value === "object") {
      for (const [pattern, action] of Object.entries(value as Record<string, unknown>)) if (isAction(action)) rules.push({ permission, pattern, action });
    }
  }
  return rules;
}

/** OpenCode's wildcard: `*` any text, `?` one character; "cmd *" also matches "cmd" alone. */
export function wildcardMatch(text: string, pattern: string): boolean {
  let compiled = compiledPatterns.get(pattern);
  if (!compiled) {
    const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
    const body = escaped.endsWith(" .*") ? `${escaped.slice(0, -3)}( .*)?` : escaped;
    compiled = new RegExp(`^${body}$`, "s");
    // Rules are few and stable; a bound keeps a stream of odd patterns from growing it.
    if (compiledPatterns.size > 1000) compiledPatterns.clear();
    compiledPatterns.set(pattern, compiled);
  }
  return compiled.test(text);
}

const compiledPatterns = new Map<string, RegExp>();

const STRICTNESS: Record<PermissionAction, number> = { allow: 0, ask: 1, deny: 2 };

/** The last rule for `permission` that matches `pattern`; OpenCode asks when none does. */
export function evaluate(rules: readonly PermissionRule[], permission: string, pattern: string): { action: PermissionAction; rule?: PermissionRule } {
  for (let i = rules.length - 1; i >= 0; i--) {
    const rule = rules[i] as PermissionRule;
    if (wildcardMatch(permission, rule.permission) && wildcardMatch(pattern, rule.pattern)) return { action: rule.action, rule };
  }
  return { action: "ask" };
}

/** A rule that matches any text: it says nothing about one spelling in particular. */
const isCatchAll = (rule: PermissionRule) => /^\*+$/.test(rule.pattern);

/**
 * How the rules answer a text that may hold holes: every answer a matching rule could give, from the
 * last rule back to the first that matches whatever the holes hold. One answer: that one. Several:
 * deny where the rule that surely matches denies, else ask. `namedOnly` (another spelling of a
 * command): only rules that name something count; an answer from a catch-all alone is no answer.
 */
export function judge(rules: readonly PermissionRule[], permission: string, text: ShellText, namedOnly = false): { action?: PermissionAction; rule?: PermissionRule } {
  // Each answer a rule could give, with the last rule that gives it (none: OpenCode's own ask).
  const possible = new Map<PermissionAction, PermissionRule | undefined>();
  let named = false;
  let sure: { action: PermissionAction; rule?: PermissionRule } = { action: "ask" };
  const literal = literalOf(text);
  for (let i = rules.length - 1; i >= 0; i--) {
    const rule = rules[i] as PermissionRule;
    if (!wildcardMatch(permission, rule.permission)) continue;
    const all = literal !== undefined ? wildcardMatch(literal, rule.pattern) : matchesAll(rule.pattern, text);
    if (!all && (literal !== undefined || !matchesSome(rule.pattern, text))) continue;
    named ||= !isCatchAll(rule);
    if (!possible.has(rule.action)) possible.set(rule.action, rule);
    if (all) {
      sure = { action: rule.action, rule };
      break;
    }
  }
  if (namedOnly && !named) return {};
  if (!sure.rule && !possible.has("ask")) possible.set("ask", undefined);
  const [only, ...others] = possible;
  if (only && !others.length) return only[1] ? { action: only[0], rule: only[1] } : { action: only[0] };
  return sure.action === "deny" ? sure : { action: "ask" };
}

export interface CommandDecision {
  action: PermissionAction;
  /** The command that decided (as written in the line). */
  part?: string;
  rule?: PermissionRule;
  /** Why the gate could not tell what that part runs. */
  unsure?: string;
}

/** How the bash rules decide what a scanned line runs: the strictest answer among its commands and their spellings. */
export function decideScan(rules: readonly PermissionRule[], scan: CommandScan): CommandDecision {
  let worst: CommandDecision = { action: "allow" };
  for (const command of scan.commands) {
    const texts: Array<[ShellText, boolean]> = [[command.text, false], ...command.spellings.map((s): [ShellText, boolean] => [s, true])];
    for (const [text, namedOnly] of texts) {
      const judged = judge(rules, "bash", text, namedOnly);
      if (!judged.action || STRICTNESS[judged.action] <= STRICTNESS[worst.action]) continue;
      worst = { action: judged.action, part: command.source, ...(judged.rule ? { rule: judged.rule } : {}), ...(command.unsure ? { unsure: command.unsure } : {}) };
    }
  }
  return worst;
}
