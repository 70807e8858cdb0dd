/** A model as OpenCode names it: provider and model id (`anthropic/claude-sonnet-4-5`). */
export interface ModelRef {
  providerID: string;
  modelID: string;
}

export function parseModelRef(value: string | undefined): ModelRef | undefined {
  const trimmed = value?.trim();
  if (!trimmed) return undefined;
  const slash = trimmed.indexOf("/");
  if (slash <= 0 || slash === trimmed.length - 1) throw new Error(`Model "${trimmed}" is not of the form provider/model.`);
  return { providerID: trimmed.slice(0, slash), modelID: trimmed.slice(slash + 1) };
}
