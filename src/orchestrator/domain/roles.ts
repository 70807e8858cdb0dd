/**
 * The roles agents play in a mission. The Commander is no agent: its loop is code, and every
 * decision it makes is deterministic (retry with the issues, replan, render the report).
 */
export const ROLES = ["planner", "worker", "reviewer"] as const;
export type Role = (typeof ROLES)[number];
