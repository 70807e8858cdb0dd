/**
 * Checks a plan before anything runs: unique ids, known dependencies, no cycles. Every problem is
 * stated exactly, because the message goes back to the Planner as it is. What can be repaired
 * without guessing is repaired instead (a replan that reuses ids of the mission's TODOs); only
 * what cannot goes back.
 */
import { freshTodoId } from "../domain/ids";
import type { PlannedTodo } from "../domain/schemas";

/** What a replan is checked against: the mission's TODOs, and those this replan replaces. */
export interface PlanContext {
  /** Every TODO id of the mission (replaced ones included): a new TODO may depend on them, its id is never one of them. */
  existingIds: ReadonlySet<string>;
  /** The TODOs the replan replaces: they leave the graph, so a dependency on one would never be met. */
  replacedIds?: ReadonlySet<string>;
}

export interface RepairedPlan {
  todos: PlannedTodo[];
  /** The Planner's id → the id the orchestrator gave it, for each id the Planner reused. */
  renamed: Map<string, string>;
  /** What could not be repaired, in the Planner's own ids: the plan goes back with these. */
  problems: string[];
}

/**
 * A plan ready to join the mission, or its problems. A TODO whose id the mission already has gets a
 * fresh id (ids are the orchestrator's bookkeeping), and the plan's dependencies on that id follow it:
 * within a plan, an id names that plan's own TODO — the Planner wrote it there — so a dependency on
 * a reused id means the new TODO, never the old one of the same name. The one exception is a TODO
 * that depends on its own reused id: it cannot wait for itself, so it means the old TODO; and when
 * that old TODO is one this replan replaces, the dependency names what the new TODO takes the place
 * of and is dropped. An id used twice in the plan is not repaired (which of the two would a
 * dependency mean?).
 */
export function repairPlan(todos: readonly PlannedTodo[], context: PlanContext): RepairedPlan {
  const { existingIds, replacedIds = new Set<string>() } = context;
  const count = new Map<string, number>();
  for (const t of todos) count.set(t.id, (count.get(t.id) ?? 0) + 1);
  const taken = new Set([...existingIds, ...count.keys()]);
  const renamed = new Map<string, string>();
  for (const t of todos) {
    if (!existingIds.has(t.id) || count.get(t.id) !== 1) continue;
    const fresh = freshTodoId(t.id, taken);
    taken.add(fresh);
    renamed.set(t.id, fresh);
  }
  const repaired = todos.map((t) => {
    const dependsOn = t.dependsOn.flatMap((dep) => {
      const fresh = renamed.get(dep);
      if (!fresh) return [dep];
      if (dep !== t.id) return [fresh];
      return replacedIds.has(dep) ? [] : [dep];
    });
    return { ...t, id: renamed.get(t.id) ?? t.id, dependsOn: [...new Set(dependsOn)] };
  });
  // Problems name TODOs as the Planner wrote them: it never saw the ids given in their place.
  const original = new Map([...renamed].map(([from, to]) => [to, from]));
  const spelled = (id: string) => original.get(id) ?? id;
  return { todos: repaired, renamed, problems: planProblems(repaired, existingIds, replacedIds, spelled) };
}

/**
 * `existingIds`: TODOs already in the mission (a replan may depend on them but not reuse their ids);
 * `replacedIds`: those the replan replaces; `spelled`: how the Planner named a TODO (see repairPlan).
 */
export function planProblems(todos: readonly PlannedTodo[], existingIds: ReadonlySet<string> = new Set(), replacedIds: ReadonlySet<string> = new Set(), spelled: (id: string) => string = (id) => id): string[] {
  const problems: string[] = [];
  if (todos.length === 0) problems.push("The plan has no TODOs.");
  const seen = new Set<string>();
  for (const todo of todos) {
    if (seen.has(todo.id)) problems.push(`TODO id "${todo.id}" is used more than once.`);
    if (existingIds.has(todo.id)) problems.push(`TODO id "${todo.id}" already exists in the mission; choose a new id.`);
    seen.add(todo.id);
  }
  for (const todo of todos) {
    for (const dep of todo.dependsOn) {
      if (dep === todo.id) problems.push(`TODO "${spelled(todo.id)}" depends on itself.`);
      else if (seen.has(dep)) continue;
      else if (!existingIds.has(dep)) problems.push(`TODO "${spelled(todo.id)}" depends on unknown TODO ${JSON.stringify(dep)}.`);
      else if (replacedIds.has(dep)) problems.push(`TODO "${spelled(todo.id)}" depends on "${dep}", which this replan replaces: depend on the new TODO that takes its place, or on none.`);
    }
  }
  const cycle = findCycle(todos);
  if (cycle) problems.push(`The dependencies form a cycle: ${cycle.map(spelled).join(" → ")}.`);
  return problems;
}

/** One dependency cycle as a path (first id repeated at the end), or undefined. */
export function findCycle(todos: readonly Pick<PlannedTodo, "id" | "dependsOn">[]): string[] | undefined {
  const deps = new Map(todos.map((t) => [t.id, t.dependsOn.filter((d) => d !== t.id)]));
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === "done") return undefined;
    if (state.get(id) === "visiting") return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, "visiting");
    stack.push(id);
    for (const dep of deps.get(id) ?? []) {
      if (!deps.has(dep)) continue;
      const found = visit(dep);
      if (found) return found;
    }
    stack.pop();
    state.set(id, "done");
    return undefined;
  };
  for (const todo of todos) {
    const found = visit(todo.id);
    if (found) return found;
  }
  return undefined;
}
