import assert from "node:assert/strict";
import { test } from "node:test";
import { buildServerConfig } from "../../src/orchestrator/engine/serverConfig";
import { parseModelRef } from "../../src/orchestrator/domain/modelRef";

test("registers the four agents and the headless permission policy", () => {
  const config = buildServerConfig() as { agent: Record<string, { prompt: string; mode: string }>; permission: Record<string, string> };
  assert.deepEqual(Object.keys(config.agent).sort(), ["orchestrator-planner", "orchestrator-reviewer", "orchestrator-worker"]);
  for (const [name, agent] of Object.entries(config.agent)) {
    const role = name.replace("orchestrator-", "");
    assert.match(agent.prompt, new RegExp(`^You are the ${role}`, "i"), "the role is named first: the scripted model and people rely on it");
    assert.ok(agent.prompt.length < 800, `${name}'s prompt stays short (it is paid for on every turn)`);
  }
  assert.equal(config.permission["*"], undefined, "no catch-all of ours: it would come after the user's rules and override them");
  assert.equal(config.permission.question, "allow", "questions are routed to the user");
  assert.equal(config.permission.doom_loop, "ask");
  assert.equal(config.permission.external_directory, "ask");
});

test("adds a provider and default model only when asked", () => {
  const config = buildServerConfig({ provider: { id: "p", name: "P", baseURL: "http://127.0.0.1:1/v1", models: { m: { name: "M", limit: { context: 1, output: 1 } } } }, model: "p/m" });
  assert.equal((config.provider as Record<string, { npm: string }>).p?.npm, "@ai-sdk/openai-compatible");
  assert.equal(config.model, "p/m");
  assert.equal(buildServerConfig().model, undefined);
});

test("model references are provider/model", () => {
  assert.deepEqual(parseModelRef("anthropic/claude-sonnet-4"), { providerID: "anthropic", modelID: "claude-sonnet-4" });
  assert.deepEqual(parseModelRef("openrouter/meta/llama"), { providerID: "openrouter", modelID: "meta/llama" });
  assert.equal(parseModelRef("  "), undefined);
  assert.throws(() => parseModelRef("claude"), /provider\/model/);
});
