/**
 * `@orchestrator`'s handler in the real extension host, with the real OpenCode server and the
 * scripted model: a question answered and continued in its session, `/task` starting a mission the
 * way Run Task does, `/status` summing it up, `/stop` stopping it. The handler is driven directly
 * (the API hands it out): an editor without a language model never dispatches a chat request.
 */
import assert from "node:assert/strict";
import * as vscode from "vscode";
import { api, EXTENSION_ID, until } from "./support";

const PARTICIPANT = "orchestrator.chat";

/** What the handler wrote into its response. */
class RecordingStream {
  readonly markdown: string[] = [];
  readonly buttons: vscode.Command[] = [];
  readonly references: vscode.Uri[] = [];
  readonly progressed: string[] = [];
  get text(): string {
    return this.markdown.join("");
  }
  asStream(): vscode.ChatResponseStream {
    return {
      markdown: (value: string | vscode.MarkdownString) => void this.markdown.push(typeof value === "string" ? value : value.value),
      anchor: () => undefined,
      button: (command: vscode.Command) => void this.buttons.push(command),
      filetree: () => undefined,
      progress: (value: string) => void this.progressed.push(value),
      reference: (value: vscode.Uri | vscode.Location) => void this.references.push(value instanceof vscode.Uri ? value : value.uri),
      push: () => undefined,
    } as unknown as vscode.ChatResponseStream;
  }
}

async function chat(prompt: string, command?: string, history: unknown[] = []): Promise<{ stream: RecordingStream; result: vscode.ChatResult }> {
  const handler = api().chat;
  assert.ok(handler, "the extension hands out its chat handler");
  const stream = new RecordingStream();
  const request = { prompt, command, references: [], toolReferences: [], toolInvocationToken: undefined, model: undefined } as unknown as vscode.ChatRequest;
  const result = (await handler(request, { history } as unknown as vscode.ChatContext, stream.asStream(), new vscode.CancellationTokenSource().token)) ?? {};
  return { stream, result };
}

suite("@orchestrator in the chat", () => {
  test("contributes the participant with /task, /stop and /status", () => {
    const participants = vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON.contributes.chatParticipants as Array<{ id: string; name: string; commands: Array<{ name: string }> }>;
    const participant = participants.find((p) => p.id === PARTICIPANT);
    assert.equal(participant?.name, "orchestrator");
    assert.deepEqual(participant?.commands.map((c) => c.name), ["task", "stop", "status"]);
  });

  test("a question is answered by the model, and the next one continues the same session", async () => {
    const first = await chat("Where is the greeting written?");
    assert.equal(first.result.errorDetails, undefined, first.result.errorDetails?.message);
    assert.match(first.stream.text, /hello\.md/, "the model's answer, streamed into the response");
    const sessionId = (first.result.metadata as { sessionId?: string } | undefined)?.sessionId;
    assert.ok(sessionId, "the result keeps the conversation's session");
    const history = [{ participant: PARTICIPANT, command: undefined, response: [], result: first.result }];
    const second = await chat("And the other file?", undefined, history);
    assert.equal((second.result.metadata as { sessionId?: string } | undefined)?.sessionId, sessionId, "the follow-up went to the same session");
  });

  test("/task starts a mission through Run Task, /status sums it up, /stop stops it", async () => {
    const started = await chat("stall until stopped", "task");
    assert.match(started.stream.text, /Started the mission/);
    assert.ok(started.stream.buttons.some((b) => b.command === "orchestrator.todos.focus"), "a link to the TODO view");
    await until(() => api().snapshot.counts.runningTodos > 0 && api().snapshot.counts.runningSessions > 0, "a Worker's session at work");
    assert.equal(api().snapshot.mission, "stall until stopped");

    const busy = await chat("another mission", "task");
    assert.match(busy.stream.text, /already running/, "one mission at a time");

    const status = await chat("", "status");
    assert.match(status.stream.text, /\*\*Progress:\*\* 0\/2 done/);
    assert.match(status.stream.text, /\*\*Sessions running:\*\* 1/);
    assert.match(status.stream.text, /\*\*Cost:\*\* \$/);

    const stopped = await chat("", "stop");
    assert.match(stopped.stream.text, /^Stopped\./);
    assert.equal(api().snapshot.phase, "stopped");
    assert.equal(api().snapshot.status, "stopped");
    assert.ok(stopped.stream.buttons.some((b) => b.command === "orchestrator.resume"), "it offers to resume");

    const nothing = await chat("", "stop");
    assert.match(nothing.stream.text, /No mission is running/);
  });
});
