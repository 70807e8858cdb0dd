/**
 * Whole missions through the Commander with the in-process fake engine: the plans, reports and
 * verdicts the Commander's unit tests script, and a gate to order concurrent turns without sleeping.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach } from "node:test";
import type { PlannedTodo } from "../../src/orchestrator/domain/schemas";
import type { CommanderLimits } from "../../src/orchestrator/mission/limits";
import { Commander } from "../../src/orchestrator/mission/commander";
import { MissionStore } from "../../src/orchestrator/mission/missionStore";
import { memoryLogger } from "../../src/orchestrator/common/logger";
import { FakeTurnRunner, todoIdsOf, type FakeAnswer } from "./fakeTurnRunner";

export const planned = (id: string, dependsOn: string[] = []): PlannedTodo => ({ id, title: id, description: "", files: [`${id}.txt`], dependsOn, acceptance: "ok", kind: "code" });
export const report = { status: "done", summary: "did it", filesChanged: [], checksRun: [], notes: "" };
export const pass = (prompt: string, syncIssues: unknown[] = []) => ({ verdicts: todoIdsOf(prompt).map((todoId) => ({ todoId, verdict: "pass", issues: [] })), syncIssues, summary: "" });

/** A fresh workspace per test of the calling file; read `current()` inside a test. */
export function tempWorkspace(): { current(): string } {
  let dir = "";
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "commander-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  return { current: () => dir };
}

/** Starts a mission whose turns `answer` plays. */
export function fakeMission(workspace: string, answer: FakeAnswer, limits: Partial<CommanderLimits> = {}) {
  const engine = new FakeTurnRunner(answer);
  const commander = Commander.create("Mission", { engine, store: new MissionStore(workspace), logger: memoryLogger(), limits });
  return { engine, commander, done: commander.run() };
}

/** A promise the test opens by hand: it orders concurrent turns without sleeping. */
export function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

/** Resolves when the mission aborts the turn: a waiting fake turn must not outlive a halt. */
export const aborted = (signal: AbortSignal | undefined) => new Promise<void>((resolve) => signal?.addEventListener("abort", () => resolve(), { once: true }));
