/**
 * The three agents the orchestrator registers with OpenCode at server start
 * (through OPENCODE_CONFIG_CONTENT), each with its prompt and the tools it may use.
 */
import { plannerPrompt } from "./prompts/planner";
import { reviewerPrompt } from "./prompts/reviewer";
import { workerPrompt } from "./prompts/worker";
import { ROLES, type Role } from "../domain/roles";

export const agentName = (role: Role): string => `orchestrator-${role}`;

interface AgentDefinition {
  description: string;
  prompt: string;
  /** OpenCode's per-agent tool switches; a role that must not edit cannot. */
  tools?: Record<string, boolean>;
}

/** The read-only chat's search (background/mcpServer.ts): the roles have OpenCode's grep, and every tool offered costs tokens on every request. */
const NO_CHAT_SEARCH = { orchestrator_workspace_search: false };

const DEFINITIONS: Record<Role, AgentDefinition> = {
  planner: {
    description: "Orchestrator Planner: researches and turns a mission into a TODO graph.",
    prompt: plannerPrompt,
    tools: { edit: false, task: false, todowrite: false, ...NO_CHAT_SEARCH },
  },
  worker: {
    description: "Orchestrator Worker: implements exactly one TODO.",
    prompt: workerPrompt,
    tools: { task: false, todowrite: false, ...NO_CHAT_SEARCH },
  },
  reviewer: {
    description: "Orchestrator Reviewer: verifies TODOs, runs build and tests, files sync issues.",
    prompt: reviewerPrompt,
    tools: { write: false, edit: false, task: false, todowrite: false, ...NO_CHAT_SEARCH },
  },
};

export function agentDefinitions(): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    ROLES.map((role) => [agentName(role), { mode: "primary", ...DEFINITIONS[role] }]),
  );
}
