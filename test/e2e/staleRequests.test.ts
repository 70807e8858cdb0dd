/**
 * Requests nobody answers never hold a mission, against the real OpenCode server: a permission the
 * user leaves unanswered is declined after orchestrator.permissionTimeoutMinutes (the Worker reads
 * why and goes on), and a request whose session ends is withdrawn, here and in OpenCode.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { HostSettings } from "../../src/orchestrator/host/hostSettings";
import { MissionHost } from "../../src/orchestrator/host/missionHost";
import type { AgentRequestUpdate } from "../../src/orchestrator/host/agentRequests";
import { memoryLogger, RedactingLogger } from "../../src/orchestrator/logger";
import { missionScenario, todo } from "../../src/orchestrator/scriptedModel/missionScenario";
import { call, tools } from "../../src/orchestrator/scriptedModel/scenario";
import { startScriptedModel } from "../../src/orchestrator/scriptedModel/server";
import { SCRIPTED_MODEL, writeScriptedOpencodeJson } from "../support/engineHarness";
import { BUNDLED_OPENCODE, createSandbox } from "../support/isolation";

const base: HostSettings = { opencodePath: BUNDLED_OPENCODE, serverUrl: "", model: SCRIPTED_MODEL, demoMode: "never", models: {}, limits: {} };

test("a permission left unanswered is declined after the timeout: the Worker is told, goes on, and the mission seals", async () => {
  const sandbox = createSandbox("orch-stale-");
  const outside = mkdtempSync(join(tmpdir(), "orch-outside-"));
  const model = await startScriptedModel(
    missionScenario({
      workspace: sandbox.workspace,
      plans: [{ todos: [todo("P1")] }],
      // Its own file, and one outside the workspace: OpenCode asks the user (external_directory).
      workerOverride: (_id, attempt, ctx) => (ctx.step === 0 && attempt === 1 ? tools(call("write", { filePath: join(sandbox.workspace, "p1.txt"), content: "P1\n" }), call("write", { filePath: join(outside, "x.txt"), content: "x" })) : undefined),
    }),
  );
  writeScriptedOpencodeJson(sandbox.workspace, model.baseURL);
  const host = new MissionHost({ workspace: sandbox.workspace, logger: new RedactingLogger(memoryLogger()), engineEnv: sandbox.env });
  const updates: AgentRequestUpdate[] = [];
  host.requests.on((u) => updates.push(u));
  try {
    const final = await host.run("Write p1", { ...base, limits: { permissionTimeoutMs: 1_500 } });
    assert.equal(final.status, "sealed", final.report);
    const asked = updates.find((u) => u.type === "asked");
    assert.ok(asked?.type === "asked" && asked.request.kind === "permission" && asked.request.permission === "external_directory", "the user was asked");
    assert.ok(updates.some((u) => u.type === "gone" && u.id === asked.request.id), "and the prompt closed by itself");
    const told = model.requests.find((r) => r.role === "worker" && r.step === 1)?.lastToolResult ?? "";
    assert.match(told, /Nobody answered within <1 minute\(s\), so the request was declined/);
  } finally {
    await host.dispose();
    await model.close();
    sandbox.remove();
    rmSync(outside, { recursive: true, force: true });
  }
});

test("a request whose session is aborted is withdrawn for the user; the TODO is redone and the mission seals", async () => {
  const sandbox = createSandbox("orch-stale-");
  const outside = mkdtempSync(join(tmpdir(), "orch-outside-"));
  const model = await startScriptedModel(
    missionScenario({
      workspace: sandbox.workspace,
      plans: [{ todos: [todo("Q1")] }],
      workerOverride: (_id, attempt, ctx) => (ctx.step === 0 && attempt === 1 ? tools(call("write", { filePath: join(outside, "x.txt"), content: "x" })) : undefined),
    }),
  );
  writeScriptedOpencodeJson(sandbox.workspace, model.baseURL);
  const host = new MissionHost({ workspace: sandbox.workspace, logger: new RedactingLogger(memoryLogger()), engineEnv: sandbox.env });
  const updates: AgentRequestUpdate[] = [];
  // The user aborts the Worker's session while its request waits (the Sessions view's Abort); the retry writes its file.
  const goneWhile: string[] = [];
  host.requests.on((u) => {
    updates.push(u);
    if (u.type === "asked") void host.abortSession(u.request.sessionId);
    else goneWhile.push(host.model.phase);
  });
  try {
    const final = await host.run("Write q1", { ...base, limits: { permissionTimeoutMs: 60 * 60_000 } });
    assert.equal(final.status, "sealed", final.report);
    const asked = updates.find((u) => u.type === "asked");
    assert.ok(asked?.type === "asked");
    assert.ok(updates.some((u) => u.type === "gone" && u.id === asked.request.id), "the prompt was withdrawn with its session");
    assert.deepEqual(goneWhile, ["running"], "withdrawn when its session ended, not when the mission did");
  } finally {
    await host.dispose();
    await model.close();
    sandbox.remove();
    rmSync(outside, { recursive: true, force: true });
  }
});
