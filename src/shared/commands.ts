/**
 * Every command the extension contributes, named once: the code registers, runs and offers these,
 * and a unit test holds package.json's commands and menus, and trust.ts's classification, to them.
 */
export const COMMANDS = {
  runTask: "orchestrator.runTask",
  ask: "orchestrator.ask",
  resume: "orchestrator.resume",
  stop: "orchestrator.stop",
  approvePlan: "orchestrator.approvePlan",
  replanPlan: "orchestrator.replanPlan",
  cancelPlan: "orchestrator.cancelPlan",
  showPlanApproval: "orchestrator.showPlanApproval",
  openDashboard: "orchestrator.openDashboard",
  showLog: "orchestrator.showLog",
  setServerPassword: "orchestrator.setServerPassword",
  retryTodo: "orchestrator.retryTodo",
  skipTodo: "orchestrator.skipTodo",
  openTodoSession: "orchestrator.openTodoSession",
  openTodoFiles: "orchestrator.openTodoFiles",
  openSession: "orchestrator.openSession",
  abortSession: "orchestrator.abortSession",
  showJob: "orchestrator.showJob",
  killJob: "orchestrator.killJob",
  setMissionAside: "orchestrator.setMissionAside",
  showTodoChanges: "orchestrator.showTodoChanges",
  reviewMissionChanges: "orchestrator.reviewMissionChanges",
  revertTodo: "orchestrator.revertTodo",
  revertMission: "orchestrator.revertMission",
  undoRevert: "orchestrator.undoRevert",
  openMission: "orchestrator.openMission",
  showMissionReport: "orchestrator.showMissionReport",
  deleteMission: "orchestrator.deleteMission",
} as const;

export type CommandName = keyof typeof COMMANDS;
export type CommandId = (typeof COMMANDS)[CommandName];
export const COMMAND_IDS = Object.values(COMMANDS) as readonly CommandId[];

/** The views of the Orchestrator container. */
export const VIEWS = {
  todos: "orchestrator.todos",
  sessions: "orchestrator.sessions",
  jobs: "orchestrator.jobs",
  missions: "orchestrator.missions",
} as const;

/** VS Code's own command that shows a view. */
export const focusView = (view: (typeof VIEWS)[keyof typeof VIEWS]): string => `${view}.focus`;

/** The context keys the menus' `when` clauses read. */
export const CONTEXT_KEYS = {
  /** From the press of Run Task to the mission's end. */
  running: "orchestrator.running",
  /** A plan waits for the user's answer now. */
  awaitingApproval: "orchestrator.awaitingApproval",
} as const;

/** The command that gives each answer to a plan approval. */
export const PLAN_APPROVAL_COMMANDS = { approve: COMMANDS.approvePlan, replan: COMMANDS.replanPlan, cancel: COMMANDS.cancelPlan } as const;
