/**
 * The three agents the orchestrator registers with OpenCode at server start (through
 * OPENCODE_CONFIG_CONTENT), each with its prompt and the tools it must not use. Written once here,
 * rendered in each OpenCode's own shape by the engine (OpenCode 1: per-agent tool switches;
 * OpenCode 2: per-agent permission rules).
 */
import { plannerPrompt } from "./prompts/planner";
import { reviewerPrompt } from "./prompts/reviewer";
import { workerPrompt } from "./prompts/worker";
import { REPORT_TOOLS } from "./reportTools";
import { ROLES, type Role } from "../domain/roles";

export const agentName = (role: Role): string => `orchestrator-${role}`;

export interface AgentDefinition {
  role: Role;
  description: string;
  prompt: string;
  /** Tools the role must not use, by OpenCode 1's names: a role that must not edit cannot. */
  denied: readonly string[];
}

/** The read-only chat's search (background/mcpServer.ts): the roles have OpenCode's grep, and every tool offered costs tokens on every request. */
const CHAT_SEARCH = "orchestrator_workspace_search";

const DEFINITIONS: Record<Role, AgentDefinition> = {
  planner: {
    role: "planner",
    description: "Orchestrator Planner: researches and turns a mission into a TODO graph.",
    prompt: plannerPrompt,
    denied: ["edit", "task", "todowrite", CHAT_SEARCH],
  },
  worker: {
    role: "worker",
    description: "Orchestrator Worker: implements exactly one TODO.",
    prompt: workerPrompt,
    denied: ["task", "todowrite", CHAT_SEARCH],
  },
  reviewer: {
    role: "reviewer",
    description: "Orchestrator Reviewer: verifies TODOs, runs build and tests, files sync issues.",
    prompt: reviewerPrompt,
    denied: ["write", "edit", "task", "todowrite", CHAT_SEARCH],
  },
};

/** The roles' agents, by agent name, in no engine's shape. */
export function roleAgents(): Array<AgentDefinition & { name: string }> {
  return ROLES.map((role) => ({ name: agentName(role), ...DEFINITIONS[role] }));
}

/**
 * The agents in OpenCode 1's shape. Its results come through its json_schema format, so no role is
 * offered a report tool (each would cost tokens on every request).
 */
export function agentDefinitions(): Record<string, Record<string, unknown>> {
  const noReports = Object.fromEntries(REPORT_TOOLS.map((t) => [t.offered, false]));
  return Object.fromEntries(
    roleAgents().map((a) => [a.name, { mode: "primary", description: a.description, prompt: a.prompt, tools: { ...Object.fromEntries(a.denied.map((tool) => [tool, false])), ...noReports } }]),
  );
}
