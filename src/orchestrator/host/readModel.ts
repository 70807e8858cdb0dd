/**
 * The read model of one mission, built here once for every surface (src/shared/mission.ts is its
 * schema): counts, the progress line, what the user may do with each TODO. Its views are copies,
 * made when an event names what changed: nothing handed out is the Commander's live state.
 */
import { TERMINAL_STATUSES, type CheckResult, type MissionState, type MissionStatus, type PlanEstimate, type TodoState } from "../domain/state";
import { countTodos, doneText } from "../domain/progress";
import { failedOrBlocked } from "../domain/todoStatus";
import { canRetry, canRevert, canRevertMission, canSkip, pendingTodo } from "../domain/transitions";
import { estimateBasis, estimateLine } from "../mission/planEstimate";
import { DEMO_MODEL } from "./demoModel";
import type { CheckView } from "../../shared/check";
import type { EstimateView } from "../../shared/estimate";
import { idleModel, type MissionCounts, type MissionModel, type RunPhase, type TodoModel } from "../../shared/mission";

export const isResumable = (status: MissionStatus | string | undefined): boolean => status !== undefined && !TERMINAL_STATUSES.includes(status as MissionStatus);

/** The statuses a Commander runs in: a mission found in one with no Commander running it was cut off (a reload, a crash). */
const RUN_STATUSES: readonly string[] = ["running", "planning"];

/**
 * Revert Mission put the mission's changes back, and nothing has been redone or brought back since:
 * its way on is Undo Revert (or a Retry of a TODO), not a Resume that would quietly redo the work
 * the user just took out (reverts.ts records the revert and stops the mission with it).
 */
export function missionReverted(state: Pick<MissionState, "status" | "reverts" | "todos">): boolean {
  const latest = state.reverts.findLast((r) => !r.undone);
  return state.status === "stopped" && latest?.mission === true && latest.todoIds.length > 0 && latest.todoIds.every((id) => state.todos.find((t) => t.id === id)?.status === "reverted");
}

/** Resume may act on the mission: not finished for good, and not reverted by the user. */
export const canResume = (state: Pick<MissionState, "status" | "reverts" | "todos">): boolean => isResumable(state.status) && !missionReverted(state);

/** The status every surface says (shared/mission.ts: MissionModel.status): `live`, a Commander runs it now. */
export function shownStatus(status: MissionStatus, facts: { live: boolean; stopping?: boolean; reverted: boolean }): string {
  if (facts.live) return facts.stopping ? "stopping" : status;
  if (RUN_STATUSES.includes(status)) return "interrupted";
  return facts.reverted ? "reverted" : status;
}

/** The demo model's name as a mission records it: a mission shown after a reload is known as a demo by it. */
const DEMO_REF = `${DEMO_MODEL.providerID}/${DEMO_MODEL.modelID}`;

/** The phase a mission in this status shows when no Commander runs it (running/planning: it was cut off, so stopped). */
export function phaseOf(status: MissionStatus): RunPhase {
  if (status === "sealed") return "done";
  if (status === "stopped" || status === "running" || status === "planning" || status === "awaiting-approval") return "stopped";
  return "failed";
}

/** A check's run as the views show it. */
export const checkView = ({ command, status, exitCode, tail, jobId }: CheckResult): CheckView => ({ command, status, exitCode, tail, jobId });

/** An estimate as every surface words it. */
export const estimateView = (estimate: PlanEstimate): EstimateView => ({ line: estimateLine(estimate), basis: estimateBasis(estimate) });

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
export function progressLine(counts: MissionCounts, status: string | undefined, phase?: RunPhase, stopping = false): string {
  if (stopping && (phase === "starting" || phase === "running")) return "stopping…";
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
    files: [...todo.files],
    dependsOn: [...todo.dependsOn],
    acceptance: todo.acceptance,
    reviewIssues: [...todo.reviewIssues],
    sessions: [...todo.sessions],
    note: todo.history.at(-1)?.note,
    role: todo.status === "review" ? "reviewer" : workedOn || todo.status === "running" ? "worker" : undefined,
    canRetry: missionResumable && canRetry(todo),
    canSkip: missionResumable && canSkip(todo),
    changes: (todo.changes?.files ?? []).map((f) => ({ ...f })),
    canRevert: idle && canRevert(todo),
    checkCommand: todo.check,
    // What it checked was put back: its mark no longer says anything of the workspace.
    check: todo.checkResult && (todo.status === "reverted" ? { ...checkView(todo.checkResult), stale: true } : checkView(todo.checkResult)),
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
  /** Stop was pressed and the mission is being stopped (its sessions aborted): said at once, before it ends. */
  stopping?: boolean;
}

/** The mission's own fields the model shows, copied when an event arrives. */
interface MissionHeader {
  id: string;
  mission: string;
  status: MissionStatus;
  createdAt: number;
  iteration: number;
  report?: string;
  stopReason?: string;
  tokens: { input: number; output: number };
  cost: number;
  check?: CheckView;
  model?: string;
  estimate?: EstimateView;
  planRound?: number;
  checkpointed: { start: boolean; end: boolean };
  /** What Revert Mission itself would act on (domain/transitions.ts), the run aside. */
  revertable: boolean;
  canUndo: boolean;
  /** Revert Mission put its changes back (missionReverted). */
  reverted: boolean;
}

function headerOf(state: MissionState): MissionHeader {
  return {
    id: state.id,
    mission: state.mission,
    status: state.status,
    createdAt: state.createdAt,
    iteration: state.iteration,
    report: state.report,
    stopReason: state.stopReason,
    tokens: { input: state.usage.inputTokens, output: state.usage.outputTokens },
    cost: state.usage.cost,
    check: state.checkResult && checkView(state.checkResult),
    model: state.model,
    estimate: state.estimate && estimateView(state.estimate),
    planRound: state.proposal?.round,
    checkpointed: { start: !!state.checkpoints.start, end: !!state.checkpoints.end },
    revertable: canRevertMission(state),
    canUndo: state.reverts.some((r) => !r.undone),
    reverted: missionReverted(state),
  };
}

const touchedFiles = (t: TodoState) => (t.changes?.touched.length ?? 0) > 0;

/**
 * The read model of one mission state. The TODO views are cached by id and rebuilt only for the
 * TODOs an event changed, and the mission's own fields are copied with each event; the model
 * itself (counts, the TODO list) is assembled from those copies when it is next read.
 */
export class MissionModelBuilder {
  private readonly todos = new Map<string, TodoModel>();
  /** The live TODOs' state records by id, from the last full rebuild (read only when an event names them). */
  private readonly states = new Map<string, TodoState>();
  private order: string[] = [];
  /** The TODOs listed are a proposal's, not the mission's. */
  private proposed = false;
  private header?: MissionHeader;
  /** TODOs (replaced ones too) whose sessions wrote files: the mission has changes to review. */
  private readonly touched = new Set<string>();

  constructor(private readonly roleOf: (sessionId: string) => string | undefined) {}

  /** The TODOs listed, in order (a proposal's while the plan waits for the user). */
  get ids(): readonly string[] {
    return this.order;
  }

  /** Forgets every cached TODO (another mission is shown). */
  reset(): void {
    this.todos.clear();
    this.states.clear();
    this.touched.clear();
    this.order = [];
    this.proposed = false;
    this.header = undefined;
  }

  /**
   * Refreshes the TODOs named (all when `ids` is "all") and the mission's own fields, and returns
   * whether the list's shape changed (a TODO added, replaced or removed), which the trees need to
   * know. Named TODOs cost only themselves: the list changes shape only by a plan ("all") or by a
   * TODO turning "replaced".
   */
  refresh(state: MissionState, ids: Iterable<string> | "all", idle = true, own = true): boolean {
    this.header = headerOf(state);
    // A mission that is not the user's own is shown as it is, with nothing to do to it.
    const resumable = own && isResumable(state.status);
    idle &&= own;
    if (ids !== "all") {
      let replaced = false;
      for (const id of ids) {
        const t = this.states.get(id);
        if (!t) continue;
        if (touchedFiles(t)) this.touched.add(id);
        if (t.status === "replaced") replaced = true;
        else this.todos.set(id, todoModel(t, resumable && !this.proposed, this.roleOf, idle));
      }
      if (!replaced) return false;
    }
    const { todos: live, proposed } = liveOrProposed(state);
    this.proposed = proposed;
    const order = live.map((t) => t.id);
    const shapeChanged = order.length !== this.order.length || order.some((id, i) => id !== this.order[i]);
    this.todos.clear();
    this.states.clear();
    this.touched.clear();
    for (const t of state.todos) if (touchedFiles(t)) this.touched.add(t.id);
    for (const t of live) {
      this.states.set(t.id, t);
      // A proposed TODO is not the mission's yet: nothing to retry or skip.
      this.todos.set(t.id, todoModel(t, resumable && !this.proposed, this.roleOf, idle));
    }
    this.order = order;
    return shapeChanged;
  }

  build(run: RunFacts): MissionModel {
    const h = this.header;
    if (!h) return { ...idleModel(), phase: run.phase, demo: run.demo, startedAt: run.startedAt, finishedAt: run.finishedAt, error: run.error };
    const live = run.phase === "running" || run.phase === "starting";
    // A TODO whose session went with the window is not running: it waits for Resume.
    const todos = this.order.map((id) => this.todos.get(id) as TodoModel).map((t) => (!live && t.status === "running" ? { ...t, status: "interrupted", role: undefined } : t));
    const counts = missionCounts(todos, run.runningSessions);
    const actionable = !live && !run.notOurs;
    const status = shownStatus(h.status, { live, stopping: run.stopping, reverted: h.reverted });
    return {
      phase: run.phase,
      missionId: h.id,
      mission: h.mission,
      status,
      demo: run.demo || h.model === DEMO_REF,
      startedAt: run.startedAt ?? h.createdAt,
      finishedAt: run.finishedAt,
      iteration: h.iteration,
      counts,
      progress: progressLine(counts, h.status, run.phase, run.stopping),
      attention: todos.filter((t) => failedOrBlocked(t.status)).map((t) => t.id),
      resumable: actionable && isResumable(h.status) && !h.reverted,
      notOurs: run.notOurs,
      hasChanges: h.checkpointed.start && this.touched.size > 0,
      canRevert: actionable && h.revertable,
      canUndoRevert: actionable && h.canUndo,
      todos,
      report: h.report,
      // A reason from before a resume, or of a run the window cut off, is not why anything is as it is now.
      stopReason: live || status === "interrupted" ? undefined : h.stopReason,
      error: run.error,
      tokens: { ...h.tokens },
      cost: h.cost,
      check: h.check && h.reverted ? { ...h.check, stale: true } : h.check,
      model: h.model,
      estimate: h.estimate,
      planApproval: run.phase === "running" && h.status === "awaiting-approval" && h.planRound !== undefined ? { round: h.planRound } : undefined,
    };
  }
}
