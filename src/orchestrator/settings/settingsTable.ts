/**
 * Every `orchestrator.*` setting in one table: type, default, bounds and, for a number, the
 * Commander limit it feeds. The extension validates against it, DEFAULT_LIMITS comes from it, and
 * test/unit/settingsTable.test.ts holds package.json's contributes.configuration to it.
 */
import { ROLES, type Role } from "../domain/roles";
import { MAX_PARALLEL_SESSIONS } from "../schedule/adaptiveLimit";

export interface StringSetting {
  type: "string";
  default: string;
  enum?: readonly string[];
  /**
   * "machine": only the user's own settings (user or remote) may set it, never a workspace's: it
   * names a program to run, a server to trust, a command to run, or how confined agents are.
   */
  scope?: "machine";
}

export interface NumberSetting {
  type: "integer" | "number";
  default: number;
  minimum: number;
  /** Absent: no bound in the settings UI; the extension still stops at Number.MAX_SAFE_INTEGER. */
  maximum?: number;
  /** The Commander limit (a path into CommanderLimits) this setting feeds. */
  feeds: string;
  /** The setting's unit in the limit's unit (seconds → ms: 1000); absent: 1. */
  scale?: number;
}

export type Setting = StringSetting | NumberSetting;

/** orchestrator.approvePlan: when a plan waits for the user before any Worker starts (mission/planApproval.ts). */
export const APPROVE_PLAN_MODES = ["always", "aboveCost", "never"] as const;
export type ApprovePlanMode = (typeof APPROVE_PLAN_MODES)[number];

export const DEMO_MODES = ["auto", "always", "never"] as const;
export type DemoMode = (typeof DEMO_MODES)[number];
const DEFAULT_DEMO_MODE: DemoMode = "auto";

/** orchestrator.sandbox: agents' commands as they are, or confined by bubblewrap (process/agentShell.ts). */
export const SANDBOX_MODES = ["off", "bubblewrap"] as const;
export type SandboxSetting = (typeof SANDBOX_MODES)[number];

/** orchestrator.servers: how many OpenCode servers the pool may run; "auto" sizes it (engine/poolSize.ts). */
export const MAX_SERVERS = 16;
export const SERVER_COUNTS = ["auto", ...Array.from({ length: MAX_SERVERS }, (_, i) => String(i + 1))] as const;
export type ServerCount = "auto" | number;

// One per role, so a new role cannot ship without its model setting.
const roleModels = Object.fromEntries(ROLES.map((role) => [`models.${role}`, { type: "string", default: "" }])) as Record<`models.${Role}`, StringSetting>;

const stringSettings = {
  "opencode.path": { type: "string", default: "", scope: "machine" },
  "opencode.serverUrl": { type: "string", default: "", scope: "machine" },
  model: { type: "string", default: "" },
  ...roleModels,
  demoMode: { type: "string", default: DEFAULT_DEMO_MODE, enum: DEMO_MODES },
  // A string enum: the settings UI offers "auto" and each count; checkServers also takes a number.
  servers: { type: "string", default: "auto", enum: SERVER_COUNTS },
  sandbox: { type: "string", default: "off", enum: SANDBOX_MODES, scope: "machine" },
  // Run Task asks which model runs the mission ("ask"), or uses orchestrator.model / OpenCode's default ("never").
  pickModel: { type: "string", default: "ask", enum: ["ask", "never"] as const },
  // A plan waits for the user's Approve: always, when its estimate passes approveAboveUsd, or never.
  approvePlan: { type: "string", default: "aboveCost", enum: APPROVE_PLAN_MODES },
  // The project's whole check, run before the review of the whole; empty: the plan's, if it gives one.
  // A command to run: the user's to set, never a cloned repository's.
  checkCommand: { type: "string", default: "", scope: "machine" },
} satisfies Record<string, StringSetting>;

const numberSettings = {
  maxParallelSessions: { type: "integer", default: 10, minimum: 1, maximum: MAX_PARALLEL_SESSIONS, feeds: "maxParallelSessions" },
  maxIterations: { type: "integer", default: 20, minimum: 1, maximum: 200, feeds: "maxIterations" },
  recoveryAttempts: { type: "integer", default: 3, minimum: 1, maximum: 10, feeds: "recoveryAttempts" },
  maxTasksInMemory: { type: "integer", default: 1000, minimum: 10, maximum: 1_000_000, feeds: "maxTasksInMemory" },
  turnLivenessSeconds: { type: "number", default: 300, minimum: 10, maximum: 3600, feeds: "livenessMs", scale: 1000 },
  permissionTimeoutMinutes: { type: "number", default: 15, minimum: 1, maximum: 24 * 60, feeds: "permissionTimeoutMs", scale: 60_000 },
  checkTimeoutSeconds: { type: "number", default: 600, minimum: 5, maximum: 7200, feeds: "checkTimeoutMs", scale: 1000 },
  sessionTtlMinutes: { type: "number", default: 60, minimum: 1, maximum: 24 * 60, feeds: "sessionTtlMs", scale: 60_000 },
  // 0: no budget.
  "budget.maxTokens": { type: "integer", default: 0, minimum: 0, feeds: "budget.maxTokens" },
  "budget.maxCostUsd": { type: "number", default: 0, minimum: 0, maximum: 1_000_000, feeds: "budget.maxCostUsd" },
  approveAboveUsd: { type: "number", default: 1, minimum: 0, maximum: 1_000_000, feeds: "approveAboveUsd" },
} satisfies Record<string, NumberSetting>;

export type StringSettingKey = keyof typeof stringSettings;
export type NumberSettingKey = keyof typeof numberSettings;
export type NumberSettingValues = Record<NumberSettingKey, number>;

export const STRING_SETTINGS: Readonly<Record<StringSettingKey, StringSetting>> = stringSettings;
export const NUMBER_SETTINGS: Readonly<Record<NumberSettingKey, NumberSetting>> = numberSettings;
/** Keyed by the name after `orchestrator.`. */
export const SETTINGS: Readonly<Record<StringSettingKey | NumberSettingKey, Setting>> = { ...stringSettings, ...numberSettings };

export const NUMBER_KEYS = Object.keys(numberSettings) as NumberSettingKey[];

export const NUMBER_DEFAULTS: Readonly<NumberSettingValues> = Object.fromEntries(NUMBER_KEYS.map((key) => [key, numberSettings[key].default])) as NumberSettingValues;

/** A value read for a setting: the one to use, and why the one given was not (if it was not). */
export interface Checked<T> {
  value: T;
  problem?: string;
}

export function checkNumber(key: NumberSettingKey, value: unknown): Checked<number> {
  const s = NUMBER_SETTINGS[key];
  const max = s.maximum ?? Number.MAX_SAFE_INTEGER;
  const integer = s.type === "integer";
  if (typeof value === "number" && Number.isFinite(value) && value >= s.minimum && value <= max && (!integer || Number.isInteger(value))) return { value };
  return { value: s.default, problem: `orchestrator.${key} ${JSON.stringify(value)} is not ${integer ? "a whole number" : "a number"} in ${s.minimum}–${max}; using ${s.default}.` };
}

/** The text settings that offer a fixed list of choices. */
type ChoiceKey = { [K in StringSettingKey]: (typeof stringSettings)[K] extends { enum: readonly string[] } ? K : never }[StringSettingKey];
type ChoiceOf<K extends ChoiceKey> = (typeof stringSettings)[K]["enum"][number];

/** One of the setting's choices, or its default with the problem named. */
export function checkChoice<K extends ChoiceKey>(key: K, value: unknown): Checked<ChoiceOf<K>> {
  const { enum: choices, default: fallback } = stringSettings[key];
  if ((choices as readonly unknown[]).includes(value)) return { value: value as ChoiceOf<K> };
  return { value: fallback as ChoiceOf<K>, problem: `orchestrator.${key} "${String(value)}" is not ${orList(choices)}; using ${fallback}.` };
}

/** "auto", or a whole number of servers in 1–16 (as a number or as its digits). */
export function checkServers(value: unknown): Checked<ServerCount> {
  if (value === "auto") return { value };
  const n = typeof value === "string" && /^\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof n === "number" && Number.isInteger(n) && n >= 1 && n <= MAX_SERVERS) return { value: n };
  return { value: "auto", problem: `orchestrator.servers ${JSON.stringify(value)} is not "auto" or a whole number in 1–${MAX_SERVERS}; using auto.` };
}

function orList(items: readonly string[]): string {
  return items.length < 2 ? items.join("") : `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`;
}
