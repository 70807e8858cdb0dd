/**
 * The engine port over OpenCode 1 (`opencode-ai` 1.18, its `@opencode-ai/sdk/v2` client): today's
 * requests behind the port. Its events already are the port's vocabulary and pass through as they
 * are; a structured result comes from its json_schema `format` (a forced StructuredOutput call).
 */
import { createOpencodeClient, type OpencodeClient } from "@opencode-ai/sdk/v2";
import { z } from "zod";
import { permissionRules, type PermissionRule } from "../../agents/commandPolicy";
import type { ModelChoice } from "../../../shared/actions";
import { basicAuthHeader, type ServerCredentials } from "../client";
import type { EngineApi, EngineRequest, MessageWithParts, NewSession, Prompt } from "../engineApi";
import type { AssistantInfo, EngineEvent, Part } from "../engineEvents";
import type { EngineIdentity } from "../engineVersion";

const REQUESTS: Record<EngineRequest, string> = {
  configuration: "its configuration (GET /config)",
  models: "its providers (GET /provider)",
  paths: "its paths (GET /path)",
  rules: "its configuration (GET /config)",
  tools: "its MCP servers (GET /mcp)",
};

/** OpenCode lists its own keyless provider as connected even offline: it does not count as configured. */
const KEYLESS_BUILTIN_PROVIDERS = new Set(["opencode"]);

export function createV1Client(server: ServerCredentials, directory: string): OpencodeClient {
  return createOpencodeClient({
    baseUrl: server.url,
    // The extension host's cwd is not the workspace: without this, OpenCode works on the wrong folder.
    directory,
    headers: server.password ? { authorization: basicAuthHeader(server.password) } : {},
  });
}

export class V1Api implements EngineApi {
  readonly structuredBy = "format";
  readonly client: OpencodeClient;

  constructor(readonly identity: EngineIdentity, server: ServerCredentials, directory: string) {
    this.client = createV1Client(server, directory);
  }

  describe(request: EngineRequest): string {
    return REQUESTS[request];
  }

  async *events(signal: AbortSignal, onActivity: () => void): AsyncIterable<EngineEvent> {
    // sseMaxRetryAttempts 1: the SDK's own retry waits seconds and never tells us to resync.
    const subscription = await this.client.event.subscribe({}, { signal, sseMaxRetryAttempts: 1 });
    for await (const event of subscription.stream) {
      onActivity();
      // The port's vocabulary is OpenCode 1's: its events pass as they are (types nobody reads included).
      yield event as EngineEvent;
    }
  }

  async createSession(session: NewSession): Promise<string> {
    const created = await this.client.session.create({ title: session.title, ...(session.permission?.length ? { permission: session.permission } : {}) }, { throwOnError: true });
    return created.data.id;
  }

  async prompt(prompt: Prompt): Promise<void> {
    const format = prompt.schema ? { type: "json_schema" as const, schema: z.toJSONSchema(prompt.schema) as Record<string, unknown> } : undefined;
    await this.client.session.promptAsync({ sessionID: prompt.sessionId, agent: prompt.agent, model: prompt.model, format, parts: [{ type: "text", text: prompt.text }] }, { throwOnError: true });
  }

  reportReminder(): undefined {
    return undefined;
  }

  async abort(sessionId: string): Promise<void> {
    await this.client.session.abort({ sessionID: sessionId });
  }

  async busySessions(signal?: AbortSignal): Promise<string[]> {
    return Object.keys((await this.client.session.status({}, { throwOnError: true, signal })).data);
  }

  async turnMessages(sessionId: string): Promise<Array<{ info: AssistantInfo; parts: Part[] }>> {
    // Only the newest message: listing a json_schema session's history fails on 1.18 (ENVIRONMENT.md).
    const last = (await this.client.session.messages({ sessionID: sessionId, limit: 1 }, { throwOnError: true })).data[0];
    return last && last.info.role === "assistant" ? [{ info: last.info, parts: last.parts }] : [];
  }

  async message(sessionId: string, messageId: string): Promise<MessageWithParts> {
    const message = await this.client.session.message({ sessionID: sessionId, messageID: messageId }, { throwOnError: true });
    return { info: message.data.info, parts: message.data.parts };
  }

  async replyPermission(request: { id: string }, reply: "once" | "always" | "reject", message?: string): Promise<void> {
    await this.client.permission.reply({ requestID: request.id, reply, ...(message ? { message } : {}) }, { throwOnError: true });
  }

  async replyQuestion(request: { id: string }, answers: string[][]): Promise<void> {
    await this.client.question.reply({ requestID: request.id, answers }, { throwOnError: true });
  }

  async rejectQuestion(request: { id: string }): Promise<void> {
    await this.client.question.reject({ requestID: request.id }, { throwOnError: true });
  }

  async sessionIds(limit: number, signal?: AbortSignal): Promise<string[]> {
    return (await this.client.session.list({ limit }, { throwOnError: true, signal })).data.map((s) => s.id);
  }

  async pendingPermissions(signal?: AbortSignal): Promise<string[]> {
    return (await this.client.permission.list({}, { throwOnError: true, signal })).data.map((p) => p.id);
  }

  private async config(signal: AbortSignal) {
    return (await this.client.config.get({}, { throwOnError: true, signal })).data;
  }

  async hasConfiguredModel(signal: AbortSignal): Promise<boolean> {
    const config = await this.config(signal);
    if (typeof config.model === "string" && config.model) return true;
    const providers = await this.client.provider.list({}, { throwOnError: true, signal });
    return providers.data.connected.some((id) => !KEYLESS_BUILTIN_PROVIDERS.has(id));
  }

  async takesStepSnapshots(signal: AbortSignal): Promise<boolean> {
    return (await this.config(signal)).snapshot !== false;
  }

  /** The models of the providers OpenCode has connected (the keyless built-in one only when nothing else is). */
  async listModels(signal: AbortSignal): Promise<ModelChoice[]> {
    const [providers, config] = await Promise.all([this.client.provider.list({}, { throwOnError: true, signal }), this.config(signal).catch(() => undefined)]);
    const connected = new Set(providers.data.connected);
    const real = [...connected].some((id) => !KEYLESS_BUILTIN_PROVIDERS.has(id));
    const defaultModel = typeof config?.model === "string" ? config.model : undefined;
    const choices: ModelChoice[] = [];
    for (const provider of providers.data.all) {
      if (!connected.has(provider.id) || (real && KEYLESS_BUILTIN_PROVIDERS.has(provider.id))) continue;
      for (const model of Object.values(provider.models)) {
        const priced = model.cost && (model.cost.input > 0 || model.cost.output > 0);
        choices.push({
          providerID: provider.id,
          modelID: model.id,
          name: model.name || model.id,
          providerName: provider.name || provider.id,
          cost: priced ? { input: model.cost.input, output: model.cost.output, cacheRead: model.cost.cache?.read, cacheWrite: model.cost.cache?.write } : undefined,
          isDefault: defaultModel ? defaultModel === `${provider.id}/${model.id}` : providers.data.default[provider.id] === model.id,
        });
      }
    }
    return choices;
  }

  async permissionRules(signal: AbortSignal): Promise<PermissionRule[]> {
    return permissionRules((await this.config(signal) as { permission?: unknown }).permission);
  }

  async worktree(signal: AbortSignal): Promise<string | undefined> {
    return (await this.client.path.get({}, { throwOnError: true, signal })).data.worktree || undefined;
  }

  async toolsConnected(signal: AbortSignal): Promise<boolean> {
    const status = (await this.client.mcp.status({}, { throwOnError: true, signal })).data as Record<string, { status?: string }>;
    return status.orchestrator?.status === "connected";
  }

  /** OpenCode 1 readies the workspace before it answers the event stream (Engine.firstAnswer waits for that). */
  async prepare(): Promise<void> {}
}
