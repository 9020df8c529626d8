/**
 * The arithmetic of a test under load (DESIGN section 11), pure so it can be checked by hand:
 * nearest-rank percentiles, counts by outcome, refusals, the pass decision and the per-second
 * timeline.
 */
import type { LoadResult, LoadSession, Outcome, TestResult } from '../result/types.ts';

export type Percentiles = LoadResult['duration_seconds'];
export type TimelinePoint = LoadResult['timeline'][number];

/** Nearest rank (the smallest value with at least p of the values at or below it); nulls are left out. */
export function percentiles(values: readonly (number | null)[]): Percentiles {
  const sorted = values.filter((v): v is number => v !== null && Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return { p50: null, p95: null, p99: null, max: null };
  const at = (p: number): number => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] as number;
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: sorted[sorted.length - 1] as number };
}

/** The executor's "Session limit exceeded" (JSON-RPC -32003), as the client reports it in the session's reason. */
export function isRefusal(session: Pick<TestResult, 'reason' | 'reason_detail'>): boolean {
  return session.reason === 'rpc_error' && /(^|[^\d])-32003(\D|$)/.test(session.reason_detail ?? '');
}

export function sessionOf(r: TestResult): LoadSession {
  return { outcome: r.outcome, reason: r.reason, duration_seconds: r.duration_seconds, first_output_seconds: r.stream.first_output_seconds };
}

export interface LoadVerdict {
  outcome: Outcome;
  reason: TestResult['reason'];
  detail: string | null;
}

/**
 * Passed when the passed share reaches `minPassRatio` (with at least one session); otherwise the
 * most frequent outcome and reason among the sessions that did not pass stand for the test.
 */
export function judgeLoad(sessions: readonly TestResult[], minPassRatio: number, aborted: boolean): LoadVerdict {
  const passed = sessions.filter((s) => s.outcome === 'passed').length;
  const n = sessions.length;
  const ratio = n === 0 ? 0 : passed / n;
  if (n > 0 && ratio >= minPassRatio && !aborted) return { outcome: 'passed', reason: null, detail: null };
  if (n === 0) return aborted ? { outcome: 'error', reason: 'aborted', detail: 'the run was stopped before any session started' } : { outcome: 'error', reason: 'connect_failed', detail: 'no session started' };
  const bad = sessions.filter((s) => s.outcome !== 'passed');
  const outcome = mostFrequent(bad.map((s) => s.outcome)) ?? 'error';
  const reason = aborted ? 'aborted' : (mostFrequent(bad.map((s) => s.reason)) ?? null);
  const example = bad.find((s) => s.reason === reason)?.reason_detail;
  const share = `${passed}/${n} sessions passed (${(ratio * 100).toFixed(1)} %), below min_pass_ratio ${minPassRatio}`;
  const refused = sessions.filter(isRefusal).length;
  const detail = [share, refused > 0 ? `${refused} refused by the executor (-32003)` : null, reason ? `most often ${reason}${example ? `: ${example}` : ''}` : null]
    .filter((x) => x !== null)
    .join('; ');
  return { outcome: aborted && passed === n ? 'error' : outcome, reason, detail };
}

function mostFrequent<T>(values: readonly T[]): T | undefined {
  const counts = new Map<T, number>();
  let best: T | undefined;
  let bestCount = 0;
  for (const v of values) {
    const c = (counts.get(v) ?? 0) + 1;
    counts.set(v, c);
    // Ties go to the value seen first, so the verdict does not depend on Map order.
    if (c > bestCount) {
      best = v;
      bestCount = c;
    }
  }
  return best;
}

export interface LoadSummaryInput {
  mode: LoadResult['mode'];
  sessions: readonly TestResult[];
  minPassRatio: number;
  peakActive: number;
  timeline: readonly TimelinePoint[];
}

export function summariseLoad(input: LoadSummaryInput): LoadResult {
  const { sessions } = input;
  const outcomes = { passed: 0, failed: 0, timeout: 0, error: 0 };
  // A session always runs (not_run is a whole test the run never started), so it has one of the four.
  for (const s of sessions) if (s.outcome !== 'not_run') outcomes[s.outcome]++;
  return {
    mode: input.mode,
    sessions: sessions.length,
    outcomes,
    pass_ratio: sessions.length === 0 ? 0 : outcomes.passed / sessions.length,
    min_pass_ratio: input.minPassRatio,
    refusals: sessions.filter(isRefusal).length,
    peak_active: input.peakActive,
    duration_seconds: percentiles(sessions.map((s) => s.duration_seconds)),
    first_output_seconds: percentiles(sessions.map((s) => s.stream.first_output_seconds)),
    timeline: [...input.timeline],
    session_list: sessions.map(sessionOf),
  };
}
