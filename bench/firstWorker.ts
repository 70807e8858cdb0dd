/**
 * The first wait (issue 27): Run Task → the first Worker running, through the MissionHost as the
 * extension drives it (approvePlan at its default, aboveCost), on the demo model and on a
 * configured provider (the scripted model in the workspace's opencode.json). Cold: OpenCode not
 * started; warm: `MissionHost.warm` done first, as opening the Orchestrator view or the Run Task
 * box does. Also the model list (what Run Task's pick waits for) and where the time between the
 * Planner's end and the first Worker goes. Benchmark 14 of `npm run bench` (`BENCH_ONLY=first` runs
 * it alone). FIRST_WORKER_FETCH=1 leaves OpenCode's models.dev fetch on (offline it is what a user's
 * machine without the variable does).
 */
import type { HostSettings } from "../src/orchestrator/host/hostSettings";
import { MissionHost } from "../src/orchestrator/host/missionHost";
import { memoryLogger, RedactingLogger } from "../src/orchestrator/common/logger";
import { missionScenario, todo } from "../src/orchestrator/scriptedModel/missionScenario";
import { startScriptedModel } from "../src/orchestrator/scriptedModel/server";
import { writeScriptedOpencodeJson } from "../test/support/engineHarness";
import { BUNDLED_OPENCODE, createSandbox } from "../test/support/isolation";
import { median } from "./stats";

export interface FirstWaitRun {
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

async function once(kind: FirstWaitCase["kind"], warm: boolean): Promise<FirstWaitRun> {
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
    const run: FirstWaitRun = {
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

export interface FirstWaitCase {
  kind: "demo" | "configured";
  warm: boolean;
  /** Medians over the runs. */
  median: FirstWaitRun;
  runs: FirstWaitRun[];
}

/** Each case (demo and configured, cold and warm) `runs` times; medians per figure. */
export async function firstWait(runs: number, log: (line: string) => void): Promise<FirstWaitCase[]> {
  const cases: FirstWaitCase[] = [];
  for (const kind of ["demo", "configured"] as const) {
    for (const warm of [false, true]) {
      const all: FirstWaitRun[] = [];
      for (let i = 0; i < runs; i++) {
        const run = await once(kind, warm);
        log(`  ${kind} ${warm ? "warm" : "cold"} #${i + 1}: first Worker after ${run.firstWorkerMs} ms (Planner's end → Worker ${run.gapMs} ms, models ${run.modelsMs} ms)`);
        all.push(run);
      }
      const fields = Object.keys(all[0] as FirstWaitRun) as Array<keyof FirstWaitRun>;
      cases.push({ kind, warm, runs: all, median: Object.fromEntries(fields.map((field) => [field, median(all.map((r) => r[field]))])) as unknown as FirstWaitRun });
    }
  }
  return cases;
}
