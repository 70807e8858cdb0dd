/**
 * What a mission needs of the user's settings, and how they are read: every `orchestrator.*` value is
 * checked against the settings table before use. A value of the wrong type or out of bounds never
 * stops the user (nor crashes a command): it is replaced by the default and a problem names the
 * setting and the value used instead. The extension hands in VS Code's configuration (settings.ts).
 */
import { ROLES, type Role } from "../domain/roles";
import { parseModelRef, type ModelRef } from "../domain/modelRef";
import { limitsFromSettings, type CommanderLimits } from "../mission/limits";
import { checkChoice, checkNumber, checkServers, type ApprovePlanMode, type SandboxSetting, NUMBER_KEYS, NUMBER_SETTINGS, SETTINGS, STRING_SETTINGS, type Checked, type DemoMode, type NumberSettingKey, type NumberSettingValues, type ServerCount, type StringSetting, type StringSettingKey } from "../settings/settingsTable";

export type { DemoMode };

/** How to get an engine: which binary, or which running server, and when to use the demo model. */
export interface EngineSettings {
  opencodePath: string;
  serverUrl: string;
  model: ModelRef | undefined;
  demoMode: DemoMode;
  /** orchestrator.servers: how many OpenCode servers the pool may run (absent: auto). */
  servers?: ServerCount;
  /** orchestrator.sandbox: agents' commands confined by bubblewrap, or not (absent: off). */
  sandbox?: SandboxSetting;
}

export interface HostSettings extends EngineSettings {
  /** Per-role models (orchestrator.models.<role>), over `model`. */
  models: Partial<Record<Role, ModelRef>>;
  limits: Partial<CommanderLimits>;
  /** The project's whole check (orchestrator.checkCommand); empty: the plan's, if any. */
  checkCommand?: string;
  /** orchestrator.pickModel: Run Task asks which model runs the mission, or not. */
  pickModel?: "ask" | "never";
  /** orchestrator.approvePlan: when a plan waits for the user's Approve (absent: never, as for tests and the API). */
  approvePlan?: ApprovePlanMode;
}

const STRING_KEYS = Object.keys(STRING_SETTINGS) as StringSettingKey[];

/** A text setting: a string, or its default (a number, a list, an object in settings.json is a mistake to name). */
export function checkString(key: StringSettingKey, value: unknown): Checked<string> {
  const fallback = STRING_SETTINGS[key].default;
  if (value === undefined || value === null) return { value: fallback };
  if (typeof value === "string") return { value };
  return { value: fallback, problem: `orchestrator.${key} ${JSON.stringify(value)} is not text (a string in quotes); using ${fallback ? `"${fallback}"` : "none"}.` };
}

/** An attached server's address: empty (start our own), or an http(s) URL. */
function checkServerUrl(value: string): Checked<string> {
  if (!value) return { value };
  try {
    const url = new URL(value);
    if (url.protocol === "http:" || url.protocol === "https:") return { value };
  } catch {
    // named below
  }
  return { value: "", problem: `orchestrator.opencode.serverUrl "${value}" is not an http:// address (e.g. http://127.0.0.1:4096); starting an OpenCode server of our own instead.` };
}

/** A setting as VS Code layers it: the user's value (user or remote settings) and the workspace's (workspace or folder settings); absent where unset. */
export interface SettingLayers {
  user?: unknown;
  workspace?: unknown;
}

/**
 * Reads and checks every setting. `get(key)` gives the values configured for `orchestrator.<key>`,
 * of any type: they come from files the user or a workspace wrote. A machine-scoped setting is read
 * from the user's settings only — VS Code does not apply a workspace's value, and neither do we,
 * should one reach us (a cloned repository's `.vscode/settings.json` must not name a command to run).
 */
export function readHostSettings(get: (key: string) => SettingLayers): { settings: HostSettings; problems: string[] } {
  const problems: string[] = [];
  const use = <T>(checked: Checked<T>): T => {
    if (checked.problem) problems.push(checked.problem);
    return checked.value;
  };
  const valueOf = (key: StringSettingKey | NumberSettingKey): unknown => {
    const { user, workspace } = get(key);
    if (SETTINGS[key].type === "string" && (SETTINGS[key] as StringSetting).scope === "machine") {
      if (workspace !== undefined) problems.push(`orchestrator.${key} in this workspace's settings is ignored: only your user settings may set it. Set it there if you mean it.`);
      return user;
    }
    return workspace ?? user;
  };
  const strings = Object.fromEntries(STRING_KEYS.map((key) => [key, use(checkString(key, valueOf(key))).trim()])) as Record<StringSettingKey, string>;

  const modelOf = (key: "model" | `models.${Role}`): ModelRef | undefined => {
    try {
      return parseModelRef(strings[key]);
    } catch {
      problems.push(`orchestrator.${key} "${strings[key]}" is not of the form provider/model; using ${key === "model" ? "OpenCode's default model" : "orchestrator.model"} instead.`);
      return undefined;
    }
  };
  const models: Partial<Record<Role, ModelRef>> = {};
  for (const role of ROLES) {
    const m = modelOf(`models.${role}`);
    if (m) models[role] = m;
  }

  const numbers = {} as NumberSettingValues;
  for (const key of NUMBER_KEYS) numbers[key] = use(checkNumber(key, valueOf(key) ?? NUMBER_SETTINGS[key].default));

  const settings: HostSettings = {
    opencodePath: strings["opencode.path"],
    serverUrl: use(checkServerUrl(strings["opencode.serverUrl"])),
    model: modelOf("model"),
    models,
    demoMode: use(checkChoice("demoMode", strings.demoMode)),
    servers: use(checkServers(strings.servers)),
    sandbox: use(checkChoice("sandbox", strings.sandbox)),
    limits: limitsFromSettings(numbers),
    checkCommand: strings.checkCommand,
    pickModel: use(checkChoice("pickModel", strings.pickModel)),
    approvePlan: use(checkChoice("approvePlan", strings.approvePlan)),
  };
  return { settings, problems };
}
