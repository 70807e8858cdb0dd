/**
 * File scopes enforced through OpenCode's own permission mechanism, against the real server and
 * Workers that write outside their TODO's files on purpose: the write waits for the TODO holding
 * the file (through its review: a TODO keeps its files until it is accepted), a cycle of waits is
 * broken by refusing one write (naming the holder), and one file spelled two ways is one file. The
 * scripted Workers are ordered by what the test awaits, not by delays.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { MissionHost } from "../../src/orchestrator/host/missionHost";
import { todo, type MissionScript } from "../../src/orchestrator/scriptedModel/missionScenario";
import { call, tools, type Reply } from "../../src/orchestrator/scriptedModel/scenario";
import { SCRIPTED_SETTINGS as settings, withScriptedHost, type ScriptedHost } from "../support/scriptedHost";

const withMission = (script: (workspace: string) => Omit<MissionScript, "workspace">, body: (run: ScriptedHost) => Promise<void>) => withScriptedHost(script, body, { prefix: "orch-scopes-" });

/** Resolves once the shown mission's timeline has a line matching `pattern`. */
function timelineLine(host: MissionHost, pattern: RegExp): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (!host.view.timeline.some((e) => pattern.test(e.text))) return;
      sub.dispose();
      resolve();
    };
    const sub = host.view.updates.on(check);
  });
}

const write = (workspace: string, file: string, content: string) => call("write", { filePath: join(workspace, file), content });

test("a Worker's write into a file another running TODO holds waits until that TODO lets go: never interleaved", async () => {
  let waiting: Promise<void> = Promise.resolve();
  await withMission(
    (ws) => ({
      plans: [{ todos: [todo("H", [], ["shared.txt"]), todo("W", [], ["w.txt"])] }],
      workerOverride: (id, attempt, ctx): Reply | undefined => {
        if (ctx.step !== 0 || attempt !== 1) return undefined;
        // H writes its own file only once W has asked for it: W's ask meets a held file for sure.
        if (id === "H") return { ...tools(write(ws, "shared.txt", "H's version\n")), after: waiting };
        if (id === "W") return tools(write(ws, "w.txt", "W\n"), write(ws, "shared.txt", "W's version\n"));
        return undefined;
      },
    }),
    async ({ host, sandbox, model }) => {
      waiting = timelineLine(host, /^W: write to shared\.txt waiting \(held by H\)$/);
      const asked: string[] = [];
      host.requests.on((u) => u.type === "asked" && asked.push(u.request.id));
      const final = await host.run("Two TODOs, one shared file", settings);
      assert.equal(final.status, "sealed", final.report);
      const lines = host.view.timeline.map((e) => e.text);
      const waited = lines.indexOf("W: write to shared.txt waiting (held by H)");
      const hDone = lines.findIndex((l) => /^H: running → review/.test(l));
      const granted = lines.indexOf("W: write to shared.txt granted");
      assert.ok(waited >= 0 && hDone > waited && granted > hDone, `W waited for H to finish: ${lines.join(" | ")}`);
      assert.equal(readFileSync(join(sandbox.workspace, "shared.txt"), "utf8"), "W's version\n", "W wrote after H, not between H's writes");
      // W's TODO now owns what it wrote: its real changes name the file outside its declared ones.
      assert.deepEqual(final.todos.find((t) => t.id === "W")?.changes.map((c) => c.path).sort(), ["shared.txt", "w.txt"]);
      assert.deepEqual(asked, [], "the Commander answered: the user was never asked");
      assert.equal(model.requests.filter((r) => r.role === "worker" && r.step === 0 && r.attempt === 0).length, 2, "one attempt each");
    },
  );
});

test("two Workers each waiting for the other's file: one write is refused, naming the holder; both finish", async () => {
  let aWaits: Promise<void> = Promise.resolve();
  await withMission(
    (ws) => ({
      plans: [{ todos: [todo("A", [], ["a.txt"]), todo("B", [], ["b.txt"])] }],
      workerOverride: (id, attempt, ctx): Reply | undefined => {
        if (attempt !== 1) return undefined;
        if (ctx.step === 0 && id === "A") return tools(write(ws, "a.txt", "A\n"), write(ws, "b.txt", "A was here\n"));
        // B asks for a.txt only once A waits on b.txt: a cycle for sure.
        if (ctx.step === 0 && id === "B") return { ...tools(write(ws, "b.txt", "B\n"), write(ws, "a.txt", "B was here\n")), after: aWaits };
        return undefined;
      },
    }),
    async ({ host, sandbox, model }) => {
      aWaits = timelineLine(host, /^A: write to b\.txt waiting \(held by B\)$/);
      const final = await host.run("A cycle of waits", settings);
      assert.equal(final.status, "sealed", final.report);
      // What B's model was told about its write to a.txt (the last tool result of its turn's first step).
      const told = model.requests.find((r) => r.role === "worker" && r.step === 1 && r.prompt.includes('<todo id="B"'))?.lastToolResult;
      assert.match(told ?? "", /a\.txt is being changed by TODO A \(Make A\), which waits for a file your TODO holds\. Leave a\.txt alone/);
      assert.equal(readFileSync(join(sandbox.workspace, "a.txt"), "utf8"), "A\n", "B's refused write never happened");
      assert.equal(readFileSync(join(sandbox.workspace, "b.txt"), "utf8"), "A was here\n", "A's write went ahead once B let go");
      assert.ok(host.view.timeline.some((e) => e.text === "B: write to a.txt refused"));
    },
  );
});

test("one file spelled two ways in two TODOs is never worked on at once", async () => {
  await withMission(
    () => ({ plans: [{ todos: [todo("S1", [], ["src/./x.txt"]), todo("S2", [], ["src//x.txt"])] }], workerLatencyMs: () => 200 }),
    async ({ host, model }) => {
      const final = await host.run("One file, two spellings", settings);
      assert.equal(final.status, "sealed", final.report);
      const workers = model.requests.filter((r) => r.role === "worker");
      const spans = ["S1", "S2"].map((id) => {
        const mine = workers.filter((r) => r.prompt.includes(`<todo id="${id}"`));
        return [Math.min(...mine.map((r) => r.receivedAt)), Math.max(...mine.map((r) => r.finishedAt ?? r.receivedAt))] as const;
      });
      const [first, second] = spans.sort((x, y) => x[0] - y[0]);
      assert.ok(first && second && second[0] >= first[1], `the second began after the first ended: ${JSON.stringify(spans)}`);
    },
  );
});

test("a stray write into a file whose TODO waits for review waits for its acceptance: the review sees the owner's text, and the edit lands after it", async () => {
  let workspace = "";
  /** What shared.js held when the Reviewer was asked about A. */
  const seenByAReview: string[] = [];
  await withMission(
    (ws) => {
      workspace = ws;
      return {
        plans: [{ todos: [todo("A", [], ["shared.js"]), todo("B", [], ["b.js"])] }],
        content: (id, _file, _mission, attempt) => (id === "A" ? `A attempt ${attempt}\n// end of A\n` : `${id}\n`),
        // B edits A's file as well: a stray write, asked of the Commander.
        workerOverride: (id, attempt, ctx) => (id === "B" && ctx.step === 0 && attempt === 1 ? tools(write(ws, "b.js", "B\n"), call("edit", { filePath: join(ws, "shared.js"), oldString: "// end of A\n", newString: "// end of A\nB was here\n" })) : undefined),
        verdict: (id) => {
          if (id === "A") seenByAReview.push(readFileSync(join(workspace, "shared.js"), "utf8"));
          return { verdict: "pass", issues: [] };
        },
      };
    },
    async ({ host, model, firstRequests }) => {
      // One session at a time: A's review can only run in the slot B's parked write lends it.
      const final = await host.run("A file and a stray write", { ...settings, limits: { maxParallelSessions: 1 } });
      assert.equal(final.status, "sealed", final.report);
      const lines = host.view.timeline.map((e) => e.text);
      const waited = lines.indexOf("B: write to shared.js waiting (held by A)");
      const accepted = lines.findIndex((l) => /^A: review → done/.test(l));
      const granted = lines.indexOf("B: write to shared.js granted");
      assert.ok(waited >= 0 && accepted > waited && granted > accepted, `B's write waited for A's acceptance: ${lines.join(" | ")}`);
      assert.deepEqual(seenByAReview, ["A attempt 1\n// end of A\n"], "A's review saw A's text, and only A's");
      assert.match(firstRequests("reviewer", "A")[0]?.prompt ?? "", /\+A attempt 1/);
      assert.equal(readFileSync(join(workspace, "shared.js"), "utf8"), "A attempt 1\n// end of A\nB was here\n", "both changes, B's after A's acceptance");
      const bTurn = model.requests.filter((r) => r.role === "worker" && r.prompt.includes('<todo id="B"'));
      const aReview = model.requests.find((r) => r.role === "reviewer" && r.prompt.includes('<todo id="A"'));
      assert.ok(aReview && aReview.receivedAt > (bTurn[0]?.receivedAt ?? Infinity) && aReview.receivedAt < (bTurn.at(-1)?.receivedAt ?? 0), "A was reviewed while B's turn waited, in the slot B lent it");
      assert.equal(firstRequests("worker", "B").length, 1, "B's one attempt");
    },
  );
});
