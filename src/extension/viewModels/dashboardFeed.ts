/**
 * What the dashboard is sent, and when: the read model, the sessions and the timeline a few times a
 * second at most, and the transcript of the session in focus — only ever a session of the mission
 * shown (when another mission starts, the focus is dropped and the transcript cleared). No VS Code
 * import: the panel hands it a `post` function, the tests a list.
 */
import type { HostToWebview } from "../../shared/dashboardProtocol";
import type { MissionFeed, ModelUpdate } from "../../shared/feed";
import { Coalescer, type Timers } from "./coalescer";
import { Disposable } from "../lifecycle";

type Part = "snapshot" | "transcript";

export class DashboardFeed extends Disposable {
  private focused?: string;
  private readonly updates: Coalescer<Part>;

  constructor(
    private readonly view: MissionFeed,
    private readonly post: (message: HostToWebview) => void,
    timers?: Timers,
  ) {
    super();
    this.updates = this._register(new Coalescer<Part>((changed) => this.flush(changed), 200, timers));
    this._register(view.updates.on((update) => this.onUpdate(update)));
  }

  get focusedSession(): string | undefined {
    return this.focused;
  }

  private onUpdate(update: ModelUpdate): void {
    this.updates.mark("snapshot");
    if (update.missionChanged && this.focused) {
      this.focused = undefined;
      this.updates.mark("transcript");
    } else if (this.focused && update.sessionIds.includes(this.focused)) this.updates.mark("transcript");
  }

  /** Shows a session's transcript; false (and nothing shown) for a session not of the mission shown. */
  focus(sessionId: string): boolean {
    if (!this.view.session(sessionId)) return false;
    this.focused = sessionId;
    this.updates.mark("transcript");
    return true;
  }

  /** Everything again (the webview was just created or reloaded). */
  resend(): void {
    this.updates.markAll();
  }

  private flush(changed: ReadonlySet<Part> | "all"): void {
    if (changed === "all" || changed.has("snapshot")) this.postSnapshot();
    if (changed === "all" || changed.has("transcript")) {
      const lines = this.focused ? this.view.transcript(this.focused) : undefined;
      if (!lines) this.focused = undefined;
      this.post({ type: "transcript", sessionId: this.focused ?? null, lines: [...(lines ?? [])] });
    }
  }

  private postSnapshot(): void {
    this.post({ type: "snapshot", snapshot: this.view.model, sessions: [...this.view.sessions], timeline: this.view.timeline.slice(-100) });
  }
}

