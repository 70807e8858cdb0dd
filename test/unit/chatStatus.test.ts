/** What `@orchestrator /status` says, from the read model alone. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { markdownText, missionStatusMarkdown } from "../../src/extension/chatStatus";
import { idleModel, type MissionModel, type TodoModel } from "../../src/shared/mission";

const todo = (id: string, status: string, role?: "worker" | "reviewer"): TodoModel => ({ id, title: id, status, attempts: 1, files: [], dependsOn: [], acceptance: "", reviewIssues: [], sessions: [], role, canRetry: false, canSkip: false, changes: [], canRevert: false });

test("no mission: how to start one", () => {
  assert.match(missionStatusMarkdown(idleModel()), /No mission in this workspace yet\. Start one with `\/task <mission>`/);
});

test("a running mission: progress, the sessions at work and who they are, cost", () => {
  const model: MissionModel = {
    ...idleModel(),
    phase: "running",
    missionId: "m1",
    mission: "Build a *REST* API",
    status: "running",
    progress: "1/3 done · 2 running",
    counts: { ...idleModel().counts, total: 3, done: 1, finished: 1, runningTodos: 1, inReview: 1, runningSessions: 2 },
    todos: [todo("T1", "done"), todo("T2", "running", "worker"), todo("T3", "review", "reviewer")],
    tokens: { input: 1200, output: 34 },
    cost: 0.01234,
  };
  const text = missionStatusMarkdown(model);
  assert.match(text, /\*\*Mission:\*\* Build a \\\*REST\\\* API/, "the mission's own Markdown is shown as text");
  assert.match(text, /\*\*Status:\*\* running {2}\n/);
  assert.match(text, /\*\*Progress:\*\* 1\/3 done · 2 running/);
  assert.match(text, /\*\*Sessions running:\*\* 2 · T2 \\\(Worker\\\), T3 \\\(Reviewer\\\)/);
  assert.match(text, /\*\*Cost:\*\* \$0\.0123 · 1,234 tokens/);
  assert.doesNotMatch(text, /resumed/);
});

test("a stopped mission says why and that it can be resumed", () => {
  const model: MissionModel = { ...idleModel(), phase: "stopped", missionId: "m1", mission: "Write docs", status: "stopped", progress: "0/2 done", resumable: true, stopReason: "stopped by the user", attention: ["T2"] };
  const text = missionStatusMarkdown(model);
  assert.match(text, /\*\*Status:\*\* stopped\b/);
  assert.match(text, /\*\*Needs attention:\*\* T2/);
  assert.match(text, /\*\*Why it stopped:\*\* stopped by the user/);
  assert.match(text, /can be resumed/);
});

test("Markdown's own characters are escaped", () => {
  assert.equal(markdownText("[x](command:evil) `a` <b>"), "\\[x\\]\\(command:evil\\) \\`a\\` \\<b\\>");
});
