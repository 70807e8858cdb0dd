/**
 * Run Task's model pick: the models OpenCode has configured (its providers), the last choice first,
 * each with its price where OpenCode's model data knows it. orchestrator.pickModel "never" skips it
 * (orchestrator.model, or OpenCode's default, is used). Nothing to pick in demo mode.
 */
import * as vscode from "vscode";
import type { HostSettings } from "../orchestrator/host/missionHost";
import type { ModelChoice } from "../shared/actions";

/** A model as OpenCode names it: provider and model id. */
type ModelRef = NonNullable<HostSettings["model"]>;

const LAST_MODEL_KEY = "orchestrator.lastModel";

interface ModelItem extends vscode.QuickPickItem {
  model?: ModelRef;
}

const refOf = (m: ModelChoice): string => `${m.providerID}/${m.modelID}`;
const price = (m: ModelChoice) => (m.cost ? vscode.l10n.t("${0}/M in · ${1}/M out", m.cost.input, m.cost.output) : "");

/** The items, in order: the last choice (or the configured model), OpenCode's default, then every model by provider. */
export function modelItems(models: readonly ModelChoice[], last: string | undefined): ModelItem[] {
  const items: ModelItem[] = [];
  const first = models.find((m) => refOf(m) === last);
  const item = (m: ModelChoice, why?: string): ModelItem => ({ label: m.name, description: [refOf(m), why].filter(Boolean).join(" · "), detail: price(m) || undefined, model: { providerID: m.providerID, modelID: m.modelID } });
  if (first) items.push(item(first, vscode.l10n.t("last used")));
  const byDefault = models.find((m) => m.isDefault);
  items.push({ label: vscode.l10n.t("OpenCode's default model"), description: byDefault ? refOf(byDefault) : undefined });
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

/**
 * Asks which model the mission's agents use. Resolves to the model (undefined = OpenCode's
 * default), or "cancelled" when the user backs out (then no mission starts).
 */
export async function pickModel(context: vscode.ExtensionContext, configured: ModelRef | undefined, load: () => Promise<{ models: ModelChoice[]; demo: boolean }>): Promise<ModelRef | undefined | "cancelled"> {
  const pick = vscode.window.createQuickPick<ModelItem>();
  pick.title = vscode.l10n.t("Orchestrator: which model runs the mission?");
  pick.placeholder = vscode.l10n.t("Starting OpenCode to list its models…");
  pick.busy = true;
  pick.ignoreFocusOut = true;
  pick.show();
  const last = context.globalState.get<string>(LAST_MODEL_KEY) ?? (configured ? `${configured.providerID}/${configured.modelID}` : undefined);
  try {
    const chosen = new Promise<ModelItem | undefined>((resolve) => {
      pick.onDidAccept(() => resolve(pick.selectedItems[0]));
      pick.onDidHide(() => resolve(undefined));
    });
    // OpenCode that cannot start is the mission's to report (with its way out): no pick then.
    const loaded = await Promise.race([load().catch(() => ({ models: [], demo: false })), chosen.then(() => undefined)]);
    if (!loaded) return "cancelled";
    if (loaded.demo || loaded.models.length === 0) return configured; // demo mode or nothing listed: nothing to choose
    pick.items = modelItems(loaded.models, last);
    pick.placeholder = vscode.l10n.t("Pick a model (Escape cancels the mission); orchestrator.pickModel: never skips this");
    pick.busy = false;
    const item = await chosen;
    if (!item) return "cancelled";
    if (item.model) await context.globalState.update(LAST_MODEL_KEY, `${item.model.providerID}/${item.model.modelID}`);
    return item.model;
  } finally {
    pick.dispose();
  }
}
