/** A turn's retries under the recovery policy: what every attempt did travels with the outcome, failed or not. */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { OrchestratorEvent } from "../../src/orchestrator/domain/events";
import { TurnStalledError } from "../../src/orchestrator/engine/errors";
import { turnFailed, type TurnOutcome, type TurnRequest } from "../../src/orchestrator/engine/turn";
import { noWork, type WorkDone } from "../../src/orchestrator/engine/turnProgress";
import type { TurnRunner } from "../../src/orchestrator/engine/turnRunner";
import { memoryLogger } from "../../src/orchestrator/common/logger";
import { DEFAULT_LIMITS } from "../../src/orchestrator/mission/limits";
import { MissionStore } from "../../src/orchestrator/mission/missionStore";
import { TurnRecovery } from "../../src/orchestrator/mission/turnRecovery";
import { AdaptiveLimit } from "../../src/orchestrator/schedule/adaptiveLimit";

/** Each turn stalls after writing its own file; the prompts it was given are kept. */
class StallingRunner implements TurnRunner {
  readonly prompts: string[] = [];
  async runTurn<T>(request: TurnRequest<T>): Promise<TurnOutcome<T>> {
    const n = this.prompts.push(request.prompt);
    const sessionId = `ses_${n}`;
    request.onSession?.(sessionId);
    const work: WorkDone = { ...noWork(), filesChanged: [`/ws/attempt${n}.txt`], lastText: `attempt ${n} wrote attempt${n}.txt` };
    return turnFailed(new TurnStalledError(sessionId, 9_000), Date.now(), work, sessionId);
  }
  async abortSession(): Promise<void> {}
}

test("a turn that fails every attempt: the failed outcome carries every attempt's work, and each retry was told of the work before it", async () => {
  const workspace = mkdtempSync(join(tmpdir(), "turn-recovery-"));
  try {
    const state = new MissionStore(workspace).create("Recover");
    const runner = new StallingRunner();
    const events: OrchestratorEvent[] = [];
    const sessions: string[] = [];
    const recovery = new TurnRecovery({
      state,
      engine: runner,
      limits: { ...DEFAULT_LIMITS, recoveryAttempts: 3, recoveryBaseDelayMs: 0 },
      limit: new AdaptiveLimit(4),
      signal: new AbortController().signal,
      sessionStarted: (id) => sessions.push(`+${id}`),
      sessionEnded: (id) => sessions.push(`-${id}`),
      jobStarted: () => undefined,
      halt: () => assert.fail("a stall is no reason to halt"),
      persist: (event) => events.push(event),
      logger: memoryLogger(),
    });
    const outcome = await recovery.run("worker", ["T1"], { title: "Worker T1", prompt: "Do T1" });
    assert.equal(outcome.ok, false);
    assert.match(outcome.ok ? "" : outcome.error.message, /after 3 attempts/);
    assert.deepEqual(outcome.work.filesChanged, ["/ws/attempt1.txt", "/ws/attempt2.txt", "/ws/attempt3.txt"], "every attempt's files, on the value");
    assert.equal(runner.prompts.length, 3);
    assert.ok(runner.prompts[2]?.includes("attempt1.txt") && runner.prompts[2].includes("attempt2.txt"), "the last retry was told what the attempts before it wrote");
    assert.deepEqual(sessions, ["+ses_1", "-ses_1", "+ses_2", "-ses_2", "+ses_3", "-ses_3"], "each attempt's session is booked and let go of");
    assert.deepEqual(events.map((e) => e.type), ["turn.started", "turn.finished", "turn.retry", "turn.started", "turn.finished", "turn.retry", "turn.started", "turn.finished"]);
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
});
