/** A plan's estimate as every surface words it: the figures in one line, and where they come from. */
import { z } from "zod";

export const EstimateView = z.object({
  /** "12 TODOs · ~40 turns, ~210 model requests · ~1.2M tokens · ~$0.84". */
  line: z.string(),
  /** "Per-turn figures from this workspace's last 3 missions." */
  basis: z.string(),
});
export type EstimateView = z.infer<typeof EstimateView>;
