/**
 * The first wait (issue 27): Run Task → the first Worker running, through the MissionHost as the
 * extension drives it (approvePlan at its default, aboveCost), on the demo model and on a
 * configured provider (the scripted model in the workspace's opencode.json). Cold: OpenCode not
 * started; warm: `MissionHost.warm` done first, as opening the Orchestrator view or the Run Task
 * box does. Also the model list (what Run Task's pick waits for) and where the time between the
 * Planner's end and the first Worker goes. Prints JSON; `node --import tsx bench/firstWorker.ts`.
 * FIRST_WORKER_RUNS (default 3) runs per case; FIRST_WORKER_FETCH=1 leaves OpenCode's models.dev
 * fetch on (offline it is what a user's machine without the variable does).
 */
import type { HostSettings } from "../src/orchestrator/host/hostSettings";
import { MissionHost } from "../src/orchestrator/host/missionHost";
import { memoryLogger, RedactingLogger } from "../src/orchestrator/common/logger";
import { missionScenario, todo } from "../src/orchestrator/scriptedModel/missionScenario";
import { startScriptedModel } from "../src/orchestrator/scriptedModel/server";
import { writeScriptedOpencodeJson } from "../test/support/engineHarness";
import { BUNDLED_OPENCODE, createSandbox } from "../test/support/isolation";

const RUNS = Number(process.env.FIRST_WORKER_RUNS ?? 3);
const log = (line: string) => process.stderr.write(`${line}\n`);

interface Run {
  /** Run Task → the first Worker session started. */
  firstWorkerMs: number;
  /** Run Task → the Planner's session started, and ended. */
  plannerStartMs: number;
  plannerEndMs: number;
  /** The Planner's end → the first Worker. */
  gapMs: number;
  /** warm() (or, cold, models()) → the model list Run Task's pick shows. */
  modelsMs: number;
}

async function once(kind: "demo" | "configured", warm: boolean): Promise<Run> {
  const sandbox = createSandbox("orch-bench-first-");
  if (process.env.FIRST_WORKER_FETCH === "1") delete sandbox.env.OPENCODE_DISABLE_MODELS_FETCH;
  const model = kind === "configured" ? await startScriptedModel(missionScenario({ workspace: sandbox.workspace, latencyMs: 0, plans: [{ todos: [todo("F1", [], ["f1.md"]), todo("F2", [], ["f2.md"])] }] })) : undefined;
  if (model) writeScriptedOpencodeJson(sandbox.workspace, model.baseURL);
  const logger = memoryLogger();
  const host = new MissionHost({ workspace: sandbox.workspace, logger: new RedactingLogger(logger), engineEnv: sandbox.env });
  const settings: HostSettings = { opencodePath: BUNDLED_OPENCODE, serverUrl: "", model: undefined, demoMode: "auto", models: {}, limits: {}, approvePlan: "aboveCost" };
  try {
    let modelsMs = 0;
    if (warm) {
      const t = Date.now();
      await host.warm(settings);
      await host.models(settings);
      modelsMs = Date.now() - t;
    }
    const started = Date.now();
    const firstWorker = new Promise<void>((resolve) => {
      const sub = host.view.updates.on(() => {
        if (host.view.sessions.some((s) => s.role === "worker")) {
          sub.dispose();
          resolve();
        }
      });
    });
    if (!warm) {
      const t = Date.now();
      await host.models(settings);
      modelsMs = Date.now() - t;
    }
    const done = host.run("Write two notes", settings);
    await Promise.race([firstWorker, done.then(() => Promise.reject(new Error(`the mission ended before a Worker ran: ${host.model.status} ${host.model.error ?? host.model.stopReason ?? ""}`)))]);
    const firstWorkerAt = Math.min(...host.view.sessions.filter((s) => s.role === "worker").map((s) => s.startedAt));
    const planner = host.view.sessions.find((s) => s.role === "planner");
    await done;
    const run: Run = {
      firstWorkerMs: firstWorkerAt - started,
      plannerStartMs: (planner?.startedAt ?? NaN) - started,
      plannerEndMs: (planner?.endedAt ?? NaN) - started,
      gapMs: firstWorkerAt - (planner?.endedAt ?? NaN),
      modelsMs,
    };
    return run;
  } finally {
    await host.dispose();
    await model?.close();
    sandbox.remove();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function main(): Promise<void> {
  const results: Record<string, Run[]> = {};
  for (const kind of ["demo", "configured"] as const) {
    for (const warm of [false, true]) {
      const key = `${kind}-${warm ? "warm" : "cold"}`;
      results[key] = [];
      for (let i = 0; i < RUNS; i++) {
        const run = await once(kind, warm);
        log(`${key} #${i + 1}: ${JSON.stringify(run)}`);
        results[key].push(run);
      }
    }
  }
  const summary = Object.fromEntries(Object.entries(results).map(([key, runs]) => [key, Object.fromEntries((Object.keys(runs[0] as Run) as Array<keyof Run>).map((field) => [field, median(runs.map((r) => r[field]))]))]));
  process.stdout.write(`${JSON.stringify({ runs: RUNS, fetch: process.env.FIRST_WORKER_FETCH === "1", median: summary, all: results }, null, 1)}\n`);
}

void main().catch((error) => {
  log((error as Error).stack ?? String(error));
  process.exit(1);
});
