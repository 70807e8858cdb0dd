/**
 * Revert and its undo: put back what a TODO (or the whole mission) changed, as it was at the
 * checkpoint before it, from the orchestrator's own checkpoints. A file changed after the agents'
 * last write (by the user, or by a later TODO) is not overwritten unless the user says so; every
 * revert is journaled with a checkpoint of the workspace just before it, so it can be undone.
 * Runs on a mission that is not running (the MissionHost sees to that), and only on a mission this
 * user's runs made (its provenance mark): a mission shipped with a repository names whatever files
 * it likes. What the workspace protects (`.git/`, `.vscode/`, …) is never written, only named.
 */
import { randomBytes } from "node:crypto";
import type { RestoreResult } from "../changes/checkpointStore";
import { protectedFromRestore } from "../changes/protectedPaths";
import type { MissionState, MissionStatus, Revert, TodoState } from "../domain/state";
import { canRevert, canRevertMission, setTodoStatus } from "../domain/transitions";
import type { Checkpoints } from "./changeRecorder";
import type { MissionStore } from "./missionStore";

/** What a revert needs of the checkpoint store beyond what the Commander uses. */
export interface RestoringCheckpoints extends Checkpoints {
  restore(checkpoint: string, paths: readonly string[]): Promise<RestoreResult>;
  unchangedSince(checkpoint: string, path: string): Promise<boolean>;
}

/** `notRestored`: files left as they are, each with why ("the workspace protects it"). */
export type RevertOutcome = { ok: true; revert: Revert; notRestored: RestoreResult["notRestored"] } | { ok: false; reason: string; conflicts?: string[] };

interface Plan {
  todos: TodoState[];
  files: string[];
  /** Where the files go back to. */
  from: string;
  /** The agents' last write: a file that differs from it now was changed since. */
  reference: string;
  label: string;
}

function planFor(state: MissionState, todoId: string | undefined): Plan | string {
  if (todoId === undefined) {
    const changed = state.todos.filter((t) => (t.changes?.files.length ?? 0) > 0);
    // Every file the mission changed goes back, a replaced TODO's too; only live TODOs turn "reverted".
    const files = [...new Set(changed.flatMap((t) => t.changes?.files.map((f) => f.path) ?? []))].sort();
    const todos = changed.filter((t) => t.status !== "reverted" && t.status !== "replaced");
    const { start, end } = state.checkpoints;
    if (!canRevertMission(state) || !start || !end) {
      return !start || !end ? "the mission has no checkpoints to revert to (it ran before checkpoints existed, or git was missing)." : "the mission changed no file that is not reverted already.";
    }
    return { todos, files, from: start, reference: end, label: "the mission" };
  }
  const todo = state.todos.find((t) => t.id === todoId);
  if (!todo) return `it is not in this mission.`;
  const changes = todo.changes;
  if (!canRevert(todo) || !changes?.head) return todo.status === "reverted" ? "it is already reverted." : "it changed no file (or its changes were not recorded).";
  return { todos: [todo], files: changes.files.map((f) => f.path).sort(), from: changes.base, reference: changes.head, label: `TODO ${todo.id}` };
}

/**
 * Reverts one TODO (`todoId`) or the whole mission (undefined). Without `force`, files changed since
 * the agents' last write are listed as conflicts and nothing is touched.
 */
export async function revertChanges(store: MissionStore, checkpoints: RestoringCheckpoints, state: MissionState, todoId: string | undefined, force = false): Promise<RevertOutcome> {
  const notOurs = store.notOurs(state.id);
  if (notOurs) return { ok: false, reason: notOurs };
  const plan = planFor(state, todoId);
  if (typeof plan === "string") return { ok: false, reason: plan };
  const conflicts: string[] = [];
  for (const file of restorable(plan.files)) if (!(await checkpoints.unchangedSince(plan.reference, file))) conflicts.push(file);
  if (conflicts.length && !force) return { ok: false, reason: `${conflicts.length} file(s) changed after the agents' last write: ${conflicts.join(", ")}.`, conflicts };
  const before = await checkpoints.checkpoint(`before reverting ${plan.label}`);
  const restored = await restoreOrRollBack(checkpoints, plan.from, before, plan.files);
  const revert: Revert = {
    id: `R${state.reverts.length + 1}-${randomBytes(2).toString("hex")}`,
    at: Date.now(),
    todoIds: plan.todos.map((t) => t.id),
    mission: todoId === undefined,
    files: plan.files,
    before,
    statuses: Object.fromEntries(plan.todos.map((t) => [t.id, t.status])),
    missionStatus: state.status,
    integrationChecked: state.integrationChecked,
    undone: false,
  };
  for (const t of plan.todos) setTodoStatus(t, "reverted", `reverted by the user (${revert.id})`);
  state.reverts.push(revert);
  // The whole the Reviewer checked is not the workspace any more.
  state.integrationChecked = false;
  // Its work is undone: the mission is no longer sealed, and waits for the user's Retry or Skip.
  setMissionStatus(state, "stopped", `${plan.label} reverted by the user; Retry its TODOs to redo them, or Undo the revert`);
  store.record(state, { type: "changes.reverted", missionId: state.id, revertId: revert.id, todoIds: revert.todoIds, files: revert.files, mission: revert.mission }, plan.todos);
  store.save(state);
  return { ok: true, revert, notRestored: restored.notRestored };
}

/** Undoes the latest revert of the mission not undone yet: the files as they were just before it. */
export async function undoRevert(store: MissionStore, checkpoints: RestoringCheckpoints, state: MissionState, force = false): Promise<RevertOutcome> {
  const notOurs = store.notOurs(state.id);
  if (notOurs) return { ok: false, reason: notOurs };
  const revert = [...state.reverts].reverse().find((r) => !r.undone);
  if (!revert) return { ok: false, reason: "there is no revert to undo." };
  // Redone or skipped since: bringing the old changes back would contradict what the TODO now is.
  const moved = revert.todoIds.filter((id) => state.todos.find((t) => t.id === id)?.status !== "reverted");
  if (moved.length) return { ok: false, reason: `${moved.join(", ")} ${moved.length === 1 ? "was" : "were"} retried or skipped since the revert; revert ${moved.length === 1 ? "it" : "them"} again instead.` };
  // A file edited after the revert is the user's: not overwritten without asking.
  const reverted = revert.mission ? state.checkpoints.start : state.todos.find((t) => t.id === revert.todoIds[0])?.changes?.base;
  const conflicts: string[] = [];
  if (reverted) for (const file of restorable(revert.files)) if (!(await checkpoints.unchangedSince(reverted, file))) conflicts.push(file);
  if (conflicts.length && !force) return { ok: false, reason: `${conflicts.length} file(s) changed after the revert: ${conflicts.join(", ")}.`, conflicts };
  const now = await checkpoints.checkpoint("before undoing a revert");
  const restored = await restoreOrRollBack(checkpoints, revert.before, now, revert.files);
  revert.undone = true;
  if (revert.integrationChecked !== undefined) state.integrationChecked = revert.integrationChecked;
  const todos: TodoState[] = [];
  for (const [id, status] of Object.entries(revert.statuses)) {
    const todo = state.todos.find((t) => t.id === id);
    if (todo?.status !== "reverted") continue;
    setTodoStatus(todo, status, `revert ${revert.id} undone`);
    todos.push(todo);
  }
  if (state.status === "stopped") setMissionStatus(state, revert.missionStatus as MissionStatus, `revert ${revert.id} undone`);
  store.record(state, { type: "revert.undone", missionId: state.id, revertId: revert.id, files: revert.files }, todos);
  store.save(state);
  return { ok: true, revert, notRestored: restored.notRestored };
}

/** The files a restore would write: a protected one is never compared, as it is never written. */
function restorable(files: readonly string[]): string[] {
  return files.filter((file) => !protectedFromRestore(file));
}

/** Restores `files` from `from`; if that fails part way, puts them back as they were (`now`) and rethrows. */
async function restoreOrRollBack(checkpoints: RestoringCheckpoints, from: string, now: string, files: readonly string[]): Promise<RestoreResult> {
  try {
    return await checkpoints.restore(from, files);
  } catch (error) {
    await checkpoints.restore(now, files).catch(() => undefined);
    throw error;
  }
}

function setMissionStatus(state: MissionState, status: MissionStatus, reason: string): void {
  state.status = status;
  state.stopReason = status === "sealed" ? undefined : reason;
}
