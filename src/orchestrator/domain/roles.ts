/** The four roles agents play in a mission. */
export const ROLES = ["commander", "planner", "worker", "reviewer"] as const;
export type Role = (typeof ROLES)[number];
