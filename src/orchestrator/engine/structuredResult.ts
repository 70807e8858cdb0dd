/** How a turn's structured result is checked against the schema it was asked for. */
import { z } from "zod";
import { StructuredResultError } from "./errors";

/** Parses what the model gave with the turn's schema; a missing or misfit result is a StructuredResultError. */
export function parseStructured<T>(schema: z.ZodType<T>, value: unknown, sessionId: string): T {
  if (value === undefined) throw new StructuredResultError(sessionId, "the model gave no structured result");
  const result = schema.safeParse(value);
  if (!result.success) throw new StructuredResultError(sessionId, z.prettifyError(result.error));
  return result.data;
}
