/** Runs whole missions through the Commander, the real OpenCode server and the scripted model. */
import { Commander, type CommanderOptions } from "../../src/orchestrator/mission/commander";
import type { CommanderLimits } from "../../src/orchestrator/mission/limits";
import { MissionStore } from "../../src/orchestrator/mission/missionStore";
import type { OrchestratorEvent } from "../../src/orchestrator/domain/events";
import { memoryLogger } from "../../src/orchestrator/common/logger";
import type { Scenario } from "../../src/orchestrator/scriptedModel/scenario";
import { SCRIPTED_MODEL, type EngineHarness } from "./engineHarness";

export interface TimedEvent {
  at: number;
  event: OrchestratorEvent;
}

export function commanderFor(h: EngineHarness, mission: string, limits: Partial<CommanderLimits> = {}, more: Pick<CommanderOptions, "jobs"> = {}): { commander: Commander; events: TimedEvent[]; store: MissionStore } {
  const store = new MissionStore(h.sandbox.workspace);
  const commander = Commander.create(mission, { engine: h.engine, store, logger: memoryLogger(), model: SCRIPTED_MODEL, limits, ...more });
  const events: TimedEvent[] = [];
  commander.events.on((event) => events.push({ at: Date.now(), event }));
  // As the host does: a Worker's write outside its files is the Commander's to answer (unanswered, it would wait forever).
  const asks = h.engine.events.onAny((event) => {
    if (event.type !== "permission.asked") return;
    const p = event.properties;
    void commander.answerScope(p.sessionID, p.permission, p.patterns)?.then((a) => h.engine.replyPermission({ id: p.id, sessionId: p.sessionID }, a.reply, a.reply === "reject" ? a.message : undefined).catch(() => undefined));
  });
  commander.events.on((event) => {
    if (event.type === "mission.status" && ["sealed", "stopped", "failed", "incomplete", "budget-exhausted"].includes(event.status)) asks.dispose();
  });
  return { commander, events, store };
}

/** [start, end] of each Worker turn, per TODO, from the Commander's events. */
export function workerIntervals(events: TimedEvent[]): Map<string, Array<[number, number]>> {
  const open = new Map<string, number>();
  const out = new Map<string, Array<[number, number]>>();
  for (const { at, event } of events) {
    if (event.type === "turn.started" && event.role === "worker") open.set(event.sessionId, at);
    if (event.type === "turn.finished" && event.role === "worker") {
      const start = open.get(event.sessionId);
      const id = event.todoIds[0] as string;
      if (start !== undefined) out.set(id, [...(out.get(id) ?? []), [start, at]]);
    }
  }
  return out;
}

export function setScenario(h: EngineHarness, scenario: Scenario): void {
  h.model.setScenario(scenario);
}
