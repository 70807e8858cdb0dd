/** What the host's actions answer: done, or refused with a reason the user can act on. */
import { z } from "zod";
import { NotRestoredFile } from "./changes";

export const ActionResult = z.discriminatedUnion("ok", [
  z.object({
    ok: z.literal(true),
    /** Files a revert left as they are, each with why (the workspace protects it). */
    notRestored: z.array(NotRestoredFile).optional(),
    /** Where a mission set aside went. */
    movedTo: z.string().optional(),
  }),
  z.object({
    ok: z.literal(false),
    reason: z.string(),
    /** Files changed after the agents' last write, which a revert would overwrite (it may be forced). */
    conflicts: z.array(z.string()).optional(),
  }),
]);
export type ActionResult = z.infer<typeof ActionResult>;

/** A mission by id, with what a person needs to recognise it. */
export const MissionRef = z.object({ missionId: z.string(), mission: z.string(), status: z.string() });
export type MissionRef = z.infer<typeof MissionRef>;

/**
 * Which mission Resume acts on, as the host decides it: the one named, else the one shown, else
 * the latest unfinished one. Refused with a reason; `offer`: an earlier unfinished mission the user
 * may resume instead (never resumed unasked).
 */
export const ResumeTarget = z.discriminatedUnion("ok", [z.object({ ok: z.literal(true), target: MissionRef }), z.object({ ok: z.literal(false), reason: z.string(), offer: MissionRef.optional() })]);
export type ResumeTarget = z.infer<typeof ResumeTarget>;

/** A model OpenCode can use now, for Run Task's pick. */
export const ModelChoice = z.object({
  providerID: z.string(),
  modelID: z.string(),
  name: z.string(),
  providerName: z.string(),
  /** USD per million tokens; absent when unknown (or free). */
  cost: z.object({ input: z.number(), output: z.number(), cacheRead: z.number().optional(), cacheWrite: z.number().optional() }).optional(),
  /** OpenCode's default model. */
  isDefault: z.boolean(),
});
export type ModelChoice = z.infer<typeof ModelChoice>;

/** A question about the workspace, answered (chat mode). */
export const AskAnswer = z.object({
  /** Pass it back to ask a follow-up in the same conversation. */
  sessionId: z.string(),
  text: z.string(),
  /** Files the answer read, as the read tool got them (absolute paths, usually). */
  filesRead: z.array(z.string()),
  cost: z.number(),
  /** The conversation asked to continue could not be (its session is gone): this answer began a new one. */
  restarted: z.boolean().optional(),
  /** Answered by the scripted demo model: no model provider is configured. */
  demo: z.boolean(),
});
export type AskAnswer = z.infer<typeof AskAnswer>;
