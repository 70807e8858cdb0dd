/**
 * Plans: the first (asked of the Planner, or the proposal a resumed mission had, then put to the
 * user where orchestrator.approvePlan says so: planProposal.ts), and replans (blocked or failed
 * TODOs, and those stuck behind them, replaced by new ones, at most maxReplans times).
 *
 * The Planner's conversation: a plan that does not validate (a cycle, an unknown dependency, an
 * answer that does not fit the schema) goes back to the Planner, in its own session, with the exact
 * problems, up to maxPlanAttempts; then the mission halts (stopRules.noValidPlan). What the
 * orchestrator can repair itself is not sent back: a replan's reused ids get fresh ones.
 */
import { join } from "node:path";
import { invalidPlanPrompt, planPrompt, replanPrompt, userReplanPrompt } from "../agents/turnPrompts";
import type { OrchestratorEvent } from "../domain/events";
import { Plan, type PlannedTodo } from "../domain/schemas";
import type { MissionState, MissionStatus, TodoState } from "../domain/state";
import { liveTodos, pendingTodo } from "../domain/transitions";
import { failedOrBlocked } from "../domain/todoStatus";
import { StructuredResultError } from "../engine/errors";
import type { Logger } from "../common/logger";
import { repairPlan, type PlanContext } from "../todo/planValidation";
import { TodoGraph } from "../todo/todoGraph";
import type { MissionStore } from "./missionStore";
import type { PlanApproval } from "./planApproval";
import { settlePlan } from "./planProposal";
import type { Transition } from "./reviewPolicy";
import { noValidPlan, replanLimit } from "./stopRules";
import type { TurnRecovery } from "./turnRecovery";

export interface PlanningDeps {
  state: MissionState;
  store: MissionStore;
  recovery: TurnRecovery;
  maxPlanAttempts: number;
  maxReplans: number;
  /** How a new plan is put to the user; absent: it runs at once. */
  approval?: PlanApproval;
  /** The threshold of orchestrator.approvePlan "aboveCost", in US dollars. */
  approveAboveUsd: number;
  signal: AbortSignal;
  setStatus(status: MissionStatus): void;
  transition: Transition;
  /** New TODOs joined the mission: the Commander's queue and reviews take them in. */
  added(todos: readonly TodoState[]): void;
  persist(event: OrchestratorEvent, todos?: readonly TodoState[]): void;
  logger: Logger;
}

/** A plan whose reused ids were given fresh ones: the Planner's id → the orchestrator's. */
type AcceptedPlan = Plan & { renamed: Record<string, string> };

export class Planning {
  private replans = 0;

  constructor(private readonly deps: PlanningDeps) {}

  /** Where the Planner caches the docs it fetched. */
  private get docsDir(): string {
    return join(this.deps.store.dir(this.deps.state.id), "docs");
  }

  /** The mission's first plan, approved where that is asked for, added as its TODOs. Throws the MissionHalt of a Cancel, a Stop, or no valid plan. */
  async first(): Promise<void> {
    const { state: s } = this.deps;
    // Resumed while the user had the plan: the same plan is put again, no Planner's turn spent.
    let proposal = s.proposal;
    if (!proposal) {
      this.deps.setStatus("planning");
      const plan = await this.ask(planPrompt(s.mission, this.docsDir), { existingIds: new Set() }, false);
      proposal = { todos: plan.todos, check: plan.check, round: 1 };
    }
    const plan = await settlePlan(
      {
        state: s,
        approval: this.deps.approval,
        aboveUsd: this.deps.approveAboveUsd,
        signal: this.deps.signal,
        setStatus: (status) => this.deps.setStatus(status),
        persist: (event) => this.deps.persist(event),
        replan: (declined, feedback) => this.ask(userReplanPrompt(s.mission, this.docsDir, declined.todos, feedback), { existingIds: new Set() }, false),
      },
      proposal,
    );
    this.add(plan.todos, false, plan.check);
  }

  /** Blocked or failed TODOs and those stuck behind them are replaced by a new plan for them. Throws the MissionHalt of the replan limit, or of no valid plan. */
  async replan(): Promise<void> {
    const { state: s } = this.deps;
    const limit = replanLimit(this.replans, this.deps.maxReplans);
    if (limit) throw limit;
    this.replans++;
    const graph = new TodoGraph(s.todos);
    const blocked = liveTodos(s).filter((t) => failedOrBlocked(t.status));
    const affected = [...blocked, ...graph.stuck()];
    const openIssues = s.syncIssues.filter((i) => i.open);
    const context = { existingIds: new Set(s.todos.map((t) => t.id)), replacedIds: new Set(affected.map((t) => t.id)) };
    const plan = await this.ask(replanPrompt(s.mission, { todos: liveTodos(s), blocked: affected, syncIssues: openIssues }), context, true);
    for (const todo of affected) this.deps.transition(todo, "replaced", "replanned");
    this.add(plan.todos, true, plan.check, plan.renamed);
  }

  /** `renamed`: ids the Planner reused and the fresh ones they were given (journaled with the plan). */
  private add(planned: PlannedTodo[], replan: boolean, check?: string, renamed: Record<string, string> = {}): void {
    const { state } = this.deps;
    const now = Date.now();
    if (check?.trim()) state.check = check.trim();
    const added = planned.map((p) => pendingTodo(p, replan ? "added by a replan" : "planned", now));
    state.todos.push(...added);
    this.deps.added(added);
    state.integrationChecked = false;
    this.deps.persist({ type: "plan.accepted", missionId: state.id, todoIds: planned.map((p) => p.id), replan, ...(Object.keys(renamed).length ? { renamed } : {}) }, added);
  }

  /** A valid plan (new TODOs whose ids are not in `context.existingIds`, and the project's check if it names one), or a MissionHalt. */
  private async ask(prompt: string, context: PlanContext, replan: boolean): Promise<AcceptedPlan> {
    const { state, recovery, logger } = this.deps;
    let sessionId: string | undefined;
    let message = prompt;
    let problems: string[] = [];
    for (let attempt = 1; attempt <= this.deps.maxPlanAttempts; attempt++) {
      const outcome = await recovery.run("planner", [], { sessionId, title: `Planner: ${state.mission.slice(0, 50)}`, prompt: message, schema: Plan }, { recoverStructured: false });
      if (outcome.ok) {
        sessionId = outcome.sessionId;
        const plan = outcome.structured as Plan;
        const repaired = repairPlan(plan.todos, context);
        problems = repaired.problems;
        if (problems.length === 0) {
          if (repaired.renamed.size) logger.info(`The plan reused TODO ids; given fresh ones: ${[...repaired.renamed].map(([from, to]) => `${from} → ${to}`).join(", ")}`);
          return { ...plan, todos: repaired.todos, renamed: Object.fromEntries(repaired.renamed) };
        }
      } else if (outcome.error instanceof StructuredResultError) {
        sessionId = outcome.error.sessionId;
        problems = [outcome.error.issues];
      } else throw outcome.error;
      this.deps.persist({ type: "plan.rejected", missionId: state.id, problems });
      logger.warn(`Plan rejected (attempt ${attempt}): ${problems.join(" ")}`);
      message = invalidPlanPrompt(problems);
    }
    throw noValidPlan(state, this.deps.maxPlanAttempts, problems, replan);
  }
}
