/**
 * Bytes and durations in words: one format per figure, so the report, the status page, the
 * terminal and `stressd verify` print the same figure the same way. Pure, no imports. An absent
 * value reads "–", never 0.
 */

export const DASH = '–';

type Figure = number | null | undefined;

function known(v: Figure): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** Binary units: "512 B", "1.5 KiB", "12.0 MiB", "3.00 GiB". */
export function formatBytes(v: Figure): string {
  if (!known(v)) return DASH;
  if (v < 1024) return `${Math.round(v)} B`;
  if (v < 1024 ** 2) return `${(v / 1024).toFixed(1)} KiB`;
  if (v < 1024 ** 3) return `${(v / 1024 ** 2).toFixed(1)} MiB`;
  return `${(v / 1024 ** 3).toFixed(2)} GiB`;
}

/** A short time measured precisely (latencies, gaps): "0.125 s" with `digits` 3; default 2. */
export function formatSeconds(v: Figure, digits = 2): string {
  if (!known(v)) return DASH;
  return `${v.toFixed(digits)} s`;
}

/** How long something ran: "12.3 s", "2m 5s (125.0 s)", "1h 2m 3s". */
export function formatDuration(v: Figure): string {
  if (!known(v)) return DASH;
  if (v < 60) return `${v.toFixed(1)} s`;
  // Round the whole first: rounding the seconds alone would print 119.7 s as "1m 60s".
  const whole = Math.round(v);
  const m = Math.floor(whole / 60);
  const s = whole % 60;
  return m < 60 ? `${m}m ${s}s (${v.toFixed(1)} s)` : `${Math.floor(m / 60)}h ${m % 60}m ${s}s`;
}
