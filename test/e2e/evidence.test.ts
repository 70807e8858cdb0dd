/**
 * Done means evidence, against the real OpenCode server and a scripted model that lies on purpose:
 * a Worker that reports done without writing (or without writing all of its files) is sent back
 * before any review request is spent, and the Reviewer reads the real diff — not the Worker's word.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { HostSettings } from "../../src/orchestrator/host/hostSettings";
import { MissionHost } from "../../src/orchestrator/host/missionHost";
import { memoryLogger, RedactingLogger } from "../../src/orchestrator/common/logger";
import { missionScenario, todo } from "../../src/orchestrator/scriptedModel/missionScenario";
import { call, structured, tools } from "../../src/orchestrator/scriptedModel/scenario";
import { startScriptedModel, type ScriptedModel } from "../../src/orchestrator/scriptedModel/server";
import { SCRIPTED_MODEL, writeScriptedOpencodeJson } from "../support/engineHarness";
import { BUNDLED_OPENCODE, createSandbox, type Sandbox } from "../support/isolation";
import { withScriptedHost } from "../support/scriptedHost";

let sandbox: Sandbox;
let model: ScriptedModel;
/** Attempts on which each TODO's Worker claims done without writing anything. */
let lies: (id: string, attempt: number) => boolean = () => false;
const settings: HostSettings = { opencodePath: BUNDLED_OPENCODE, serverUrl: "", model: SCRIPTED_MODEL, demoMode: "never", models: {}, limits: {} };
const claim = { status: "done", summary: "Implemented it, all tests pass.", filesChanged: ["e.txt"], checksRun: ["npm test"], notes: "" };

before(async () => {
  sandbox = createSandbox("orch-evidence-");
  model = await startScriptedModel(
    missionScenario({
      workspace: sandbox.workspace,
      plans: [{ todos: [todo("E1", [], ["e1.txt"])] }, { todos: [todo("L1", [], ["l1.txt"])] }],
      workerOverride: (id, attempt, ctx) => (ctx.step === 0 && lies(id, attempt) ? structured(claim) : undefined),
    }),
  );
  writeScriptedOpencodeJson(sandbox.workspace, model.baseURL);
});

after(async () => {
  await model?.close();
  sandbox?.remove();
});

const newHost = () => new MissionHost({ workspace: sandbox.workspace, logger: new RedactingLogger(memoryLogger()), engineEnv: sandbox.env });
const requestsFor = (role: string, id: string, from: number) => model.requests.slice(from).filter((r) => r.role === role && r.step === 0 && r.attempt === 0 && r.prompt.includes(`<todo id="${id}"`));

test("a Worker that claims done without writing is sent back, told what the workspace shows, and no review is spent on it", async () => {
  lies = (id, attempt) => id === "E1" && attempt <= 2;
  const asked = model.requests.length;
  const stepsBefore = model.scriptedSteps().length;
  const host = newHost();
  try {
    const final = await host.run("Write e1", settings);
    assert.equal(final.status, "sealed", final.report);
    const workers = requestsFor("worker", "E1", asked);
    assert.equal(workers.length, 3, "two lies, then the real work");
    assert.match(workers[1]?.prompt ?? "", /The previous attempt was sent back:\n- You reported done, but the workspace shows no change to e1\.txt/);
    const reviews = requestsFor("reviewer", "E1", asked);
    assert.equal(reviews.length, 1, "the Reviewer saw E1 once: after the attempt that really wrote it");
    assert.match(reviews[0]?.prompt ?? "", /Changed \(the orchestrator's own record, not the Worker's word\): e1\.txt \+1 −0 \(added\)/);
    assert.match(reviews[0]?.prompt ?? "", /<diff nonce="([0-9a-f]+)">[\s\S]*\+E1 attempt 3[\s\S]*<\/diff nonce="\1">/, "the Reviewer reads the real diff");
    assert.equal(readFileSync(join(sandbox.workspace, "e1.txt"), "utf8"), "E1 attempt 3\n");
    assert.deepEqual(final.todos[0]?.changes.map((c) => c.path), ["e1.txt"]);
    const state = JSON.parse(readFileSync(join(sandbox.workspace, ".opencode", "orchestrator", "missions", final.missionId as string, "mission.json"), "utf8"));
    assert.deepEqual(state.todos[0].report.filesChanged, ["e1.txt"], "the report's file list is what really changed");
    // 1 plan + 3 Worker attempts (the lies cost one request each, the real one two) + the review.
    assert.equal(model.scriptedSteps().length - stepsBefore, 1 + 1 + 1 + 2 + 1, "requests spent");
  } finally {
    await host.dispose();
  }
});

test("a Worker that never writes is not sealed: its TODO fails after its attempts with the reason, and never reaches a Reviewer", async () => {
  // The replans' TODOs for it (L1.2, L1.3, …: the Planner reuses the id) never write either.
  lies = (id) => /^L1(\.\d+)?$/.test(id);
  const asked = model.requests.length;
  const host = newHost();
  try {
    const final = await host.run("Write l1", settings);
    assert.notEqual(final.status, "sealed", "no seal on a claim");
    assert.equal(model.requests.slice(asked).filter((r) => r.role === "reviewer").length, 0, "no review request was spent on it");
    const state = JSON.parse(readFileSync(join(sandbox.workspace, ".opencode", "orchestrator", "missions", final.missionId as string, "mission.json"), "utf8"));
    const l1 = state.todos.find((t: { id: string }) => t.id === "L1");
    assert.match(JSON.stringify(l1.history), /failed[^}]*You reported done, but the workspace shows no change to l1\.txt[^}]*\(after 3 attempts\)/);
  } finally {
    await host.dispose();
  }
});

test("half the work is not done: six Workers write one of their two files and report done; each is sent back naming the missing file, never reviewed without it, and the mission seals with all twelve", async () => {
  const ids = ["H1", "H2", "H3", "H4", "H5", "H6"];
  const filesOf = (id: string) => [`${id.toLowerCase()}-a.txt`, `${id.toLowerCase()}-b.txt`];
  /** TODOs the Reviewer was asked about while one of their files was missing. */
  const reviewedWithout: string[] = [];
  let workspace = "";
  await withScriptedHost(
    (ws) => {
      workspace = ws;
      return {
        plans: [{ todos: ids.map((id) => todo(id, [], filesOf(id))) }],
        // The first attempt writes the first file only, then reports done (the scenario's default report).
        workerOverride: (id, attempt, ctx) => (ctx.step === 0 && attempt === 1 ? tools(call("write", { filePath: join(ws, filesOf(id)[0] as string), content: `${id} first half\n` })) : undefined),
        // A lenient Reviewer passes everything; the test notes what the workspace held when it was asked.
        verdict: (id) => {
          if (!filesOf(id).every((f) => existsSync(join(workspace, f)))) reviewedWithout.push(id);
          return { verdict: "pass", issues: [] };
        },
      };
    },
    async ({ host, firstRequests, state }) => {
      const final = await host.run("Twelve files", settings);
      assert.equal(final.status, "sealed", final.report);
      for (const id of ids) for (const f of filesOf(id)) assert.ok(existsSync(join(workspace, f)), `${f} is in the workspace`);
      assert.deepEqual(reviewedWithout, [], "the Reviewer was never asked about a TODO with a missing file");
      for (const id of ids) {
        const workers = firstRequests("worker", id);
        assert.equal(workers.length, 2, `${id}: the half attempt, then the whole`);
        assert.match(workers[1]?.prompt ?? "", new RegExp(`The previous attempt was sent back:\n- You reported done, but a file the TODO declared does not exist: ${id.toLowerCase()}-b\\.txt\\.`));
        assert.equal(firstRequests("reviewer", id).length, 1, `${id} was reviewed once, whole`);
      }
      const persisted = state(final.missionId as string);
      assert.ok(persisted.todos.every((t) => t.attempts === 2 && t.status === "done"), "the half attempt counted as one");
    },
    { prefix: "orch-evidence-half-" },
  );
});
