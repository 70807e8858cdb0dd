/** What a user may type as a mission, checked before anything runs. */
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

/** A short label for titles and the status bar. */
export function missionLabel(raw: string, max = 60): string {
  const oneLine = raw.trim().replace(/\s+/g, " ");
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}
