/**
 * What the host publishes of the mission shown: a snapshot of each view model and, with every
 * change, exactly which TODOs, sessions and jobs changed. Every editor surface renders this and
 * nothing else of the core; every value handed out is a view model, never a live core object.
 */
import { z } from "zod";
import type { JobModel } from "./job";
import type { MissionModel } from "./mission";
import type { SessionModel } from "./session";
import type { TimelineEntry } from "./timeline";
import type { TranscriptLine } from "./transcript";

/** One change of what the views show; every id list names exactly what changed. */
export const ModelUpdate = z.object({
  /** Another mission is shown (or none): every view starts over. */
  missionChanged: z.boolean(),
  /** TODOs were added, replaced or removed: the tree's shape changed. */
  shapeChanged: z.boolean(),
  todoIds: z.array(z.string()).readonly(),
  sessionIds: z.array(z.string()).readonly(),
  jobIds: z.array(z.string()).readonly(),
});
export type ModelUpdate = z.infer<typeof ModelUpdate>;

/** Something the editor listens to; `dispose` ends the subscription. */
export interface Subscribable<T> {
  on(listener: (value: T) => void): { dispose(): void };
}

export interface MissionFeed {
  readonly updates: Subscribable<ModelUpdate>;
  /** The read model of the mission shown (the idle model when none). */
  readonly model: MissionModel;
  readonly missionId: string | undefined;
  /** The mission's sessions in the order every list shows them: running first, newest first. */
  readonly sessions: readonly SessionModel[];
  session(id: string): SessionModel | undefined;
  /** A session of the mission shown's transcript (bounded); undefined for any other session. */
  transcript(id: string): readonly TranscriptLine[] | undefined;
  readonly timeline: readonly TimelineEntry[];
  /** The window's background jobs, newest first. */
  readonly jobs: readonly JobModel[];
  job(id: string): JobModel | undefined;
}
