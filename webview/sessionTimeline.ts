/**
 * The sessions over time: one lane per session running at once (see sessionLanes.ts), a bar from
 * each session's start to its end coloured by role and by how it ended, a time axis, and a "now"
 * edge that moves while sessions run. The parallelism of a mission shows at a glance: three Workers
 * at once are three bars stacked. Redrawn whole on each update (bars are cheap; there is no layout).
 */
import * as l10n from "@vscode/l10n";
import type { SessionModel } from "../src/shared/session";
import { assignLanes } from "./sessionLanes";
import { classPart, clip, svg } from "./svg";
import { elapsedLabel, ticks } from "./timeScale";

const LANE = 18;
const LANE_GAP = 4;
const TOP = 14;
const AXIS = 18;
const PAD = 8;
/** Roughly one character of the bar's label, to know what fits in a bar. */
const CHAR = 6.5;
/** A bar is never thinner than this, so a session of a moment still shows. */
const MIN_BAR = 2;

/** The span the timeline shows: sessions ended, or running up to now. */
export interface TimelineClock {
  /** The mission is running: open sessions run up to now, and now moves. */
  live: boolean;
  /** When the mission started and, once it ended, when it ended. */
  startedAt?: number;
  finishedAt?: number;
}

export class SessionTimeline {
  readonly element: HTMLElement;
  private readonly canvas: SVGSVGElement;
  private readonly caption: HTMLElement;
  private sessions: readonly SessionModel[] = [];
  private clock: TimelineClock = { live: false };
  private focused?: string;
  private ticker?: ReturnType<typeof setTimeout>;
  private width = 0;

  constructor() {
    this.canvas = svg("svg", { class: "session-timeline", "data-testid": "session-timeline", role: "group" });
    const heading = document.createElement("h2");
    heading.textContent = l10n.t("Sessions over time");
    this.caption = document.createElement("span");
    this.caption.className = "picture-caption";
    const head = document.createElement("div");
    head.className = "picture-head";
    head.append(heading, this.caption, legend());
    this.element = document.createElement("section");
    this.element.className = "picture timeline-picture";
    this.element.setAttribute("data-testid", "timeline-picture");
    this.element.append(head, this.canvas);
    new ResizeObserver(() => {
      if (this.element.clientWidth !== this.width) this.draw();
    }).observe(this.element);
  }

  update(sessions: readonly SessionModel[], clock: TimelineClock, focused: string | undefined): void {
    this.sessions = sessions;
    this.clock = clock;
    this.focused = focused;
    this.draw();
  }

  private draw(): void {
    clearTimeout(this.ticker);
    this.ticker = undefined;
    this.element.hidden = this.sessions.length === 0;
    this.width = this.element.clientWidth;
    if (!this.sessions.length) {
      this.canvas.replaceChildren();
      return;
    }
    const { count, placed } = assignLanes(this.sessions);
    const ends = this.sessions.map((s) => s.endedAt ?? s.startedAt);
    const start = Math.min(this.clock.startedAt ?? Number.POSITIVE_INFINITY, ...this.sessions.map((s) => s.startedAt));
    const open = this.sessions.some((s) => s.endedAt === undefined);
    const now = this.clock.live ? Math.max(Date.now(), ...ends) : Math.max(this.clock.finishedAt ?? 0, ...ends);
    const span = Math.max(now - start, 1000);
    const width = Math.max(this.width, 320);
    const x = (t: number) => PAD + ((t - start) / span) * (width - 2 * PAD);
    const lanesBottom = TOP + count * (LANE + LANE_GAP);
    const height = lanesBottom + AXIS;

    const grid = ticks(span).map((t) => svg("g", { class: "tick" },
      svg("line", { x1: x(start + t), x2: x(start + t), y1: TOP, y2: lanesBottom }),
      svg("text", { x: x(start + t), y: lanesBottom + 13, "text-anchor": t === 0 ? "start" : "middle" }, elapsedLabel(t))));
    const bars = placed.map(({ session: s, lane }) => {
      const x1 = x(s.startedAt);
      const w = Math.max(x(s.endedAt ?? now) - x1, MIN_BAR);
      const y = TOP + lane * (LANE + LANE_GAP);
      const label = `${s.role}${s.todoIds.length ? ` · ${s.todoIds.join(", ")}` : ""}`;
      const took = elapsedLabel((s.endedAt ?? now) - s.startedAt);
      const bar = svg("g", { class: `bar role-${classPart(s.role)} status-${classPart(s.status)}${s.endedAt === undefined ? " open" : ""}${s.id === this.focused ? " focused" : ""}`, "data-session": s.id, "data-lane": lane, tabindex: 0, role: "button", "aria-label": `${label}: ${s.status}, ${took}` },
        svg("title", {}, `${label}\n${s.status} · ${took}${s.server ? ` · server ${s.server}` : ""}${s.detail ? `\n${s.detail}` : ""}`),
        svg("rect", { x: x1, y, width: w, height: LANE, rx: 2 }));
      const fits = Math.floor((w - 8) / CHAR);
      if (fits >= 4) bar.append(svg("text", { x: x1 + 4, y: y + 13 }, clip(label, fits)));
      return bar;
    });
    const edge = this.clock.live && open
      ? [svg("g", { class: "now" }, svg("line", { x1: x(now), x2: x(now), y1: TOP - 4, y2: lanesBottom }), svg("text", { x: x(now), y: TOP - 5, "text-anchor": "end" }, "now"))]
      : [];
    this.canvas.replaceChildren(...grid, ...bars, ...edge);
    this.canvas.setAttribute("width", String(width));
    this.canvas.setAttribute("height", String(height));
    this.canvas.setAttribute("viewBox", `0 0 ${width} ${height}`);
    this.canvas.setAttribute("data-lanes", String(count));
    this.canvas.setAttribute("aria-label", l10n.t("Sessions over time: {0} sessions, at most {1} at once", this.sessions.length, count));
    this.caption.textContent = l10n.t("{0} sessions · at most {1} at once", this.sessions.length, count);
    // The open bars grow and now moves on between snapshots.
    if (this.clock.live && open) this.ticker = setTimeout(() => this.draw(), 1000);
  }

  dispose(): void {
    clearTimeout(this.ticker);
  }
}

/** What the colours mean. */
function legend(): HTMLElement {
  const box = document.createElement("span");
  box.className = "legend";
  for (const [kind, text] of [["role-planner", l10n.t("Planner")], ["role-worker", l10n.t("Worker")], ["role-reviewer", l10n.t("Reviewer")], ["status-error", l10n.t("error")], ["status-aborted", l10n.t("aborted")]]) {
    const swatch = document.createElement("span");
    swatch.className = `swatch ${kind as string}`;
    const item = document.createElement("span");
    item.append(swatch, text as string);
    box.append(item);
  }
  return box;
}
