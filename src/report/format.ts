/**
 * Counts, rates and ratios for the report, and the mark of each outcome; bytes and durations
 * come from src/result/format.ts, shared with the status page and the terminal. Absent values read "–", never 0.
 */
import { DASH, formatBytes } from '../result/format.ts';
import type { Outcome, ResourcePeaks, TestResult } from '../result/types.ts';

export { DASH };

/**
 * The outcome in capitals, without a symbol: emoji show as empty boxes where no emoji font is
 * installed (headless Chromium on Debian, many servers' terminals).
 */
export const OUTCOME_MARK: Record<Outcome, string> = {
  passed: 'PASSED',
  failed: 'FAILED',
  timeout: 'TIMEOUT',
  error: 'ERROR',
  not_run: 'NOT RUN',
};

export function count(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return DASH;
  return v.toLocaleString('en-US');
}

export function rate(v: number | null | undefined, unit: string): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return DASH;
  return `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ${unit}`;
}

export function percent(ratio: number | null | undefined, digits = 1): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return DASH;
  return `${(ratio * 100).toFixed(digits)}%`;
}

export function usd(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return DASH;
  return `$${v.toFixed(4)}`;
}

/** Resource peaks in words; unmeasured stays "not measured" with its reason, never a misleading 0. */
export function peakCpu(r: ResourcePeaks): string {
  return r.measured && r.peak_cpu_ratio !== null ? percent(r.peak_cpu_ratio) : 'not measured';
}

/** The memory peak and what it is: PSS (shared pages split between sharers) or summed RSS. */
export function peakMemory(r: ResourcePeaks): string {
  if (!r.measured) return 'not measured';
  return `${formatBytes(r.peak_memory_bytes)} (${memoryMethodName(r.memory_method)})`;
}

/** Results written before the PSS reading have no method: their figure was summed RSS. */
export function memoryMethodName(method: 'pss' | 'rss_sum' | undefined): string {
  return method === 'pss' ? 'PSS' : 'RSS sum';
}

export function outcomeCounts(tests: readonly TestResult[]): Record<Outcome, number> {
  const c: Record<Outcome, number> = { passed: 0, failed: 0, timeout: 0, error: 0, not_run: 0 };
  for (const t of tests) c[t.outcome]++;
  return c;
}
