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
import type { AgentRequestUpdate } from "../../src/orchestrator/host/agentRequests";
import { todo } from "../../src/orchestrator/scriptedModel/missionScenario";
import { call, tools } from "../../src/orchestrator/scriptedModel/scenario";
import { SCRIPTED_SETTINGS as base, withScriptedHost } from "../support/scriptedHost";

/** A folder outside the workspace: a write there makes OpenCode ask the user (external_directory). */
async function withOutside(body: (outside: string) => Promise<void>): Promise<void> {
  const outside = mkdtempSync(join(tmpdir(), "orch-outside-"));
  try {
    await body(outside);
  } finally {
    rmSync(outside, { recursive: true, force: true });
  }
}

test("a permission left unanswered is declined after the timeout: the Worker is told, goes on, and the mission seals", () =>
  withOutside((outside) =>
    withScriptedHost(
      (ws) => ({
        plans: [{ todos: [todo("P1")] }],
        // Its own file, and one outside the workspace: OpenCode asks the user (external_directory).
        workerOverride: (_id, attempt, ctx) => (ctx.step === 0 && attempt === 1 ? tools(call("write", { filePath: join(ws, "p1.txt"), content: "P1\n" }), call("write", { filePath: join(outside, "x.txt"), content: "x" })) : undefined),
      }),
      async ({ host, told }) => {
        const updates: AgentRequestUpdate[] = [];
        host.requests.on((u) => updates.push(u));
        const final = await host.run("Write p1", { ...base, limits: { permissionTimeoutMs: 1_500 } });
        assert.equal(final.status, "sealed", final.report);
        const asked = updates.find((u) => u.type === "asked");
        assert.ok(asked?.type === "asked" && asked.request.kind === "permission" && asked.request.permission === "external_directory", "the user was asked");
        assert.ok(updates.some((u) => u.type === "gone" && u.id === asked.request.id), "and the prompt closed by itself");
        assert.match(told("P1", 1), /Nobody answered within <1 minute\(s\), so the request was declined/);
      },
      { prefix: "orch-stale-" },
    ),
  ));

test("a request whose session is aborted is withdrawn for the user; the TODO is redone and the mission seals", () =>
  withOutside((outside) =>
    withScriptedHost(
      () => ({
        plans: [{ todos: [todo("Q1")] }],
        workerOverride: (_id, attempt, ctx) => (ctx.step === 0 && attempt === 1 ? tools(call("write", { filePath: join(outside, "x.txt"), content: "x" })) : undefined),
      }),
      async ({ host }) => {
        const updates: AgentRequestUpdate[] = [];
        const goneWhile: string[] = [];
        // The user aborts the Worker's session while its request waits (the Sessions view's Abort); the retry writes its file.
        host.requests.on((u) => {
          updates.push(u);
          if (u.type === "asked") void host.abortSession(u.request.sessionId);
          else goneWhile.push(host.model.phase);
        });
        const final = await host.run("Write q1", { ...base, limits: { permissionTimeoutMs: 60 * 60_000 } });
        assert.equal(final.status, "sealed", final.report);
        const asked = updates.find((u) => u.type === "asked");
        assert.ok(asked?.type === "asked");
        assert.ok(updates.some((u) => u.type === "gone" && u.id === asked.request.id), "the prompt was withdrawn with its session");
        assert.deepEqual(goneWhile, ["running"], "withdrawn when its session ended, not when the mission did");
      },
      { prefix: "orch-stale-" },
    ),
  ));
