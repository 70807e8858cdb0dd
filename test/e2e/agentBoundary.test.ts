/**
 * The boundary around agents' commands, against the real OpenCode server: no command an agent runs
 * sees the server's password or the MCP token; background jobs and plan checks are decided by the
 * user's own bash permission rules (denied, asked, allowed), however the command is spelled, and
 * asked about as external_directory when they reach outside the workspace; and with
 * orchestrator.sandbox "bubblewrap" a command can write the workspace and nothing else.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { AgentRequestUpdate } from "../../src/orchestrator/host/agentRequests";
import { todo, type MissionScript } from "../../src/orchestrator/scriptedModel/missionScenario";
import { call, tools } from "../../src/orchestrator/scriptedModel/scenario";
import { findBubblewrap } from "../../src/orchestrator/process/agentShell";
import { REPO_ROOT } from "../support/isolation";
import { poolOf } from "../support/hostInternals";
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
      const passwords = poolOf(host)?.members().map(({ member }) => member.credentials.password ?? "") ?? [];
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
      const allowed = host.view.jobs.filter((j) => j.command === "echo allowed > allowed.txt");
      assert.equal(allowed.length, 1, "the allowed command ran as a job");
      assert.equal(host.view.jobs.filter((j) => j.command.includes("rm -rf") || j.command.startsWith("git push")).length, 0, "the others never started");
    },
  );
});

/** Spellings of a denied `rm` that a prefix match let through (issue 26), each as a background job. */
const HOSTILE_JOBS = [
  "r''m -f victim.txt",
  'f(){ rm "$@"; }; f victim.txt',
  "echo victim.txt | xargs -n 1 rm",
  "find . -name victim.txt -delete",
  "env -S 'rm -f victim.txt'",
  "git -c alias.x='!rm -f victim.txt' x",
  "sh <<< 'rm -f victim.txt'",
  ">x.log rm -f victim.txt",
];

test("hostile spellings of a denied command never run, as jobs or as checks; the agent is told why; a shell fed by a pipe is put to the user", async () => {
  const asked: AgentRequestUpdate[] = [];
  await withHost(
    (ws) => {
      writeFileSync(join(ws, "victim.txt"), "still here\n");
      return {
        // The plan's checks are model-written too: a TODO's and the project's.
        plans: [{ todos: [{ ...todo("H1"), check: "timeout 30 rm -f victim.txt" }], check: "nice -n 1 rm -f victim.txt" }],
        workerOverride: (_id, attempt, ctx) =>
          ctx.step === 0 && attempt === 1
            ? tools(
                call("write", { filePath: join(ws, "h1.txt"), content: "H1\n" }),
                ...HOSTILE_JOBS.map((command) => call("orchestrator_background_start", { command })),
                call("orchestrator_background_start", { command: "echo rm -f victim.txt | sh" }),
              )
            : undefined,
      };
    },
    { permission: { bash: { "*": "allow", "rm *": "deny", "git push*": "deny" } } },
    async ({ host, sandbox, state, model }) => {
      host.requests.on((u) => {
        asked.push(u);
        if (u.type === "asked" && u.request.kind === "permission") void host.replyPermission(u.request.id, "reject");
      });
      const final = await host.run("Write h1", base);
      // What the Worker's tool calls returned, as its next request carries them.
      const toolResults = model.requests.find((r) => r.role === "worker" && r.step === 1 && r.prompt.includes('<todo id="H1"'))?.toolResults ?? [];
      assert.equal(readFileSync(join(sandbox.workspace, "victim.txt"), "utf8"), "still here\n", "no spelling removed the file");
      const started = host.view.jobs.map((j) => j.command);
      assert.deepEqual(started.filter((c) => c.includes("victim")), [], "none of them started");
      // The tool's answer is JSON: its quotes come escaped.
      const refusals = toolResults.filter((r) => /Refused by the permission policy \(rule bash \\?"rm \*\\?": deny\)/.test(r));
      assert.equal(refusals.length, HOSTILE_JOBS.length, `each denied job told the agent which rule refused it:\n${toolResults.join("\n")}`);
      assert.ok(toolResults.some((r) => /The user declined this command/.test(r)), "the piped shell was asked about and declined");
      const ask = asked.find((u) => u.type === "asked" && u.request.kind === "permission" && u.request.patterns.includes("echo rm -f victim.txt | sh"));
      assert.ok(ask, "the gate could not read what the piped shell runs: the user decided");
      const mission = state(final.missionId as string);
      assert.equal(mission.todos[0]?.checkResult?.status, "refused", "the TODO's check was refused");
      assert.match(mission.todos[0]?.checkResult?.tail ?? "", /rule bash "rm \*": deny/);
      assert.equal(mission.checkResult?.status, "refused", "the project's check was refused");
    },
  );
});

test("a job that reaches outside the workspace is asked about as external_directory; declined, it never runs", async () => {
  const asked: AgentRequestUpdate[] = [];
  await withHost(
    (ws) => ({
      plans: [{ todos: [todo("X1")] }],
      workerOverride: (_id, attempt, ctx) =>
        ctx.step === 0 && attempt === 1 ? tools(call("write", { filePath: join(ws, "x1.txt"), content: "X1\n" }), call("orchestrator_background_start", { command: "cat /etc/hostname > seen.txt" })) : undefined,
    }),
    {},
    async ({ host, sandbox }) => {
      host.requests.on((u) => {
        asked.push(u);
        if (u.type === "asked" && u.request.kind === "permission") void host.replyPermission(u.request.id, "reject");
      });
      const final = await host.run("Write x1", base);
      assert.equal(final.status, "sealed", final.report);
      const ask = asked.find((u) => u.type === "asked" && u.request.kind === "permission");
      assert.ok(ask?.type === "asked" && ask.request.kind === "permission", "the user was asked");
      assert.equal(ask.request.permission, "external_directory");
      assert.deepEqual(ask.request.patterns, ["/etc/*"]);
      assert.match(ask.request.who, /cat \/etc\/hostname/, "the prompt names the command");
      assert.ok(!existsSync(join(sandbox.workspace, "seen.txt")), "the declined job never ran");
      assert.equal(host.view.jobs.filter((j) => j.command.includes("hostname")).length, 0);
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
