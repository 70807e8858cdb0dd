/** What a user may type as a mission, checked before anything runs (MissionHost.run asks this). */
export const MAX_MISSION_CHARS = 20_000;

/** Returns a message saying what is wrong, or undefined when the mission can run. */
export function missionProblem(raw: string): string | undefined {
  const mission = raw.trim();
  if (!mission) return "Describe the mission, e.g. \"Build a REST API with authentication\".";
  if (mission.length > MAX_MISSION_CHARS) {
    return `The mission is ${mission.length.toLocaleString("en")} characters; at most ${MAX_MISSION_CHARS.toLocaleString("en")} fit. Put the details in a file in the workspace and refer to it.`;
  }
  return undefined;
}
