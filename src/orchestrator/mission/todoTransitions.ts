/**
 * What follows a TODO's status change, wherever it comes from (the loop, a verdict, the user's
 * Retry or Skip): the ready queue learns it, the journal records it before anyone hears of it, the
 * TODO lets go of its files once accepted or out of the plan's way (sent back, it keeps them for its
 * next attempt), and a closed record may leave memory.
 */
import type { OrchestratorEvent } from "../domain/events";
import type { MissionState, TodoState, TodoStatus } from "../domain/state";
import { setTodoStatus } from "../domain/transitions";
import type { ReadyQueue } from "../todo/readyQueue";
import { isClosed, type MemoryBound } from "./memoryBound";
import type { ScopeAnswers } from "./scopeAnswers";

/** A TODO in one of these lets go of its files: accepted, or out of the plan's way. */
const LETS_GO_OF_FILES: ReadonlySet<TodoStatus> = new Set(["done", "failed", "blocked", "replaced", "skipped", "reverted"]);

export interface TodoTransitionsDeps {
  state: MissionState;
  queue: ReadyQueue;
  scopes: ScopeAnswers;
  memory: MemoryBound;
  todo(id: string): TodoState | undefined;
  persist(event: OrchestratorEvent, todos?: readonly TodoState[]): void;
}

export class TodoTransitions {
  constructor(private readonly deps: TodoTransitionsDeps) {}

  /** Every TODO status change of the mission's own goes through here. */
  readonly to = (todo: TodoState, to: TodoStatus, note?: string): void => {
    const { queue, scopes } = this.deps;
    const from = setTodoStatus(todo, to, note);
    queue.statusChanged(todo, from);
    this.deps.persist({ type: "todo.status", missionId: this.deps.state.id, todoId: todo.id, from, to, note }, [todo]);
    if (LETS_GO_OF_FILES.has(to)) scopes.released(todo.id);
    else if (to === "pending" && (from === "running" || from === "review")) scopes.sentBack(todo.id);
    if (isClosed(todo)) this.deps.memory.closed(todo);
  };

  /** The user's edit of a TODO (domain/transitions.ts says what may be edited); false when it may not. */
  byUser(id: string, edit: (state: MissionState, id: string) => TodoState | undefined, note: string): boolean {
    const { state, queue } = this.deps;
    const stub = this.deps.todo(id);
    this.deps.memory.restore(stub);
    const from = stub?.status;
    const todo = edit(state, id);
    if (!todo || !from) return false;
    queue.statusChanged(todo, from);
    this.deps.persist({ type: "todo.status", missionId: state.id, todoId: id, from, to: todo.status, note }, [todo]);
    if (LETS_GO_OF_FILES.has(todo.status)) this.deps.scopes.released(todo.id);
    return true;
  }
}
