/**
 * Background jobs and plan-given checks pass the permission policy the agents' bash commands pass:
 * OpenCode's own configuration decides (commandPolicy.ts), and where it asks, the user is asked
 * through the same prompt an agent's request gets. "Always" allows that exact command for the
 * rest of the window. A guard, not a sandbox: see docs/security.md for what it cannot see.
 */
import { decideCommand, type PermissionRule } from "../agents/commandPolicy";
import type { JobGate } from "../background/jobManager";
import type { Logger } from "../logger";
import type { PermissionReply } from "./agentRequests";

export class JobPermission {
  private readonly always = new Set<string>();

  constructor(
    /** The rules in force (the server's merged configuration). */
    private readonly rules: () => Promise<PermissionRule[]>,
    /** Asks the user about one command. */
    private readonly ask: (command: string) => Promise<PermissionReply>,
    private readonly logger: Logger,
  ) {}

  readonly gate: JobGate = async (command) => {
    const decided = decideCommand(await this.rules(), command);
    if (decided.action === "allow" || this.always.has(command)) return { allowed: true };
    if (decided.action === "deny") {
      this.logger.warn(`Background command refused by the permission policy: ${command}`);
      const rule = decided.rule ? ` (rule ${decided.rule.permission} "${decided.rule.pattern}": deny)` : "";
      return { allowed: false, reason: `Refused by the permission policy${rule}${decided.part && decided.part !== command ? ` for "${decided.part}"` : ""}. Do it another way, or report blocked.` };
    }
    const reply = await this.ask(command);
    if (reply === "always") this.always.add(command);
    return reply === "reject" ? { allowed: false, reason: "The user declined this command. Do it another way, or report blocked." } : { allowed: true };
  };
}
