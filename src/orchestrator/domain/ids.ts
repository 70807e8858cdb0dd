/**
 * Ids that name files and folders have one format each, checked wherever one comes back from disk
 * or from a model: a mission id names its folder under the state folder, so it may hold no path.
 * Pure (zod only): the dashboard's browser bundle reaches this file through the state schema.
 */
import { z } from "zod";

/** `20250102-030405-a1b2`: when it was created (UTC), then 16 random bits. */
export const MISSION_ID = /^\d{8}-\d{6}-[0-9a-f]{4}$/;

export const MissionId = z.string().regex(MISSION_ID, "a mission id is <yyyymmdd>-<hhmmss>-<4 hex digits>");

export const isMissionId = (value: unknown): value is string => typeof value === "string" && MISSION_ID.test(value);

/** A TODO id: what the Planner may name a TODO (it becomes part of tree ids, prompts and file names). */
export const TodoId = z.string().min(1).max(40).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "ids are letters, digits, . _ -");

/**
 * A TODO id that is not `taken`, derived from `id`: `L1` → `L1.2`, then `L1.3` (and `L1.2` → `L1.3`).
 * Ids are the orchestrator's bookkeeping: a Planner that reuses one gets a fresh one, not a refusal.
 */
export function freshTodoId(id: string, taken: ReadonlySet<string>): string {
  const base = id.replace(/\.\d+$/, "") || id;
  for (let n = 2; ; n++) {
    const suffix = `.${n}`;
    const candidate = `${base.slice(0, 40 - suffix.length)}${suffix}`;
    if (!taken.has(candidate)) return candidate;
  }
}
