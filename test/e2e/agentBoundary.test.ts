/**
 * The boundary around agents' commands, against the real OpenCode server: no command an agent runs
 * sees the server's password or the MCP token; background jobs are decided by the user's own bash
 * permission rules (denied, asked, allowed); and with orchestrator.sandbox "bubblewrap" a command
 * can write the workspace and nothing else.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { AgentRequestUpdate } from "../../src/orchestrator/host/agentRequests";
import { todo, type MissionScript } from "../../src/orchestrator/scriptedModel/missionScenario";
import { call, tools } from "../../src/orchestrator/scriptedModel/scenario";
import { findBubblewrap } from "../../src/orchestrator/engine/agentShell";
import { REPO_ROOT } from "../support/isolation";
import { SCRIPTED_SETTINGS as base, withScriptedHost, type ScriptedHost } from "../support/scriptedHost";

const withHost = (script: (ws: string) => Omit<MissionScript, "workspace">, userConfig: Record<string, unknown>, body: (run: ScriptedHost) => Promise<void>) => withScriptedHost(script, body, { prefix: "orch-boundary-", userConfig });

test("a Worker that runs env sees neither the server's password nor the MCP token", async () => {
  await withHost(
    (ws) => ({
      plans: [{ todos: [todo("E1")] }],
      workerOverride: (_id, attempt, ctx) =>
        ctx.step === 0 && attempt === 1
          ? tools(call("write", { filePath: join(ws, "e1.txt"), content: "E1\n" }), call("bash", { command: "env > env-seen.txt; echo shell=$SHELL", description: "show the environment" }))
          : undefined,
    }),
    {},
    async ({ host, sandbox }) => {
      const final = await host.run("Write e1", base);
      assert.equal(final.status, "sealed", final.report);
      const seen = readFileSync(join(sandbox.workspace, "env-seen.txt"), "utf8");
      assert.match(seen, /^PATH=/m, "the command ran with an environment");
      assert.doesNotMatch(seen, /OPENCODE_SERVER_PASSWORD|OPENCODE_CONFIG_CONTENT|Bearer /, "no secret of ours");
      const passwords = host.servers?.members().map(({ member }) => member.credentials.password ?? "") ?? [];
      assert.ok(passwords.length > 0 && passwords.every((p) => p.length >= 16 && !seen.includes(p)), "the password itself appears nowhere");
    },
  );
});

test("background jobs pass the user's bash rules: a denied command is refused, an asked one waits for the user, an allowed one runs", async () => {
  const asked: AgentRequestUpdate[] = [];
  await withHost(
    (ws) => ({
      plans: [{ todos: [todo("J1")] }],
      workerOverride: (_id, attempt, ctx) =>
        ctx.step === 0 && attempt === 1
          ? tools(
              call("write", { filePath: join(ws, "j1.txt"), content: "J1\n" }),
              call("orchestrator_background_start", { command: "echo start && rm -rf j1.txt" }),
              call("orchestrator_background_start", { command: "git push origin main" }),
              call("orchestrator_background_start", { command: "echo allowed > allowed.txt" }),
            )
          : undefined,
    }),
    { permission: { bash: { "*": "allow", "rm *": "deny", "git push*": "ask" } } },
    async ({ host, sandbox }) => {
      host.requests.on((u) => {
        asked.push(u);
        // The user declines the push.
        if (u.type === "asked" && u.request.kind === "permission" && u.request.patterns.includes("git push origin main")) void host.replyPermission(u.request.id, "reject");
      });
      const final = await host.run("Write j1", base);
      assert.equal(final.status, "sealed", final.report);
      assert.ok(existsSync(join(sandbox.workspace, "j1.txt")), "the denied rm never ran");
      const ask = asked.find((u) => u.type === "asked");
      assert.ok(ask?.type === "asked" && ask.request.kind === "permission" && ask.request.permission === "bash" && ask.request.who === "An agent's background job", "the push was put to the user");
      assert.ok(asked.some((u) => u.type === "gone" && u.id === ask.request.id), "and the prompt closed with the answer");
      const allowed = host.jobs.list().filter((j) => j.command === "echo allowed > allowed.txt");
      assert.equal(allowed.length, 1, "the allowed command ran as a job");
      assert.equal(host.jobs.list().filter((j) => j.command.includes("rm -rf") || j.command.startsWith("git push")).length, 0, "the others never started");
    },
  );
});

test("with orchestrator.sandbox bubblewrap an agent's command writes the workspace and nothing outside it", { skip: findBubblewrap() ? false : "bwrap is not installed (scripts/install-system-deps.sh installs it)" }, async () => {
  // Not under /tmp: the sandbox gives commands a private /tmp, so the test would prove less there
  // (/var/tmp is on the root file system, which the sandbox shows read-only).
  const parent = existsSync("/var/tmp") ? "/var/tmp" : join(REPO_ROOT, "test-results");
  mkdirSync(parent, { recursive: true });
  const outside = mkdtempSync(join(parent, "orch-outside-"));
  try {
    await withHost(
      () => ({
        plans: [{ todos: [todo("S1")] }],
        workerOverride: (_id, attempt, ctx) =>
          ctx.step === 0 && attempt === 1
            ? tools(call("bash", { command: `echo S1 > s1.txt; echo escaped > ${join(outside, "escaped.txt")}; echo status=$?`, description: "write inside and outside" }))
            : undefined,
      }),
      {},
      async ({ host, sandbox, told }) => {
        const final = await host.run("Write s1", { ...base, sandbox: "bubblewrap" });
        assert.equal(final.status, "sealed", final.report);
        assert.equal(readFileSync(join(sandbox.workspace, "s1.txt"), "utf8"), "S1\n", "the workspace is writable");
        assert.ok(!existsSync(join(outside, "escaped.txt")), "nothing was written outside");
        assert.match(told("S1", 1), /escaped\.txt: (Read-only file system|No such file or directory)/);
        // bash answers a failed redirect with 1, dash (CI's /bin/sh when SHELL is unset) with 2.
        assert.match(told("S1", 1), /status=[1-9]/, "the write outside failed");
      },
    );
  } finally {
    rmSync(outside, { recursive: true, force: true });
  }
});
