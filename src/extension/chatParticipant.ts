/**
 * `@orchestrator` in VS Code's chat. A plain message is answered in chat mode: one read-only
 * OpenCode session per conversation, its text streamed into the response, its id kept in the
 * result's metadata so the next message continues it. `/task` starts a mission the way Run Task
 * does (the same command), `/stop` stops it, `/status` sums it up from the read model. In an
 * untrusted workspace no agent runs: questions and `/task` are refused, `/status` and `/stop` work.
 */
import * as vscode from "vscode";
import type { HostSettings, MissionHost } from "../orchestrator/host/missionHost";
import { missionLabel } from "../shared/mission";
import { markdownText, missionStatusMarkdown } from "./chatStatus";
import { untrustedMessage } from "./trust";
import { COMMANDS, focusView, VIEWS } from "../shared/commands";

export const CHAT_PARTICIPANT_ID = "orchestrator.chat";

export interface ChatDeps {
  host: MissionHost;
  settings: () => HostSettings;
  workspace: vscode.Uri;
  isTrusted: () => boolean;
}

/** What a response remembers for the next message and for its follow-ups. */
interface ChatMetadata {
  /** The OpenCode session of the conversation (plain messages). */
  sessionId?: string;
  command?: "task" | "stop" | "status";
}

const showTodos = (): vscode.Command => ({ command: focusView(VIEWS.todos), title: vscode.l10n.t("Show TODOs") });
const STOP_WAIT_MS = 15_000;

const isActive = (host: MissionHost) => host.model.phase === "starting" || host.model.phase === "running";

/** The conversation's session: the latest one an answer of ours named. */
function conversationOf(context: vscode.ChatContext): string | undefined {
  for (let i = context.history.length - 1; i >= 0; i--) {
    // Read by shape: a response turn is the one with a result (tests hand in plain objects).
    const turn = context.history[i] as Partial<vscode.ChatResponseTurn> | undefined;
    if (turn?.participant !== CHAT_PARTICIPANT_ID || !turn.result) continue;
    const sessionId = (turn.result.metadata as ChatMetadata | undefined)?.sessionId;
    if (typeof sessionId === "string") return sessionId;
  }
  return undefined;
}

/** Resolves when the host's model says `ready` (checked at each update), or when `ended` settles, or after `ms`. */
function until(host: MissionHost, ready: () => boolean, ended: Thenable<unknown>, ms = Number.POSITIVE_INFINITY): Promise<void> {
  return new Promise((resolve) => {
    const subscriptions: Array<{ dispose(): void }> = [];
    const done = () => {
      for (const s of subscriptions) s.dispose();
      resolve();
    };
    if (ready()) return done();
    subscriptions.push(host.view.updates.on(() => ready() && done()));
    if (Number.isFinite(ms)) {
      const timer = setTimeout(done, ms);
      subscriptions.push({ dispose: () => clearTimeout(timer) });
    }
    Promise.resolve(ended).then(done, done);
  });
}

function refuseUntrusted(stream: vscode.ChatResponseStream): vscode.ChatResult {
  stream.markdown(untrustedMessage());
  stream.button({ command: "workbench.trust.manage", title: vscode.l10n.t("Manage Workspace Trust") });
  return {};
}

export function chatHandler(deps: ChatDeps): vscode.ChatRequestHandler {
  const { host } = deps;

  const task = async (mission: string, stream: vscode.ChatResponseStream): Promise<vscode.ChatResult> => {
    const metadata: ChatMetadata = { command: "task" };
    if (!deps.isTrusted()) return refuseUntrusted(stream);
    const problem = host.missionProblem(mission);
    if (problem) {
      stream.markdown(vscode.l10n.t("{0} For example: `/task Add a health-check endpoint with a test`.", problem));
      return { metadata };
    }
    if (host.isRunning) {
      stream.markdown(vscode.l10n.t("A mission is already running: **{0}**. Ask `/status`, or `/stop` it first.", markdownText(missionLabel(host.model.mission ?? "", 120))));
      return { metadata };
    }
    // The same path as Run Task (its checks, its progress notification); it runs until the mission ends.
    const run = vscode.commands.executeCommand(COMMANDS.runTask, mission.trim());
    await until(host, () => isActive(host), run);
    if (!isActive(host)) {
      stream.markdown(host.model.error ? vscode.l10n.t("The mission did not start: {0}", markdownText(host.model.error)) : vscode.l10n.t("The mission did not start; see the notifications."));
      return { metadata };
    }
    stream.markdown(vscode.l10n.t("Started the mission **{0}**: the Planner plans it, Workers carry out its TODOs in parallel, the Reviewer checks them. Follow it in the TODO view; ask `/status` any time, `/stop` to stop it.", markdownText(missionLabel(mission, 120))));
    stream.button(showTodos());
    stream.button({ command: COMMANDS.openDashboard, title: vscode.l10n.t("Open Dashboard") });
    return { metadata };
  };

  const stop = async (stream: vscode.ChatResponseStream, token: vscode.CancellationToken): Promise<vscode.ChatResult> => {
    const metadata: ChatMetadata = { command: "stop" };
    if (!host.isRunning) {
      stream.markdown(host.model.mission ? vscode.l10n.t("No mission is running. The last one is {0}.", markdownText(host.model.status ?? host.model.phase)) : vscode.l10n.t("No mission is running."));
      return { metadata };
    }
    stream.progress(vscode.l10n.t("Stopping the mission: aborting its sessions…"));
    await vscode.commands.executeCommand(COMMANDS.stop);
    const cancelled = new Promise<void>((resolve) => token.onCancellationRequested(() => resolve()));
    await until(host, () => !host.isRunning, cancelled, STOP_WAIT_MS);
    if (host.isRunning) stream.markdown(vscode.l10n.t("Stop requested: the mission's sessions are being aborted."));
    else stream.markdown(vscode.l10n.t("Stopped. {0}. The mission can be resumed with **Orchestrator: Resume Mission**.", markdownText(host.model.progress)));
    if (!host.isRunning && host.model.resumable) stream.button({ command: COMMANDS.resume, title: vscode.l10n.t("Resume Mission"), arguments: [host.model.missionId] });
    return { metadata };
  };

  const answer = async (question: string, context: vscode.ChatContext, stream: vscode.ChatResponseStream, token: vscode.CancellationToken): Promise<vscode.ChatResult> => {
    if (!deps.isTrusted()) return refuseUntrusted(stream);
    const sessionId = conversationOf(context);
    const problem = host.questionProblem(question);
    if (problem) {
      stream.markdown(vscode.l10n.t("{0} Or start a mission with `/task <mission>`.", problem));
      return { metadata: { sessionId } satisfies ChatMetadata };
    }
    const controller = new AbortController();
    const cancellation = token.onCancellationRequested(() => controller.abort());
    stream.progress(vscode.l10n.t("Reading the workspace…"));
    try {
      const result = await deps.host.ask(question, deps.settings(), { sessionId, signal: controller.signal, onText: (piece) => stream.markdown(piece) });
      if (result.restarted) stream.markdown(`\n\n_${vscode.l10n.t("The earlier conversation could not be continued (its OpenCode session is gone); this answer began a new one.")}_`);
      if (result.demo) stream.markdown(`\n\n_${vscode.l10n.t("Answered by the scripted demo model: no model provider is configured in OpenCode.")}_`);
      for (const file of result.filesRead) stream.reference(fileUri(deps.workspace, file));
      return { metadata: { sessionId: result.sessionId } satisfies ChatMetadata };
    } catch (error) {
      // Cancelled: the conversation goes on from where it was.
      if (token.isCancellationRequested) return { metadata: { sessionId } satisfies ChatMetadata };
      return { errorDetails: { message: vscode.l10n.t("The question could not be answered: {0}", (error as Error).message) }, metadata: { sessionId } satisfies ChatMetadata };
    } finally {
      cancellation.dispose();
    }
  };

  return async (request, context, stream, token) => {
    switch (request.command) {
      case "task":
        return task(request.prompt, stream);
      case "stop":
        return stop(stream, token);
      case "status":
        stream.markdown(missionStatusMarkdown(host.model));
        if (host.model.missionId) stream.button(showTodos());
        return { metadata: { command: "status" } satisfies ChatMetadata };
      default:
        return answer(request.prompt, context, stream, token);
    }
  };
}

/** A file an answer read: absolute as the read tool got it, else relative to the workspace. */
export function fileUri(workspace: vscode.Uri, file: string): vscode.Uri {
  return file.startsWith("/") || /^[A-Za-z]:[\\/]/.test(file) ? vscode.Uri.file(file) : vscode.Uri.joinPath(workspace, file);
}

function followups(host: MissionHost): vscode.ChatFollowupProvider {
  return {
    provideFollowups(result: vscode.ChatResult): vscode.ChatFollowup[] {
      const metadata = result.metadata as ChatMetadata | undefined;
      if (result.errorDetails) return [];
      if (metadata?.command === "task" || metadata?.command === "status") {
        return host.isRunning ? [{ prompt: "", command: "status", label: vscode.l10n.t("How far is the mission?") }, { prompt: "", command: "stop", label: vscode.l10n.t("Stop the mission") }] : [];
      }
      if (metadata?.sessionId) return [{ prompt: vscode.l10n.t("Explain that in more detail, with the code it rests on."), label: vscode.l10n.t("Explain in more detail") }];
      return [];
    },
  };
}

/**
 * Registers `@orchestrator` where the editor has a chat API. Where it has no chat view (code-server
 * without a chat provider), **Orchestrator: Ask** offers the same questions and answers in a panel.
 */
export function registerChatParticipant(context: vscode.ExtensionContext, deps: ChatDeps): vscode.ChatRequestHandler {
  const handler = chatHandler(deps);
  if (typeof vscode.chat?.createChatParticipant !== "function") return handler;
  const participant = vscode.chat.createChatParticipant(CHAT_PARTICIPANT_ID, handler);
  participant.iconPath = vscode.Uri.joinPath(context.extensionUri, "media", "orchestrator.svg");
  participant.followupProvider = followups(deps.host);
  context.subscriptions.push(participant);
  return handler;
}
