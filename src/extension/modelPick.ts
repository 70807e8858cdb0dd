/**
 * Run Task's model pick: the models OpenCode has configured (its providers), the last choice first,
 * each with its price where OpenCode's model data knows it, and OpenCode's default once, named.
 * The list shown at once is the last one OpenCode gave (kept in the workspace's state), refreshed
 * from OpenCode in the background; only the very first pick waits for OpenCode to list them.
 * orchestrator.pickModel "never" skips it (orchestrator.model, or OpenCode's default, is used).
 * Nothing to pick in demo mode.
 */
import * as vscode from "vscode";
import type { HostSettings } from "../orchestrator/host/missionHost";
import { ModelChoice } from "../shared/actions";

/** A model as OpenCode names it: provider and model id. */
type ModelRef = NonNullable<HostSettings["model"]>;

const LAST_MODEL_KEY = "orchestrator.lastModel";
/** The last model list OpenCode gave in this workspace. */
const MODEL_LIST_KEY = "orchestrator.modelList";

interface ModelItem extends vscode.QuickPickItem {
  model?: ModelRef;
}

const refOf = (m: ModelChoice): string => `${m.providerID}/${m.modelID}`;
const price = (m: ModelChoice) => (m.cost ? vscode.l10n.t("${0}/M in · ${1}/M out", m.cost.input, m.cost.output) : "");

/**
 * The items, in order: the last choice (or the configured model), then every model by provider —
 * each once: OpenCode's default is the model it is, marked as the default. Only when OpenCode names
 * no default is "OpenCode's default model" an item of its own (the mission then runs on whatever it picks).
 */
export function modelItems(models: readonly ModelChoice[], last: string | undefined): ModelItem[] {
  const items: ModelItem[] = [];
  const first = models.find((m) => refOf(m) === last);
  const byDefault = models.find((m) => m.isDefault);
  const item = (m: ModelChoice, ...why: string[]): ModelItem => ({ label: m.name, description: [refOf(m), ...why, m === byDefault ? vscode.l10n.t("OpenCode's default") : ""].filter(Boolean).join(" · "), detail: price(m) || undefined, model: { providerID: m.providerID, modelID: m.modelID } });
  if (first) items.push(item(first, vscode.l10n.t("last used")));
  if (!byDefault) items.push({ label: vscode.l10n.t("OpenCode's default model") });
  let provider = "";
  for (const m of models) {
    if (m === first) continue;
    if (m.providerName !== provider) {
      provider = m.providerName;
      items.push({ label: provider, kind: vscode.QuickPickItemKind.Separator });
    }
    items.push(item(m));
  }
  return items;
}

/** Keeps the models OpenCode listed (the Orchestrator view opened, or a pick): the next pick shows them at once. */
export async function keepModelList(context: vscode.ExtensionContext, listed: { models: ModelChoice[]; demo: boolean }): Promise<void> {
  if (!listed.demo && listed.models.length) await context.workspaceState.update(MODEL_LIST_KEY, listed.models);
}

/** The list kept from the last pick, if it still reads as one (the workspace's state is the user's, but old versions wrote other shapes). */
function keptList(context: vscode.ExtensionContext): ModelChoice[] | undefined {
  const parsed = ModelChoice.array().safeParse(context.workspaceState.get(MODEL_LIST_KEY));
  return parsed.success && parsed.data.length ? parsed.data : undefined;
}

/**
 * Asks which model the mission's agents use. Resolves to the model (undefined = OpenCode's
 * default), or "cancelled" when the user backs out (then no mission starts).
 */
export async function pickModel(context: vscode.ExtensionContext, configured: ModelRef | undefined, load: () => Promise<{ models: ModelChoice[]; demo: boolean }>): Promise<ModelRef | undefined | "cancelled"> {
  const pick = vscode.window.createQuickPick<ModelItem>();
  pick.title = vscode.l10n.t("Orchestrator: which model runs the mission?");
  const last = context.globalState.get<string>(LAST_MODEL_KEY) ?? (configured ? `${configured.providerID}/${configured.modelID}` : undefined);
  const ready = vscode.l10n.t("Pick a model (Escape cancels the mission); orchestrator.pickModel: never skips this");
  const kept = keptList(context);
  // What OpenCode listed last time, at once; the fresh list replaces it when it comes.
  if (kept) {
    pick.items = modelItems(kept, last);
    pick.placeholder = ready;
  } else pick.placeholder = vscode.l10n.t("Starting OpenCode to list its models…");
  pick.busy = true;
  pick.ignoreFocusOut = true;
  pick.show();
  try {
    const chosen = new Promise<ModelItem | undefined>((resolve) => {
      pick.onDidAccept(() => resolve(pick.selectedItems[0] ?? pick.activeItems[0]));
      pick.onDidHide(() => resolve(undefined));
    });
    // OpenCode that cannot start is the mission's to report (with its way out): no pick then.
    const listing = load().catch(() => ({ models: [], demo: false }));
    const loaded = await Promise.race([listing, chosen.then(() => undefined)]);
    if (!loaded) {
      // Picked from the kept list before OpenCode answered (or Escape).
      const item = await chosen;
      return item ? remember(context, item) : "cancelled";
    }
    if (loaded.demo || loaded.models.length === 0) return configured; // demo mode or nothing listed: nothing to choose
    await keepModelList(context, loaded);
    const active = pick.activeItems[0]?.model;
    pick.items = modelItems(loaded.models, last);
    // The fresh list keeps the user's place in it.
    const again = active && pick.items.find((i) => i.model?.providerID === active.providerID && i.model.modelID === active.modelID);
    if (again) pick.activeItems = [again];
    pick.placeholder = ready;
    pick.busy = false;
    const item = await chosen;
    return item ? remember(context, item) : "cancelled";
  } finally {
    pick.dispose();
  }
}

async function remember(context: vscode.ExtensionContext, item: ModelItem): Promise<ModelRef | undefined> {
  if (item.model) await context.globalState.update(LAST_MODEL_KEY, `${item.model.providerID}/${item.model.modelID}`);
  return item.model;
}
