/** What the host tells the editor to tell the user; the host never decides how it is shown. */
import { z } from "zod";
import { MissionModel } from "./mission";

export const HostNotice = z.discriminatedUnion("kind", [
  /** No model provider is configured: the scripted demo model answers. */
  z.object({ kind: z.literal("demo") }),
  /** The attached server snapshots the workspace at every step. */
  z.object({ kind: z.literal("slowServer") }),
  z.object({ kind: z.literal("finished"), model: MissionModel, stoppedByUser: z.boolean() }),
  z.object({ kind: z.literal("error"), message: z.string(), opencodeMissing: z.boolean() }),
  /** `missionId`: a mission that cannot be read; the user may set its folder aside. */
  z.object({ kind: z.literal("stateProblem"), message: z.string(), recovered: z.boolean(), missionId: z.string().optional() }),
]);
export type HostNotice = z.infer<typeof HostNotice>;
