/** A mission of the workspace as the Missions view lists it: one line from its saved state. */
import { z } from "zod";

export const MissionSummary = z.object({
  missionId: z.string(),
  mission: z.string(),
  status: z.string(),
  createdAt: z.number(),
  updatedAt: z.number(),
  /** "3/4 TODOs done", as every other surface counts. */
  done: z.string(),
  tokens: z.number(),
  cost: z.number(),
  model: z.string().optional(),
  resumable: z.boolean(),
  hasReport: z.boolean(),
  /** Why it is only listed, not this user's own (provenance.ts): it offers no Resume, and is marked "not yours". */
  notOurs: z.string().optional(),
});
export type MissionSummary = z.infer<typeof MissionSummary>;
