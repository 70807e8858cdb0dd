/**
 * What agents ask the user while they work: a permission (run this, write there) or questions with
 * options. The editor shows them and answers through the host, which answers the server that asked.
 */
import { z } from "zod";

export const PermissionReply = z.enum(["once", "always", "reject"]);
export type PermissionReply = z.infer<typeof PermissionReply>;

export const AgentQuestion = z.object({
  header: z.string(),
  question: z.string(),
  multiple: z.boolean(),
  options: z.array(z.object({ label: z.string(), description: z.string() })),
});
export type AgentQuestion = z.infer<typeof AgentQuestion>;

/** `who`: "Worker (TODO T3)", the agent asking, in words. */
export const AgentRequest = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("permission"), id: z.string(), sessionId: z.string(), who: z.string(), permission: z.string(), patterns: z.array(z.string()) }),
  z.object({ kind: z.literal("question"), id: z.string(), sessionId: z.string(), who: z.string(), questions: z.array(AgentQuestion) }),
]);
export type AgentRequest = z.infer<typeof AgentRequest>;

/** A request asked, or one that no longer needs an answer (answered elsewhere, or its session ended). */
export const AgentRequestUpdate = z.discriminatedUnion("type", [z.object({ type: z.literal("asked"), request: AgentRequest }), z.object({ type: z.literal("gone"), id: z.string() })]);
export type AgentRequestUpdate = z.infer<typeof AgentRequestUpdate>;
