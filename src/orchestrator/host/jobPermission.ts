/**
 * Background jobs and plan-given checks pass the permission policy the agents' bash commands pass:
 * OpenCode's own configuration decides (commandPolicy.ts) every command the line would run, and
 * `external_directory` decides the folders outside the workspace it reaches (outsideFolders.ts), as
 * OpenCode's bash tool asks both. Where a rule asks, the user is asked through the same prompt an
 * agent's request gets; "Always" allows that exact command (or those folders) for the rest of the
 * window. A guard, not a sandbox: see docs/security.md for what it cannot see.
 */
import { decideScan, judge, evaluate, type PermissionAction, type PermissionRule } from "../agents/commandPolicy";
import { outsideFolders } from "../agents/outsideFolders";
import { scanCommandLine } from "../agents/shellCommands";
import { shellParser } from "../agents/shellSyntax";
import { HOLE } from "../agents/shellWords";
import type { JobGate } from "../background/jobManager";
import type { Logger } from "../common/logger";
import type { PermissionReply } from "./agentRequests";

/** What the user is asked: the permission and its patterns, as an agent's request would name them. */
export type JobAsk = (permission: "bash" | "external_directory", patterns: string[], command: string) => Promise<PermissionReply>;

/** The pattern asked for a folder only the running shell knows. */
const ANY_FOLDER = "*";

export class JobPermission {
  private readonly always = new Set<string>();
  private readonly alwaysFolders = new Set<string>();

  constructor(
    /** The rules in force (the server's merged configuration). */
    private readonly rules: () => Promise<PermissionRule[]>,
    /** Asks the user. */
    private readonly ask: JobAsk,
    private readonly logger: Logger,
    /** The jobs' working folder: paths are read from it, and what lies outside it is asked about. */
    private readonly workspace: string,
  ) {}

  readonly gate: JobGate = async (command) => {
    const rules = await this.rules();
    const scan = scanCommandLine(await shellParser(), command);
    const decided = decideScan(rules, scan);
    if (decided.action === "deny") {
      this.logger.warn(`Background command refused by the permission policy: ${command}`);
      const rule = decided.rule ? ` (rule ${decided.rule.permission} "${decided.rule.pattern}": deny)` : "";
      const part = decided.part && decided.part !== command ? ` for "${decided.part}"` : "";
      const why = decided.unsure ? ` (${decided.unsure})` : "";
      return { allowed: false, reason: `Refused by the permission policy${rule}${part}${why}. Do it another way, or report blocked.` };
    }
    const folders = this.folders(rules, command, scan);
    if (folders.action === "deny") {
      this.logger.warn(`Background command refused by the permission policy (outside the workspace): ${command}`);
      const rule = folders.rule ? ` (rule external_directory "${folders.rule.pattern}": deny)` : "";
      return { allowed: false, reason: `Refused by the permission policy${rule}: it reaches ${folders.patterns.join(", ")} outside the workspace. Do it another way, or report blocked.` };
    }
    // As OpenCode's bash tool: the folders are asked first, then the command.
    if (folders.action === "ask") {
      const reply = await this.ask("external_directory", folders.patterns, command);
      if (reply === "reject") return { allowed: false, reason: `The user declined access outside the workspace (${folders.patterns.join(", ")}). Do it another way, or report blocked.` };
      if (reply === "always") for (const p of folders.patterns) if (p !== ANY_FOLDER) this.alwaysFolders.add(p);
    }
    if (decided.action === "allow" || this.always.has(command)) return { allowed: true };
    const reply = await this.ask("bash", [command], command);
    if (reply === "always") this.always.add(command);
    return reply === "reject" ? { allowed: false, reason: "The user declined this command. Do it another way, or report blocked." } : { allowed: true };
  };

  /** The external_directory answer for the folders outside the workspace the line reaches: the strictest over them. */
  private folders(rules: readonly PermissionRule[], command: string, scan: ReturnType<typeof scanCommandLine>): { action: PermissionAction; patterns: string[]; rule?: PermissionRule } {
    const outside = outsideFolders(scan, this.workspace);
    const patterns = outside.patterns.filter((p) => !this.alwaysFolders.has(p));
    const answers = patterns.map((p) => evaluate(rules, "external_directory", p));
    if (outside.unknown) {
      const anywhere = judge(rules, "external_directory", [HOLE]);
      answers.push({ action: anywhere.action ?? "ask", ...(anywhere.rule ? { rule: anywhere.rule } : {}) });
    }
    const denied = answers.find((a) => a.action === "deny");
    if (denied) return { action: "deny", patterns: outside.unknown ? [...patterns, ANY_FOLDER] : patterns, ...(denied.rule ? { rule: denied.rule } : {}) };
    if (answers.some((a) => a.action === "ask")) {
      this.logger.info(`Background command reaches outside the workspace: ${command}`);
      return { action: "ask", patterns: outside.unknown ? [...patterns, ANY_FOLDER] : patterns };
    }
    return { action: "allow", patterns };
  }
}
