/**
 * The one read model of a mission that every surface renders: status, counts, every TODO with
 * what the user may do with it. Computed once here, so the status bar, the tree, the progress
 * notification and the dashboard can never disagree (they used to count "done" three ways).
 * A zod schema, because the dashboard receives it across the webview boundary and parses it.
 */
import { z } from "zod";
import { CheckResult, FileChange, PlanEstimate, TERMINAL_STATUSES, type MissionState, type MissionStatus, type TodoState } from "../domain/state";
import { countTodos, doneText } from "../domain/progress";
import { canRetry, canSkip, pendingTodo } from "../domain/transitions";

/** Where the host stands with the mission: no mission, starting OpenCode, running, or ended. */
export const RunPhase = z.enum(["idle", "starting", "running", "done", "failed", "stopped"]);
export type RunPhase = z.infer<typeof RunPhase>;

export const TodoModel = z.object({
  id: z.string(),
  title: z.string(),
  status: z.string(),
  attempts: z.number(),
  files: z.array(z.string()),
  dependsOn: z.array(z.string()),
  acceptance: z.string(),
  reviewIssues: z.array(z.string()),
  sessions: z.array(z.string()),
  /** The note of its last transition (why it is where it is). */
  note: z.string().optional(),
  /** The role working on it now: a Worker while running, the Reviewer while in review. */
  role: z.enum(["worker", "reviewer"]).optional(),
  canRetry: z.boolean(),
  canSkip: z.boolean(),
  /** What it really changed (from the orchestrator's checkpoints), with lines added and removed. */
  changes: z.array(FileChange),
  /** Its changes can be put back now (recorded, not reverted yet, the mission not running). */
  canRevert: z.boolean(),
  /** The acceptance check the plan gave it (a shell command the Commander runs). */
  checkCommand: z.string().optional(),
  /** That check's latest run: ✓/✗, the exit code, the output's end. */
  check: CheckResult.optional(),
});
export type TodoModel = z.infer<typeof TodoModel>;

export const MissionCounts = z.object({
  /** TODOs that count (a replaced TODO left the plan). */
  total: z.number(),
  done: z.number(),
  skipped: z.number(),
  /** done + skipped: nothing more will happen to them; this is the mission's progress. */
  finished: z.number(),
  inReview: z.number(),
  /** failed or blocked: waiting for a replan or the user. */
  failed: z.number(),
  runningTodos: z.number(),
  /** Agent sessions at work now (Workers, the Reviewer, the Planner): what "running" means everywhere. */
  runningSessions: z.number(),
});
export type MissionCounts = z.infer<typeof MissionCounts>;

export const MissionModel = z.object({
  phase: RunPhase,
  missionId: z.string().optional(),
  mission: z.string().optional(),
  /** The mission's own status (planning, running, sealed, stopped, incomplete, …). */
  status: z.string().optional(),
  demo: z.boolean(),
  startedAt: z.number().optional(),
  finishedAt: z.number().optional(),
  iteration: z.number(),
  counts: MissionCounts,
  /** "3/4 done · 2 running", the one progress line every surface shows. */
  progress: z.string(),
  /** TODOs that failed or are blocked: what the user should look at. */
  attention: z.array(z.string()),
  /** Not finished for good: Resume (and Retry/Skip) act on it. */
  resumable: z.boolean(),
  /** Why the mission is only shown (not this user's own, provenance.ts): nothing may resume, retry, skip or revert it. */
  notOurs: z.string().optional(),
  /** What the mission changed can be reviewed in the diff editor (it has a start checkpoint and changes). */
  hasChanges: z.boolean(),
  /** Files the mission changed can be put back (it has checkpoints and is not running). */
  canRevert: z.boolean(),
  /** The latest revert can be undone. */
  canUndoRevert: z.boolean(),
  todos: z.array(TodoModel),
  report: z.string().optional(),
  /** Why it stopped, failed or ended incomplete. */
  stopReason: z.string().optional(),
  /** A failure before the mission could start (OpenCode missing, a server that would not start). */
  error: z.string().optional(),
  tokens: z.object({ input: z.number(), output: z.number() }),
  cost: z.number(),
  /** The project's whole check: its latest run before the review of the whole. */
  check: CheckResult.optional(),
  /** The model its agents use ("provider/model"); absent: OpenCode's default. */
  model: z.string().optional(),
  /** What its plan was estimated to take (turns, requests, tokens, dollars) when it was proposed. */
  estimate: PlanEstimate.optional(),
  /** Its plan waits for the user: Approve, Replan or Cancel (the TODOs shown are the proposal's). */
  awaitingApproval: z.boolean().optional(),
  /** Which plan waits (1, then +1 per Replan): an answer names the plan it was given for. */
  planRound: z.number().optional(),
});
export type MissionModel = z.infer<typeof MissionModel>;

const emptyCounts = (): MissionCounts => missionCounts([], 0);

export const idleModel = (): MissionModel => ({ phase: "idle", demo: false, iteration: 0, counts: emptyCounts(), progress: "", attention: [], resumable: false, hasChanges: false, canRevert: false, canUndoRevert: false, todos: [], tokens: { input: 0, output: 0 }, cost: 0 });

export const isResumable = (status: MissionStatus | string | undefined): boolean => status !== undefined && !TERMINAL_STATUSES.includes(status as MissionStatus);

/** The phase a mission in this status shows when no Commander runs it (running/planning: it was cut off, so stopped). */
export function phaseOf(status: MissionStatus): RunPhase {
  if (status === "sealed") return "done";
  if (status === "stopped" || status === "running" || status === "planning" || status === "awaiting-approval") return "stopped";
  return "failed";
}

/**
 * The TODOs a view lists: the plan's; before it has any, the proposal's (as pending TODOs) while it
 * waits for the user or after a Cancel — not while a Replan is being planned (it is being replaced).
 */
function liveOrProposed(state: MissionState): { todos: TodoState[]; proposed: boolean } {
  const live = state.todos.filter((t) => t.status !== "replaced");
  const proposal = state.proposal;
  if (live.length > 0 || !proposal || proposal.feedback !== undefined) return { todos: live, proposed: false };
  const note = state.status === "awaiting-approval" ? "proposed: waiting for your approval" : "proposed, not approved";
  return { todos: proposal.todos.map((p) => pendingTodo(p, note, state.updatedAt)), proposed: true };
}

/** The TODO counts and the agent sessions at work: the counts every surface shows. */
export function missionCounts(todos: readonly Pick<TodoModel, "status">[], runningSessions: number): MissionCounts {
  return { ...countTodos(todos), runningSessions };
}

/** The one progress line: "3/4 done · 2 running", or what the mission is doing before it has TODOs. */
export function progressLine(counts: MissionCounts, status: string | undefined, phase?: RunPhase): string {
  if (phase === "starting") return "starting OpenCode";
  if (status === "awaiting-approval") return phase === "running" ? "plan waiting for your approval" : "plan not approved yet";
  if (status === "planning" || counts.total === 0) return counts.runningSessions ? "planning" : "";
  return `${doneText(counts)} · ${counts.runningSessions} running`;
}

/** One TODO as the views show it. `roleOf` names the role of a session (the registry knows). */
export function todoModel(todo: TodoState, missionResumable: boolean, roleOf: (sessionId: string) => string | undefined, idle = true): TodoModel {
  // A Reviewer's session is listed on every TODO of its batch: the role shown is the last Worker's.
  const workedOn = todo.sessions.some((id) => roleOf(id) === "worker");
  return {
    id: todo.id,
    title: todo.title,
    status: todo.status,
    attempts: todo.attempts,
    files: todo.files,
    dependsOn: todo.dependsOn,
    acceptance: todo.acceptance,
    reviewIssues: todo.reviewIssues,
    sessions: todo.sessions,
    note: todo.history.at(-1)?.note,
    role: todo.status === "review" ? "reviewer" : workedOn || todo.status === "running" ? "worker" : undefined,
    canRetry: missionResumable && canRetry(todo),
    canSkip: missionResumable && canSkip(todo),
    changes: todo.changes?.files ?? [],
    canRevert: idle && todo.status !== "reverted" && !!todo.changes?.head && todo.changes.files.length > 0,
    checkCommand: todo.check,
    check: todo.checkResult,
  };
}

/** What the run adds to the state: the phase, demo mode, times and a start-up error. */
export interface RunFacts {
  phase: RunPhase;
  demo: boolean;
  startedAt?: number;
  finishedAt?: number;
  error?: string;
  runningSessions: number;
  /** The mission is not this user's own (MissionStore.notOurs): shown, never acted on. */
  notOurs?: string;
}

/**
 * The read model of one mission state. The TODO views are cached by id and rebuilt only for the
 * TODOs an event changed; the model itself (counts, the TODO list) is assembled again when it is
 * next read after a change — a pass over the TODO views, not a rebuild of them.
 */
export class MissionModelBuilder {
  private readonly todos = new Map<string, TodoModel>();
  /** The live TODOs' state records by id, from the last full rebuild. */
  private readonly states = new Map<string, TodoState>();
  private order: string[] = [];
  /** The TODOs listed are a proposal's, not the mission's. */
  private proposed = false;

  constructor(private readonly roleOf: (sessionId: string) => string | undefined) {}

  /** The TODOs listed, in order (a proposal's while the plan waits for the user). */
  get ids(): readonly string[] {
    return this.order;
  }

  /** Forgets every cached TODO (another mission is shown). */
  reset(): void {
    this.todos.clear();
    this.states.clear();
    this.order = [];
    this.proposed = false;
  }

  /**
   * Refreshes the TODOs named (all when `ids` is "all") and returns whether the list's shape
   * changed (a TODO added, replaced or removed), which the trees need to know. Named TODOs cost
   * only themselves: the list changes shape only by a plan ("all") or by a TODO turning "replaced".
   */
  refresh(state: MissionState, ids: Iterable<string> | "all", idle = true, own = true): boolean {
    // A mission that is not the user's own is shown as it is, with nothing to do to it.
    const resumable = own && isResumable(state.status);
    idle &&= own;
    if (ids !== "all") {
      let replaced = false;
      for (const id of ids) {
        const t = this.states.get(id);
        if (t?.status === "replaced") replaced = true;
        else if (t) this.todos.set(id, todoModel(t, resumable && !this.proposed, this.roleOf, idle));
      }
      if (!replaced) return false;
    }
    const { todos: live, proposed } = liveOrProposed(state);
    this.proposed = proposed;
    const order = live.map((t) => t.id);
    const shapeChanged = order.length !== this.order.length || order.some((id, i) => id !== this.order[i]);
    this.todos.clear();
    this.states.clear();
    for (const t of live) {
      this.states.set(t.id, t);
      // A proposed TODO is not the mission's yet: nothing to retry or skip.
      this.todos.set(t.id, todoModel(t, resumable && !this.proposed, this.roleOf, idle));
    }
    this.order = order;
    return shapeChanged;
  }

  build(state: MissionState, run: RunFacts): MissionModel {
    const todos = this.order.map((id) => this.todos.get(id) as TodoModel);
    const counts = missionCounts(todos, run.runningSessions);
    const actionable = run.phase !== "running" && run.phase !== "starting" && !run.notOurs;
    return {
      phase: run.phase,
      missionId: state.id,
      mission: state.mission,
      status: state.status,
      demo: run.demo,
      startedAt: run.startedAt ?? state.createdAt,
      finishedAt: run.finishedAt,
      iteration: state.iteration,
      counts,
      progress: progressLine(counts, state.status, run.phase),
      attention: todos.filter((t) => t.status === "failed" || t.status === "blocked").map((t) => t.id),
      resumable: actionable && isResumable(state.status),
      notOurs: run.notOurs,
      hasChanges: !!state.checkpoints.start && state.todos.some((t) => (t.changes?.touched.length ?? 0) > 0),
      canRevert: actionable && !!state.checkpoints.start && !!state.checkpoints.end && todos.some((t) => t.changes.length > 0 && t.status !== "reverted"),
      canUndoRevert: actionable && state.reverts.some((r) => !r.undone),
      todos,
      report: state.report,
      stopReason: state.stopReason,
      error: run.error,
      tokens: { input: state.usage.inputTokens, output: state.usage.outputTokens },
      cost: state.usage.cost,
      check: state.checkResult,
      model: state.model,
      estimate: state.estimate,
      awaitingApproval: run.phase === "running" && state.status === "awaiting-approval",
      planRound: state.proposal?.round,
    };
  }
}
