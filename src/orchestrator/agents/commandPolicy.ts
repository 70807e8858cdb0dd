/**
 * OpenCode's permission rules, applied to commands the orchestrator runs itself (background jobs,
 * plan-given acceptance checks), so they are decided as the bash tool's commands are: the same
 * configuration, the last matching rule wins, each part of a compound command is judged and the
 * strictest answer counts. A guard, not a sandbox: a command is judged by its text, so what a
 * script file or a `$(…)` does inside is not seen (a `sh -c '…'` script is, and git's global
 * options are seen through); text this parser cannot split is asked about whenever the rules do
 * not allow every command.
 */

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
  const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  const body = escaped.endsWith(" .*") ? `${escaped.slice(0, -3)}( .*)?` : escaped;
  return new RegExp(`^${body}$`, "s").test(text);
}

/**
 * The simple commands of a shell command line: split at `;`, `&&`, `||`, `|`, `&` and newlines
 * outside quotes. Undefined when the line holds what only a shell can resolve (command or process
 * substitution, an unterminated quote): then nobody can say from its text what it runs.
 */
export function splitCommand(command: string): string[] | undefined {
  const parts: string[] = [];
  let current = "";
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < command.length; i++) {
    const c = command[i] as string;
    const next = command[i + 1];
    if (quote) {
      current += c;
      if (c === quote) quote = undefined;
      else if (quote === '"') {
        if (c === "`" || (c === "$" && next === "(")) return undefined;
        if (c === "\\" && next !== undefined) {
          current += next;
          i++;
        }
      }
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      current += c;
    } else if (c === "\\") current += c + (command[++i] ?? "");
    else if (c === "`" || (c === "$" && next === "(") || ((c === "<" || c === ">") && next === "(")) return undefined;
    else if (c === "&" && (next === ">" || command[i - 1] === ">" || command[i - 1] === "<")) current += c; // 2>&1, &>, >&: a redirection
    else if (c === ";" || c === "\n" || c === "&" || c === "|") {
      if ((c === "&" || c === "|") && next === c) i++;
      else if (c === "|" && next === "&") i++; // |& is a pipe
      parts.push(current);
      current = "";
    } else current += c;
  }
  if (quote) return undefined;
  parts.push(current);
  const commands: string[] = [];
  for (const part of parts) {
    const command = commandOf(part);
    if (command === undefined) return undefined;
    if (command) commands.push(command);
  }
  return commands;
}

/** Shell words that open or close a block: what follows them is the command. */
const RESERVED = new Set(["if", "then", "else", "elif", "fi", "do", "done", "while", "until", "!", "{", "}", "(", ")", "time"]);
/** Commands that run the command after them (their own options first). */
const WRAPPERS = new Set(["command", "builtin", "exec", "nohup", "sudo", "env", "xargs", "nice", "timeout", "stdbuf", "setsid"]);

/**
 * The command a simple command runs, as OpenCode's rules see it ("rm -rf x"): leading variable
 * assignments, block words and wrappers (`command rm`, `env X=1 rm`, `nohup rm`) skipped, the name
 * unquoted (`'rm'`, `\rm`) and without its folder (`/bin/rm`). "" for nothing to run, undefined when
 * only a shell can tell (a name from a variable). Loops' headers (`for x in …`) run nothing.
 */
export function commandOf(part: string): string | undefined {
  const words = part.trim().replace(/^\(+|\)+$/g, "").trim().split(/\s+/).filter(Boolean);
  let i = 0;
  for (;;) {
    const word = words[i];
    if (word === undefined) return "";
    if (RESERVED.has(word) || /^[A-Za-z_][A-Za-z0-9_]*=/.test(word)) i++;
    else if (word === "for" || word === "case" || word === "select") return "";
    else if (WRAPPERS.has(unquote(word))) {
      i++;
      // The wrapper's own options (and timeout's duration) come before the command.
      while (words[i] !== undefined && (words[i]?.startsWith("-") || (unquote(word) === "timeout" && /^\d/.test(words[i] ?? "")))) i++;
    } else break;
  }
  const name = unquote(words[i] as string);
  if (name.includes("$")) return undefined;
  return [name.slice(name.lastIndexOf("/") + 1), ...words.slice(i + 1)].join(" ");
}

/** A word without its quotes and backslashes (`'rm'`, `"rm"`, `\rm`, `r\m` are all rm). */
const unquote = (word: string) => word.replace(/\\(.)/g, "$1").replace(/^'(.*)'$/, "$1").replace(/^"(.*)"$/, "$1");

const STRICTNESS: Record<PermissionAction, number> = { allow: 0, ask: 1, deny: 2 };

/** The last rule for `permission` that matches `pattern`; OpenCode asks when none does. */
export function evaluate(rules: readonly PermissionRule[], permission: string, pattern: string): { action: PermissionAction; rule?: PermissionRule } {
  for (let i = rules.length - 1; i >= 0; i--) {
    const rule = rules[i] as PermissionRule;
    if (wildcardMatch(permission, rule.permission) && wildcardMatch(pattern, rule.pattern)) return { action: rule.action, rule };
  }
  return { action: "ask" };
}

/** git's global options, before its subcommand; these take a value as the next word (unless written `--opt=value`). */
const GIT_OPTIONS_WITH_VALUE = new Set(["-C", "-c", "--git-dir", "--work-tree", "--namespace", "--super-prefix", "--config-env", "--exec-path", "--list-cmds", "--attr-source"]);

/**
 * The command as rules are written for it, where its own options come before what it does:
 * `git -C . push`, `git --no-pager -c x=y push` are `git push` to a rule "git push*".
 * Undefined when there is no other spelling.
 */
export function canonicalCommand(command: string): string | undefined {
  const words = command.split(" ");
  if (words[0] !== "git") return undefined;
  let i = 1;
  while (words[i]?.startsWith("-")) {
    const option = words[i] as string;
    i += GIT_OPTIONS_WITH_VALUE.has(option) ? 2 : 1;
  }
  return i > 1 ? ["git", ...words.slice(i)].join(" ") : undefined;
}

/** The script of `sh -c '…'` (bash, dash, zsh, ksh too; `-lc`, `-ec` as well): a command line of its own to decide. */
export function innerScript(command: string): string | undefined {
  const match = /^(?:ba|da|z|k)?sh\s+(?:-[A-Za-z]+\s+)*-[A-Za-z]*c[A-Za-z]*\s+(.+)$/s.exec(command);
  return match?.[1] === undefined ? undefined : shellWord(match[1].trim());
}

/** The first word of shell text as the shell reads it: quotes removed, quoted pieces joined (`'cat /etc/host''name'`). */
function shellWord(text: string): string | undefined {
  let word = "";
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (quote === '"' && c === "\\" && '"\\$`'.includes(text[i + 1] ?? "x")) word += text[++i];
      else word += c;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === "\\") word += text[++i] ?? "";
    else if (/\s/.test(c)) break;
    else word += c;
  }
  return quote ? undefined : word;
}

/** Nested shells deeper than this are asked about: no honest script needs `sh -c "sh -c '…'"` three times over. */
const MAX_SHELL_DEPTH = 3;

/** How the bash rules decide a command line: the strictest answer among its parts, and the part that decided. */
export function decideCommand(rules: readonly PermissionRule[], command: string, depth = 0): { action: PermissionAction; part?: string; rule?: PermissionRule } {
  if (depth > MAX_SHELL_DEPTH) return { action: "ask", part: command };
  const parts = splitCommand(command);
  if (!parts) {
    // Unreadable text: allowed only where every command would be (a blanket allow, nothing stricter after it).
    const forBash = rules.filter((r) => wildcardMatch("bash", r.permission));
    const blanket = forBash.map((r) => r.pattern).lastIndexOf("*");
    const everything = blanket >= 0 && forBash.slice(blanket).every((r) => r.action === "allow");
    if (everything) return { action: "allow", rule: forBash[blanket] };
    return { action: forBash[blanket]?.action === "deny" ? "deny" : "ask", part: command };
  }
  let worst: { action: PermissionAction; part?: string; rule?: PermissionRule } = { action: "allow" };
  const consider = (decided: { action: PermissionAction; part?: string; rule?: PermissionRule }, part: string) => {
    if (STRICTNESS[decided.action] > STRICTNESS[worst.action]) worst = { ...decided, part: decided.part ?? part };
  };
  for (const part of parts.length ? parts : [command]) {
    consider(evaluate(rules, "bash", part), part);
    // The same command spelled with its options first, and what a nested shell runs: a rule for
    // "git push*" or "rm *" holds for `git -C . push` and `sh -c 'rm -rf x'` too.
    const canonical = canonicalCommand(part);
    if (canonical) consider(evaluate(rules, "bash", canonical), part);
    const script = innerScript(part);
    if (script !== undefined) consider(decideCommand(rules, script, depth + 1), part);
  }
  return worst;
}
