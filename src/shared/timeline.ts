/** The dashboard's timeline: one line per event a person cares about. */
import { z } from "zod";

export const TimelineEntry = z.object({ at: z.number(), text: z.string() });
export type TimelineEntry = z.infer<typeof TimelineEntry>;
