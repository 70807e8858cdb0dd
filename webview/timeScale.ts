/**
 * The session timeline's time axis: a round tick step for the span shown ("every 30 s") and short
 * labels for elapsed time ("1m30s"). Pure, unit-tested.
 */

const SECOND = 1000;
const STEPS_S = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400];

/** The smallest round step (ms) that puts at most `maxTicks` ticks over `spanMs`. */
export function tickStep(spanMs: number, maxTicks = 8): number {
  const span = Math.max(spanMs, SECOND);
  const step = STEPS_S.find((s) => span / (s * SECOND) <= maxTicks);
  return (step ?? Math.ceil(span / (maxTicks * 86_400 * SECOND)) * 86_400) * SECOND;
}

/** Tick offsets (ms from the start) from 0 up to `spanMs`. */
export function ticks(spanMs: number, maxTicks = 8): number[] {
  const step = tickStep(spanMs, maxTicks);
  const out: number[] = [];
  for (let t = 0; t <= spanMs; t += step) out.push(t);
  return out;
}

/** "0s", "45s", "2m", "1m30s", "1h", "1h05m". */
export function elapsedLabel(ms: number): string {
  const s = Math.round(Math.max(ms, 0) / SECOND);
  if (s < 60) return `${s}s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  if (h) return m ? `${h}h${String(m).padStart(2, "0")}m` : `${h}h`;
  return rest ? `${m}m${String(rest).padStart(2, "0")}s` : `${m}m`;
}
