/**
 * Chat mode in real VS Code (code-server + headless Chromium + the packaged VSIX + real OpenCode +
 * the scripted model). code-server offers a chat view only with AI features on, and then sends no
 * request anywhere ("Language model unavailable": it has no language model), so a participant's
 * handler never runs there; what works there is Orchestrator: Ask, the panel tested here.
 */
import assert from "node:assert/strict";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { Frame, Page } from "playwright-core";
import { call, text, tools, type Reply, type RequestContext } from "../../src/orchestrator/scriptedModel/scenario";
import type { ScriptedModel } from "../../src/orchestrator/scriptedModel/server";
import type { VsCodeSession } from "../support/codeServer";
import type { Sandbox } from "../support/isolation";
import { withScriptedVsCode } from "../support/scriptedVsCode";
import { runCommand } from "../support/palette";

const FIRST_ANSWER = "The greeting is in notes.md: it says hello to the whole world, and no other file mentions it.";
const SECOND_ANSWER = "I cannot change files here; run that as a mission with /task.";
let sandbox: Sandbox;
let model: ScriptedModel;
let vscode: VsCodeSession;

/** OpenCode's read-only explore agent is role "other" to the scripted model. */
function answer(ctx: RequestContext): Reply {
  if (ctx.prompt.includes("Where is the greeting?")) return ctx.step === 0 ? tools(call("read", { filePath: join(sandbox.workspace, "notes.md") })) : text(FIRST_ANSWER);
  // The follow-up: the model tries to write; OpenCode refuses, the model says so.
  return ctx.step === 0 ? tools(call("write", { filePath: join(sandbox.workspace, "bye.md"), content: "bye\n" })) : text(SECOND_ANSWER);
}

async function askFrame(page: Page): Promise<Frame> {
  for (let i = 0; i < 200; i++) {
    for (const frame of page.frames()) {
      if (await frame.locator("[data-testid=question]").count().catch(() => 0)) return frame;
    }
    await page.waitForTimeout(100);
  }
  throw new Error("the Ask panel did not appear");
}

async function ask(frame: Frame, question: string): Promise<void> {
  await frame.locator("[data-testid=question]").fill(question);
  await frame.locator("[data-testid=question]").press("Enter");
}

withScriptedVsCode(
  { prefix: "orch-ask-ui-", prepare: (box) => writeFileSync(join(box.workspace, "notes.md"), "hello, world\n"), scenario: () => ({ latencyMs: 300, roles: { other: answer } }) },
  (session) => ({ sandbox, model, vscode } = session),
);

test("Orchestrator: Ask answers a question in a panel, names the files it read, and continues the conversation read-only", () =>
  vscode.screenshotOnFailure("ask", async () => {
    const { page } = vscode;
    await runCommand(page, "Orchestrator: Ask");
    const frame = await askFrame(page);
    await ask(frame, "Where is the greeting?");
    const first = frame.locator("article.exchange").nth(0);
    await first.locator("[data-testid=asked]", { hasText: "Where is the greeting?" }).waitFor();
    await first.locator("[data-testid=answer]", { hasText: FIRST_ANSWER }).waitFor({ timeout: 90_000 });
    await first.locator("[data-testid=file]", { hasText: /^notes\.md$/ }).waitFor();
    await vscode.screenshot("ask-answered");

    await ask(frame, "Now change it to say bye.");
    const second = frame.locator("article.exchange").nth(1);
    await second.locator("[data-testid=answer]", { hasText: SECOND_ANSWER }).waitFor({ timeout: 60_000 });
    assert.ok(!existsSync(join(sandbox.workspace, "bye.md")), "OpenCode refused the write");
    const chat = model.requests.filter((r) => r.role === "other");
    assert.equal(chat.length, 4, "two rounds per question; titled sessions ask for no title");
    assert.ok((chat[2]?.promptChars ?? 0) > (chat[1]?.promptChars ?? 0), "the follow-up went to the same session: it carries the first exchange");
    assert.ok(chat.every((r) => r.tools.every((t) => ["read", "glob", "list", "orchestrator_workspace_search"].includes(t))), `only read tools were offered (grep searches secret files; our search does not): ${[...new Set(chat.flatMap((r) => r.tools))].join(", ")}`);

    // The file the answer read opens in the editor.
    await first.locator("[data-testid=file]", { hasText: /^notes\.md$/ }).click();
    await page.locator(".tab", { hasText: "notes.md" }).waitFor({ timeout: 30_000 });
    await vscode.screenshot("ask-follow-up");
  }));

test("after a window reload the Ask panel comes back with its conversation, and the next question continues the same session", () =>
  vscode.screenshotOnFailure("ask-reload", async () => {
    await vscode.reload();
    const frame = await askFrame(vscode.page);
    const first = frame.locator("article.exchange").nth(0);
    await first.locator("[data-testid=answer]", { hasText: FIRST_ANSWER }).waitFor({ timeout: 60_000 });
    await frame.locator("article.exchange").nth(1).locator("[data-testid=answer]", { hasText: SECOND_ANSWER }).waitFor();
    // The files an answer read still open: the list came back from the extension's own state.
    await first.locator("[data-testid=file]", { hasText: /^notes\.md$/ }).click();
    await vscode.page.locator(".tab", { hasText: "notes.md" }).waitFor({ timeout: 30_000 });
    const before = model.requests.filter((r) => r.role === "other").length;
    await ask(frame, "Where is the greeting?");
    await frame.locator("article.exchange").nth(2).locator("[data-testid=answer]", { hasText: FIRST_ANSWER }).waitFor({ timeout: 90_000 });
    const next = model.requests.filter((r) => r.role === "other").slice(before);
    assert.ok(next[0]?.prompt.includes("Where is the greeting?"));
    assert.ok((next[0]?.promptChars ?? 0) > (model.requests.filter((r) => r.role === "other")[2]?.promptChars ?? 0), "the question went to the conversation's session: it carries both earlier exchanges");
  }));
