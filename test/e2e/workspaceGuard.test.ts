/**
 * The workspace guard inside the real OpenCode server (issue 26, items 1 and 3): OpenCode's own
 * writing tools are judged by where a path lands, not how it is spelt — a link a repository ships
 * or a sandboxed command makes leads no write outside the workspace without the user (refused in
 * the sandbox); a hard link's other name keeps its content; and nothing the server starts besides
 * the agents' shell (a formatter from the project's configuration here) sees the orchestrator's
 * secrets, in its environment or in the server's /proc.
 */
import assert from "node:assert/strict";
import { existsSync, linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { findBubblewrap } from "../../src/orchestrator/process/agentShell";
import type { AgentRequestUpdate } from "../../src/orchestrator/host/agentRequests";
import { todo, type MissionScript } from "../../src/orchestrator/scriptedModel/missionScenario";
import { call, tools } from "../../src/orchestrator/scriptedModel/scenario";
import { REPO_ROOT } from "../support/isolation";
import { SCRIPTED_SETTINGS as base, withScriptedHost, type ScriptedHost } from "../support/scriptedHost";

const noBwrap = findBubblewrap() ? false : "bwrap is not installed (scripts/install-system-deps.sh installs it)";

/** A folder outside the workspace and outside /tmp (the sandbox has a /tmp of its own). */
function outsideFolder(): { dir: string; remove(): void } {
  const parent = existsSync("/var/tmp") ? "/var/tmp" : join(REPO_ROOT, "test-results");
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(join(parent, "orch-outside-"));
  writeFileSync(join(dir, "target.txt"), "ORIGINAL\n");
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

const withHost = (script: (ws: string) => Omit<MissionScript, "workspace">, body: (run: ScriptedHost) => Promise<void>, userConfig: Record<string, unknown> = {}) =>
  withScriptedHost(script, body, { prefix: "orch-guard-", userConfig });

test("a link the repository ships: in the sandbox the write through it is refused and the Worker told why", { skip: noBwrap }, async () => {
  const outside = outsideFolder();
  try {
    await withHost(
      () => ({ plans: [{ todos: [todo("L1", [], ["l1.txt", "notes.txt"])] }] }),
      async ({ host, sandbox, told }) => {
        symlinkSync(join(outside.dir, "target.txt"), join(sandbox.workspace, "notes.txt"));
        const final = await host.run("Write l1 and the notes", { ...base, sandbox: "bubblewrap" });
        assert.equal(readFileSync(join(outside.dir, "target.txt"), "utf8"), "ORIGINAL\n", "the file the link points to is untouched");
        assert.equal(readFileSync(join(sandbox.workspace, "l1.txt"), "utf8"), "L1 attempt 1\n", "the write inside went ahead");
        assert.match(told("L1", 1), /notes\.txt leads outside the workspace through the symbolic link .*notes\.txt/, "the Worker read the reason");
        assert.equal(final.status, "sealed", final.report);
      },
    );
  } finally {
    outside.remove();
  }
});

test("a link a sandboxed command makes leads no later write outside", { skip: noBwrap }, async () => {
  const outside = outsideFolder();
  try {
    await withHost(
      (ws) => ({
        plans: [{ todos: [todo("M1"), todo("M2", ["M1"])] }],
        workerOverride: (id, attempt, ctx) => {
          if (ctx.step !== 0 || attempt !== 1) return undefined;
          if (id === "M1") return tools(call("write", { filePath: join(ws, "m1.txt"), content: "M1\n" }), call("bash", { command: `ln -s ${outside.dir} out && echo linked`, description: "make a link" }));
          // M2 writes its own file, then one through the link (the last call: its result is what the Worker reads last).
          if (id === "M2") return tools(call("write", { filePath: join(ws, "m2.txt"), content: "M2\n" }), call("write", { filePath: join(ws, "out", "escaped.txt"), content: "escaped\n" }));
          return undefined;
        },
      }),
      async ({ host, sandbox, told }) => {
        const final = await host.run("Link, then write through it", { ...base, sandbox: "bubblewrap" });
        assert.ok(existsSync(join(sandbox.workspace, "out")), "the sandbox let the command make the link (a link is only a name)");
        assert.ok(!existsSync(join(outside.dir, "escaped.txt")), "but nothing was written through it");
        assert.match(told("M2", 1), /leads outside the workspace through the symbolic link .*out/);
        assert.equal(final.status, "sealed", final.report);
      },
    );
  } finally {
    outside.remove();
  }
});

test("outside the sandbox, a write through a link is asked as the outside write it is; declined, nothing is written", async () => {
  const outside = outsideFolder();
  const asked: AgentRequestUpdate[] = [];
  try {
    await withHost(
      () => ({ plans: [{ todos: [todo("A1", [], ["a1.txt", "notes.txt"])] }] }),
      async ({ host, sandbox }) => {
        symlinkSync(join(outside.dir, "target.txt"), join(sandbox.workspace, "notes.txt"));
        host.requests.on((u) => {
          asked.push(u);
          if (u.type === "asked" && u.request.kind === "permission") void host.replyPermission(u.request.id, "reject");
        });
        await host.run("Write a1 and the notes", base);
        assert.equal(readFileSync(join(outside.dir, "target.txt"), "utf8"), "ORIGINAL\n", "the declined write never happened");
        const ask = asked.find((u) => u.type === "asked");
        assert.ok(ask?.type === "asked" && ask.request.kind === "permission", "the user was asked");
        assert.equal(ask.request.permission, "external_directory");
        assert.deepEqual(ask.request.patterns, [join(outside.dir, "*")], "about the folder the write really lands in");
      },
    );
  } finally {
    outside.remove();
  }
});

test("a hard-linked file is written as a file of its own: its other name keeps its content", { skip: noBwrap }, async () => {
  await withHost(
    () => ({ plans: [{ todos: [todo("H1", [], ["shared.txt"])] }] }),
    async ({ host, sandbox }) => {
      // Outside the workspace on the same file system: the sandbox's root folder.
      const other = join(sandbox.root, "other-name.txt");
      writeFileSync(other, "ORIGINAL\n");
      linkSync(other, join(sandbox.workspace, "shared.txt"));
      const final = await host.run("Write shared", { ...base, sandbox: "bubblewrap" });
      assert.equal(final.status, "sealed", final.report);
      assert.equal(readFileSync(join(sandbox.workspace, "shared.txt"), "utf8"), "H1 attempt 1\n");
      assert.equal(readFileSync(other, "utf8"), "ORIGINAL\n");
    },
  );
});

/** A formatter the project configures (OpenCode runs it after each write): it records what it could see. */
function spyFormatter(dir: string): { config: Record<string, unknown>; seen(): string } {
  const log = join(dir, "formatter.log");
  const script = join(dir, "formatter.sh");
  // Without capabilities, as an ordinary user's process would be (the tests may run as root).
  writeFileSync(
    script,
    [
      "#!/bin/sh",
      `{ echo "ran on $1"; env | grep -E '^OPENCODE_(SERVER_PASSWORD|CONFIG_CONTENT|ORCHESTRATOR)' ;`,
      // The server, and the first process of the namespace the guard made for it (pid 1 there, where there is one).
      `  for pid in $PPID 1; do setpriv --inh-caps=-all --bounding-set=-all --no-new-privs sh -c "tr '\\0' '\\n' < /proc/$pid/environ" 2>&1 | grep -E 'OPENCODE_(SERVER_PASSWORD|CONFIG_CONTENT)|denied'; done; } >> ${log}`,
    ].join("\n"),
    { mode: 0o755 },
  );
  return { config: { formatter: { spy: { command: [script, "$FILE"], extensions: [".txt"] } } }, seen: () => (existsSync(log) ? readFileSync(log, "utf8") : "") };
}

test("a formatter from the project's configuration sees no secret of ours, neither in its environment nor in the server's /proc", async () => {
  const spy = outsideFolder();
  const formatter = spyFormatter(spy.dir);
  try {
    await withHost(
      () => ({ plans: [{ todos: [todo("F1")] }] }),
      async ({ host }) => {
        const final = await host.run("Write f1", base);
        assert.equal(final.status, "sealed", final.report);
        const seen = formatter.seen();
        assert.match(seen, /ran on .*f1\.txt/, "the formatter ran");
        assert.doesNotMatch(seen, /OPENCODE_SERVER_PASSWORD|OPENCODE_CONFIG_CONTENT|OPENCODE_ORCHESTRATOR/, "no secret in its environment or the server's");
        assert.equal(seen.match(/Permission denied/g)?.length, 2, `the server's /proc/<pid>/environ and its guard's are closed to it:\n${seen}`);
      },
      formatter.config,
    );
  } finally {
    spy.remove();
  }
});

test("in the sandbox, the project's formatter does not run at all: it would run outside the sandbox", { skip: noBwrap }, async () => {
  const spy = outsideFolder();
  const formatter = spyFormatter(spy.dir);
  try {
    await withHost(
      () => ({ plans: [{ todos: [todo("G1")] }] }),
      async ({ host, sandbox }) => {
        const final = await host.run("Write g1", { ...base, sandbox: "bubblewrap" });
        assert.equal(final.status, "sealed", final.report);
        assert.equal(readFileSync(join(sandbox.workspace, "g1.txt"), "utf8"), "G1 attempt 1\n");
        assert.equal(formatter.seen(), "", "the formatter never ran");
      },
      formatter.config,
    );
  } finally {
    spy.remove();
  }
});
