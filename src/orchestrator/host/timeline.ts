/** The dashboard's timeline: one line per event a person cares about, newest kept, bounded. */
import type { OrchestratorEvent } from "../domain/events";
import { aboutDollars } from "../mission/planEstimate";
import { commandOutcome } from "../../shared/outcome";
import type { TimelineEntry } from "../../shared/timeline";

export const TIMELINE_LIMIT = 200;

/** One line for the timeline, or nothing for events too fine to list. */
export function timelineText(event: OrchestratorEvent): string | undefined {
  switch (event.type) {
    case "mission.started":
      return `${event.resumed ? "Resumed" : "Started"} mission`;
    case "mission.status":
      return `Mission ${event.status}${event.reason ? `: ${event.reason}` : ""}`;
    case "plan.accepted":
      return `${event.replan ? "Replan" : "Plan"} accepted: ${event.todoIds.join(", ")}${event.renamed ? ` (reused ids renamed: ${Object.entries(event.renamed).map(([from, to]) => `${from} → ${to}`).join(", ")})` : ""}`;
    case "plan.rejected":
      return `Plan sent back: ${event.problems.join(" ")}`;
    case "plan.proposed":
      return `Plan ${event.round > 1 ? `(round ${event.round}) ` : ""}waiting for your approval: ${event.todoIds.length} TODOs${event.costUsd !== undefined ? `, ${aboutDollars(event.costUsd)}` : ""}`;
    case "plan.decided":
      return event.decision === "approve" ? "Plan approved" : event.decision === "cancel" ? "Plan cancelled" : `Replan asked: ${event.feedback ?? ""}`;
    case "todo.status":
      return `${event.todoId}: ${event.from} → ${event.to}${event.note ? ` (${event.note})` : ""}`;
    case "review.round":
      return `Review round ${event.iteration}: ${event.passed.length} passed, ${event.failed.length} failed${event.syncIssues ? `, ${event.syncIssues} sync issue(s)` : ""}`;
    case "turn.retry":
      return `${event.role}${event.todoIds.length ? ` ${event.todoIds.join(", ")}` : ""}: ${event.note} (attempt ${event.attempt})`;
    case "limit.changed":
      return `Parallel limit now ${event.limit}`;
    case "job.started":
      return `${event.todoIds.length ? event.todoIds.join(", ") : event.role} started background ${event.jobId}`;
    case "check.started":
      return `${event.todoId ?? "Mission"}: check \`${event.command}\` started`;
    case "check.finished":
      return `${event.todoId ?? "Mission"}: check ${commandOutcome(event.status, event.exitCode)}`;
    case "scope.decided":
      return `${event.todoId}: write to ${event.files.join(", ")} ${event.answer}${event.holder ? ` (held by ${event.holder})` : ""}`;
    default:
      return undefined;
  }
}

export class Timeline {
  private readonly entries: TimelineEntry[] = [];

  add(event: OrchestratorEvent, at: number): void {
    const text = timelineText(event);
    if (!text) return;
    this.entries.push({ at, text });
    if (this.entries.length > TIMELINE_LIMIT) this.entries.splice(0, this.entries.length - TIMELINE_LIMIT);
  }

  clear(): void {
    this.entries.length = 0;
  }

  list(): readonly TimelineEntry[] {
    return this.entries;
  }
}
