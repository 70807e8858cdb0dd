/**
 * The walking skeleton's mission: one Worker turn on the whole mission, with a structured report.
 * The Commander loop (plan → parallel Workers → review) replaces this; its shape stays the same.
 */
import { agentName } from "../agents/roles";
import { WorkerReport } from "../agents/schemas";
import type { Engine } from "../engine/engine";
import type { ModelRef, TurnResult } from "../engine/turn";
import { missionLabel } from "./missionText";

export interface SingleTurnOptions {
  model?: ModelRef;
  signal?: AbortSignal;
  livenessMs?: number;
  onSession?: (sessionId: string) => void;
}

export function workerPromptFor(mission: string): string {
  return `<mission>\n${mission.trim()}\n</mission>\nCarry out this mission in the workspace, then report.`;
}

export function runSingleWorkerTurn(engine: Engine, mission: string, options: SingleTurnOptions = {}): Promise<TurnResult<WorkerReport>> {
  return engine.runTurn({
    title: `Worker: ${missionLabel(mission, 50)}`,
    agent: agentName("worker"),
    model: options.model,
    prompt: workerPromptFor(mission),
    schema: WorkerReport,
    signal: options.signal,
    livenessMs: options.livenessMs,
    onSession: options.onSession,
  });
}
