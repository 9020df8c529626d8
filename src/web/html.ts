/** Small helpers shared by the status page and its chart: escaping and relative times (bytes and durations: src/result/format.ts). */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Every interpolated string goes through this: text and attribute values alike. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** "in 4 min", "12 s ago", "3 h ago". */
export function relativeTime(at: Date, now: Date): string {
  const diff = Math.round((at.getTime() - now.getTime()) / 1000);
  const abs = Math.abs(diff);
  const amount =
    abs < 60 ? `${abs} s` : abs < 3600 ? `${Math.round(abs / 60)} min` : abs < 86_400 ? `${Math.round(abs / 3600)} h` : `${Math.round(abs / 86_400)} d`;
  return diff >= 0 ? `in ${amount}` : `${amount} ago`;
}
