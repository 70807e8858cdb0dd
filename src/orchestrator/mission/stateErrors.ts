/** What goes wrong with a mission's files: one that cannot be read (StateFileError), a write that failed (StateWriteError). */
export class StateFileError extends Error {
  override readonly name = "StateFileError";
  /**
   * `recovered`: the mission was rebuilt from its journal; this reports the bad file, not a loss.
   * `missionId`: the mission that cannot be read, whose folder the user may set aside (setAside).
   */
  constructor(message: string, readonly movedTo?: string, readonly recovered = false, readonly missionId?: string) {
    super(message);
  }
}

export class StateWriteError extends Error {
  override readonly name = "StateWriteError";
  /** `what`: the write that failed; the message adds why the mission stops and how to go on. */
  constructor(what: string, cause: unknown) {
    super(`${what}: ${(cause as Error).message}. The mission stops rather than run on state it cannot keep; make the folder writable (or free disk space) and Resume.`, { cause });
  }
}
