/**
 * OpenCode's built-in tools as each major names them. OpenCode 2 renamed tools (`bash` → `shell`,
 * `task` → `subagent`, `apply_patch` → `patch`), their path argument (`filePath` → `path`), and the
 * permission actions (every write is `edit`). The orchestrator speaks OpenCode 1's names (the
 * engine port's vocabulary); this table translates: OpenCode 2's events into them, our permission
 * rules out of them, the scripted model's calls into what the server it serves offers.
 */

interface ToolRename {
  /** OpenCode 2's name. */
  v2: string;
  /** Arguments renamed: OpenCode 1's name → OpenCode 2's. */
  args?: Record<string, string>;
}

const PATH = { filePath: "path" };

/** OpenCode 1's tool name → OpenCode 2's (tools missing here have one name in both). */
const TOOLS: Record<string, ToolRename> = {
  bash: { v2: "shell" },
  task: { v2: "subagent", args: { subagent_type: "agent" } },
  apply_patch: { v2: "patch" },
  write: { v2: "write", args: PATH },
  edit: { v2: "edit", args: PATH },
  read: { v2: "read", args: PATH },
};

const V1_OF: Record<string, string> = Object.fromEntries(Object.entries(TOOLS).map(([v1, t]) => [t.v2, v1]));

const renameKeys = (args: Record<string, unknown>, names: Record<string, string> | undefined): Record<string, unknown> =>
  names ? Object.fromEntries(Object.entries(args).map(([key, value]) => [names[key] ?? key, value])) : { ...args };

const invert = (names: Record<string, string> | undefined) => (names ? Object.fromEntries(Object.entries(names).map(([a, b]) => [b, a])) : undefined);

/** An OpenCode 2 tool call in OpenCode 1's names (the port's vocabulary). */
export function toV1Call(tool: string, args: Record<string, unknown>): { tool: string; args: Record<string, unknown> } {
  const v1 = V1_OF[tool] ?? tool;
  return { tool: v1, args: renameKeys(args, invert(TOOLS[v1]?.args)) };
}

/** An OpenCode 1 tool call in OpenCode 2's names. */
export function toV2Call(tool: string, args: Record<string, unknown>): { tool: string; args: Record<string, unknown> } {
  const rename = TOOLS[tool];
  // The description OpenCode 1's bash asks for is no argument of OpenCode 2's shell (it refuses extra keys).
  const own = tool === "bash" ? Object.fromEntries(Object.entries(args).filter(([key]) => key !== "description")) : args;
  return { tool: rename?.v2 ?? tool, args: renameKeys(own, rename?.args) };
}

/** OpenCode 1's permission names → OpenCode 2's actions (writes of every kind are `edit`). */
const ACTIONS: Record<string, string> = { bash: "shell", task: "subagent", write: "edit", apply_patch: "edit", patch: "edit", multiedit: "edit" };
const V1_ACTIONS: Record<string, string> = { shell: "bash", subagent: "task" };

export const toV2Action = (permission: string): string => ACTIONS[permission] ?? permission;
export const toV1Permission = (action: string): string => V1_ACTIONS[action] ?? action;
