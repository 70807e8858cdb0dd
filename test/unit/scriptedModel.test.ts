import assert from "node:assert/strict";
import { test } from "node:test";
import { contextOf } from "../../src/orchestrator/scriptedModel/server";

test("recognises the role from the system prompt and counts steps since the prompt", () => {
  const attempts = new Map<string, number>();
  const body = {
    messages: [
      { role: "system", content: "You are the Worker of OpenCode Orchestrator." },
      { role: "user", content: [{ type: "text", text: "Do TODO A" }] },
      { role: "assistant", content: "", tool_calls: [{}] },
      { role: "tool", content: "wrote a.txt" },
    ],
    tools: [{ function: { name: "write" } }, { function: { name: "StructuredOutput" } }],
  };
  const ctx = contextOf(body, attempts);
  assert.equal(ctx.role, "worker");
  assert.equal(ctx.step, 1);
  assert.equal(ctx.prompt, "Do TODO A");
  assert.equal(ctx.structured, true);
  assert.deepEqual(ctx.toolResults, ["wrote a.txt"]);
  assert.equal(ctx.attempt, 0);
  assert.equal(contextOf(body, attempts).attempt, 1, "the same request again is a retry");
  assert.equal(contextOf({ messages: [{ role: "system", content: "Generate a title" }] }, attempts).role, "other");
});
