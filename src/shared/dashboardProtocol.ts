/**
 * The dashboard's messages: one discriminated union per direction, parsed with zod on arrival
 * (a webview is a separate, untrusted context; nothing it sends is used unchecked). The snapshot
 * is the host's read model itself: the dashboard renders what every other surface renders.
 */
import { z } from "zod";
import { MissionModel } from "./mission";
import { SessionModel } from "./session";
import { TimelineEntry } from "./timeline";
import { TranscriptLine } from "./transcript";

export const HostToWebview = z.discriminatedUnion("type", [
  z.object({ type: z.literal("snapshot"), snapshot: MissionModel, sessions: z.array(SessionModel), timeline: z.array(TimelineEntry) }),
  /** `sessionId: null`: no transcript (another mission is shown, or its session is gone). */
  z.object({ type: z.literal("transcript"), sessionId: z.string().nullable(), lines: z.array(TranscriptLine) }),
]);
export type HostToWebview = z.infer<typeof HostToWebview>;

export const WebviewToHost = z.discriminatedUnion("type", [
  z.object({ type: z.literal("ready") }),
  z.object({ type: z.literal("runTask") }),
  z.object({ type: z.literal("stop") }),
  z.object({ type: z.literal("resume"), missionId: z.string().max(200).optional() }),
  z.object({ type: z.literal("focusSession"), sessionId: z.string().max(200) }),
  /** The user's answer to the plan approval that waits (Replan asks for the feedback in the editor, not in the page). */
  z.object({ type: z.literal("answerPlanApproval"), decision: z.enum(["approve", "replan", "cancel"]), round: z.number().int().positive().optional() }),
]);
export type WebviewToHost = z.infer<typeof WebviewToHost>;
