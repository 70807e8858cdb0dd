/**
 * The engine port over OpenCode 2 (`@opencode/cli` 2.1, its own client `@opencode/client`): its
 * `/api/*`. What differs from OpenCode 1, and how it is met here:
 *  - a session carries its location (`location.directory`) and its agent, model and permission
 *    rules from its creation; lists take `location[directory]` (a `?directory=` is silently ignored);
 *  - a prompt is admitted at once and the turn runs on (`session.execution.*` events say how it
 *    ended: eventTranslator.ts); an abort is an interrupt;
 *  - there is no json_schema output: a structured result is the role's report tool on our MCP
 *    server (agents/reportTools.ts), which the prompt names;
 *  - questions are forms (answered by field key, eventTranslator.ts's FormBook);
 *  - a location is loaded lazily: before the first turn, `prepare` waits until our agents are listed
 *    and our MCP server is connected there.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { OpenCode, type OpenCodeClient } from "@opencode/client";
import type { z } from "zod";
import type { PermissionRule } from "../../agents/commandPolicy";
import { reportInstruction, reportReminder, reportToolFor } from "../../agents/reportTools";
import { toV1Permission, toV2Action } from "../../agents/toolDialects";
import type { ModelChoice } from "../../../shared/actions";
import { basicAuthHeader, type ServerCredentials } from "../client";
import type { EngineApi, EngineRequest, MessageWithParts, NewSession, Prompt } from "../engineApi";
import type { AssistantInfo, EngineEvent, Part, ToolState } from "../engineEvents";
import type { EngineIdentity } from "../engineVersion";
import { readEvents } from "./eventSource";
import { engineErrorOf, EventTranslator, FormBook, v1InputOf } from "./eventTranslator";

const REQUESTS: Record<EngineRequest, string> = {
  configuration: "its configuration (GET /api/config)",
  models: "its models (GET /api/model)",
  paths: "its location (GET /api/location)",
  rules: "its agents (GET /api/agent)",
  tools: "its MCP servers (GET /api/mcp)",
};

/** OpenCode's keyless built-in provider: listed even offline, it does not count as a configured model. */
const KEYLESS_PROVIDER = "opencode";
/** The agent whose resolved rules the orchestrator's own commands pass (our Worker; the built-in one where ours is not there). */
const RULES_AGENTS = ["orchestrator-worker", "build"];
/** Assistant messages read back at a resync: a turn's steps since its prompt. */
const RESYNC_MESSAGES = 50;

type Data = Record<string, unknown>;
const obj = (v: unknown): Data => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Data) : {});
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

export class V2Api implements EngineApi {
  readonly structuredBy = "report-tool";
  readonly client: OpenCodeClient;
  private readonly forms = new FormBook();
  private readonly location: { location: { directory: string } };
  private readonly headers: Record<string, string>;

  constructor(readonly identity: EngineIdentity, private readonly server: ServerCredentials, private readonly directory: string) {
    this.headers = server.password ? { authorization: basicAuthHeader(server.password) } : {};
    this.client = OpenCode.make({ baseUrl: server.url, headers: this.headers });
    this.location = { location: { directory } };
  }

  describe(request: EngineRequest): string {
    return REQUESTS[request];
  }

  async *events(signal: AbortSignal, onActivity: () => void): AsyncIterable<EngineEvent> {
    // One translator per connection: what it remembers (open tool calls) is of this connection's events.
    const translator = new EventTranslator(this.forms);
    for await (const event of readEvents(this.server.url, this.headers, signal, onActivity)) {
      for (const translated of translator.translate(event)) yield translated;
    }
  }

  async createSession(session: NewSession): Promise<string> {
    const created = await this.client.session.create({
      title: session.title,
      agent: session.agent,
      ...(session.model ? { model: { id: session.model.modelID, providerID: session.model.providerID } } : {}),
      location: { directory: this.directory },
      ...(session.permission?.length ? { permissions: session.permission.map((r) => ({ action: toV2Action(r.permission), resource: r.pattern, effect: r.action })) } : {}),
    });
    return created.id;
  }

  async prompt(prompt: Prompt): Promise<void> {
    let text = prompt.text;
    if (prompt.schema) {
      const tool = reportToolFor(prompt.schema);
      if (!tool) throw new Error("OpenCode 2 has no structured output: this result schema has no report tool (agents/reportTools.ts).");
      text = `${text}\n\n${reportInstruction(tool)}`;
    }
    await this.client.session.prompt({ sessionID: prompt.sessionId, text });
  }

  reportReminder(schema: z.ZodType): string | undefined {
    const tool = reportToolFor(schema);
    return tool && reportReminder(tool);
  }

  async abort(sessionId: string): Promise<void> {
    await this.client.session.interrupt({ sessionID: sessionId });
  }

  async busySessions(signal?: AbortSignal): Promise<string[]> {
    return Object.keys(await this.client.session.active({ signal }));
  }

  async turnMessages(sessionId: string): Promise<Array<{ info: AssistantInfo; parts: Part[] }>> {
    const page = await this.client.message.list({ sessionID: sessionId, limit: RESYNC_MESSAGES, order: "desc", type: "assistant" });
    return page.data.map((m) => this.assistantOf(sessionId, m as unknown as Data)).reverse();
  }

  async message(sessionId: string, messageId: string): Promise<MessageWithParts> {
    const m = obj(await this.client.session.message.get({ sessionID: sessionId, messageID: messageId }));
    if (m.type === "assistant") return this.assistantOf(sessionId, m);
    const time = obj(m.time);
    return { info: { id: str(m.id) ?? messageId, sessionID: sessionId, role: "user", time: { created: num(time.created) ?? 0 } }, parts: [] };
  }

  /** An assistant message of the list in the port's vocabulary: the same part ids its events gave. */
  private assistantOf(sessionId: string, m: Data): { info: AssistantInfo; parts: Part[] } {
    const id = str(m.id) ?? "";
    const time = obj(m.time);
    const tokens = obj(m.tokens);
    const cache = obj(tokens.cache);
    const info: AssistantInfo = {
      id,
      sessionID: sessionId,
      role: "assistant",
      time: { created: num(time.created) ?? 0, ...(num(time.completed) !== undefined ? { completed: num(time.completed) } : {}) },
      cost: num(m.cost) ?? 0,
      tokens: { input: num(tokens.input) ?? 0, output: num(tokens.output) ?? 0, reasoning: num(tokens.reasoning) ?? 0, cache: { read: num(cache.read) ?? 0, write: num(cache.write) ?? 0 } },
      ...(m.error ? { error: engineErrorOf(m.error) } : m.finish === "length" ? { error: { name: "MessageOutputLengthError" as const, data: {} } } : {}),
      path: { cwd: this.directory },
    };
    const parts: Part[] = [];
    const ordinals = { text: 0, reasoning: 0 };
    for (const c of (Array.isArray(m.content) ? m.content : []).map(obj)) {
      if (c.type === "text" || c.type === "reasoning") {
        const kind = c.type;
        parts.push({ id: `${id}:${kind}:${ordinals[kind]++}`, sessionID: sessionId, messageID: id, type: kind, text: str(c.text) ?? "" });
      } else if (c.type === "tool") {
        const state = obj(c.state);
        const call = v1InputOf(str(c.name) ?? "?", obj(state.input), this.directory);
        const output = (Array.isArray(state.content) ? state.content : []).map((x) => str(obj(x).text) ?? "").filter(Boolean).join("\n");
        const toolState: ToolState =
          state.status === "completed"
            ? { status: "completed", input: call.args, output, title: str(call.args.filePath) ?? str(call.args.command) ?? "", metadata: { ...obj(state.metadata), ...(call.tool === "bash" ? { output } : {}) } }
            : state.status === "error"
              ? { status: "error", input: call.args, error: str(obj(state.error).message) ?? "The tool failed." }
              : { status: "running", input: call.args };
        parts.push({ id: `${id}:${str(c.id) ?? ""}`, sessionID: sessionId, messageID: id, type: "tool", callID: str(c.id), tool: call.tool, state: toolState });
      }
    }
    return { info, parts };
  }

  async replyPermission(request: { id: string; sessionId: string }, reply: "once" | "always" | "reject", message?: string): Promise<void> {
    await this.client.permission.reply({ sessionID: request.sessionId, requestID: request.id, decision: reply, ...(message ? { message } : {}) });
  }

  async replyQuestion(request: { id: string; sessionId: string }, answers: string[][]): Promise<void> {
    await this.client.session.form.reply({ sessionID: request.sessionId, formID: request.id, answer: this.forms.answer(request.id, answers) });
    this.forms.forget(request.id);
  }

  async rejectQuestion(request: { id: string; sessionId: string }): Promise<void> {
    await this.client.session.form.cancel({ sessionID: request.sessionId, formID: request.id });
    this.forms.forget(request.id);
  }

  async sessionIds(limit: number, signal?: AbortSignal): Promise<string[]> {
    return (await this.client.session.list({ limit, order: "desc", directory: this.directory }, { signal })).data.map((s) => s.id);
  }

  async pendingPermissions(signal?: AbortSignal): Promise<string[]> {
    return (await this.client.permission.request.list(this.location, { signal })).data.map((p) => p.id);
  }

  async hasConfiguredModel(signal: AbortSignal): Promise<boolean> {
    // The default model is the configuration's, or — with none configured — one of the keyless provider's.
    const fallback = await this.client.model.default(this.location, { signal });
    return fallback.data !== null && fallback.data.providerID !== KEYLESS_PROVIDER;
  }

  async takesStepSnapshots(signal: AbortSignal): Promise<boolean | undefined> {
    let snapshots: boolean | undefined;
    // Documents come lowest precedence first (the user's, the project's, ours): the last that says wins.
    for (const entry of await this.client.config.get(this.location, { signal })) {
      const value = entry.type === "document" ? (entry.info as { snapshots?: unknown }).snapshots : undefined;
      if (typeof value === "boolean") snapshots = value;
    }
    return snapshots ?? true;
  }

  async listModels(signal: AbortSignal): Promise<ModelChoice[]> {
    const [models, fallback] = await Promise.all([this.client.model.list(this.location, { signal }), this.client.model.default(this.location, { signal }).catch(() => undefined)]);
    const usable = models.data.filter((m) => m.enabled !== false && m.status !== "deprecated");
    const real = usable.some((m) => m.providerID !== KEYLESS_PROVIDER);
    const isDefault = (m: { providerID: string; id: string }) => fallback?.data?.providerID === m.providerID && fallback.data.id === m.id;
    return usable
      .filter((m) => !(real && m.providerID === KEYLESS_PROVIDER))
      .map((m) => {
        // Prices are per million tokens, in tiers by context size: the first tier is the common case.
        const cost = m.cost[0];
        const priced = cost && (cost.input > 0 || cost.output > 0);
        return { providerID: m.providerID, modelID: m.id, name: m.name || m.id, providerName: m.providerID, cost: priced ? { input: cost.input, output: cost.output, cacheRead: cost.cache.read, cacheWrite: cost.cache.write } : undefined, isDefault: isDefault(m) };
      });
  }

  async permissionRules(signal: AbortSignal): Promise<PermissionRule[] | undefined> {
    // The resolved rules of the agent our commands stand in for: OpenCode's defaults, the user's, ours, in order.
    const agents = (await this.client.agent.list(this.location, { signal })).data;
    const agent = RULES_AGENTS.map((id) => agents.find((a) => a.id === id)).find(Boolean);
    return agent?.permissions.map((r) => ({ permission: toV1Permission(r.action), pattern: r.resource, action: r.effect }));
  }

  /** OpenCode 2 names edited files relative to the session's location: the workspace. */
  async worktree(): Promise<string> {
    return this.directory;
  }

  async toolsConnected(signal: AbortSignal): Promise<boolean> {
    const servers = (await this.client.mcp.list(this.location, { signal })).data;
    return servers.some((s) => s.name === "orchestrator" && obj(s.status).status === "connected");
  }

  /**
   * Loads the workspace's location and waits for what it loads lazily: our agents listed (an early
   * list can be empty) and our MCP server connected (else the first request lacks its tools). On
   * states, never on time: polled until there, for as long as the caller's signal allows.
   */
  async prepare(signal: AbortSignal, expect: { agents: readonly string[]; tools: boolean; toolsListed?: () => boolean }): Promise<void> {
    await this.client.location.get(this.location, { signal });
    for (let delay = 50; ; delay = Math.min(delay * 2, 500)) {
      const agents = new Set((await this.client.agent.list(this.location, { signal })).data.map((a) => a.id));
      // "Connected" comes after the handshake, before OpenCode has our tool list: a first prompt sent
      // between the two went out without our tools (seen on a busy machine). So also wait for the listing.
      const ready = expect.agents.every((a) => agents.has(a)) && (!expect.tools || ((await this.toolsConnected(signal)) && (expect.toolsListed?.() ?? true)));
      if (ready) return;
      // Node's own timer: it lets go of the signal when it fires (a listener per pass would pile up over a slow start).
      await sleep(delay, undefined, { signal });
    }
  }
}
