/**
 * Checks a plan before anything runs: unique ids, known dependencies, no cycles. Every problem is
 * stated exactly, because the message goes back to the Planner as it is.
 */
import type { PlannedTodo } from "../domain/schemas";

/** `existingIds`: TODOs already in the mission (a replan may depend on them but not reuse their ids). */
export function planProblems(todos: readonly PlannedTodo[], existingIds: ReadonlySet<string> = new Set()): string[] {
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
      if (dep === todo.id) problems.push(`TODO "${todo.id}" depends on itself.`);
      else if (!seen.has(dep) && !existingIds.has(dep)) problems.push(`TODO "${todo.id}" depends on unknown TODO ${JSON.stringify(dep)}.`);
    }
  }
  const cycle = findCycle(todos);
  if (cycle) problems.push(`The dependencies form a cycle: ${cycle.join(" → ")}.`);
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
