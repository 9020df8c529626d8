/**
 * Re-runs spaced out on a busy host: a suspect whose last value was measured under pressure is
 * not re-run straight away (a re-run under the same load would only repeat it). The host is
 * re-read over each pause (PSI totals before and after, the load average and steal at its end —
 * the test is not running then, so the figures are the host's own) until it is calm or the
 * suspect's deadline (`regression.pressure_wait_seconds`) passes; then the re-run runs anyway,
 * and a value it measures under pressure can only count against a regression (src/analysis).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { HostPressure, TestResult } from '../result/types.ts';
import { hostPressure, pressureSnapshot } from './host-pressure.ts';

export interface CalmWait {
  /** Where the host is read; default `/proc`. */
  procRoot?: string;
  /** Seconds between readings (the suite's pause between tests, at least 1). */
  stepSeconds: number;
  /** performance.now() after which the wait gives up. */
  deadlineMs: number;
  signal?: AbortSignal;
}

export interface CalmWaitResult {
  /** True when the host was calm at the last reading (or the last value was measured calm). */
  calm: boolean;
  waitedSeconds: number;
  /** The last reading over a pause; null when no wait was needed. */
  last: HostPressure | null;
}

/** Waits, bounded, until the host is calm when `previous` (the suspect or its last re-run) was measured under pressure. */
export async function waitForCalm(previous: Pick<TestResult, 'host_pressure'>, wait: CalmWait): Promise<CalmWaitResult> {
  if (previous.host_pressure?.under_pressure !== true) return { calm: true, waitedSeconds: 0, last: null };
  const started = performance.now();
  let last: HostPressure | null = null;
  const step = Math.max(1, wait.stepSeconds) * 1000;
  while (performance.now() < wait.deadlineMs && wait.signal?.aborted !== true) {
    const before = await pressureSnapshot(wait.procRoot);
    try {
      await sleep(Math.min(step, Math.max(1, wait.deadlineMs - performance.now())), undefined, wait.signal ? { signal: wait.signal } : {});
    } catch {
      break; // aborted: the re-run loop sees the signal
    }
    last = await hostPressure(before, await pressureSnapshot(wait.procRoot), wait.procRoot);
    if (!last.under_pressure) return { calm: true, waitedSeconds: (performance.now() - started) / 1000, last };
  }
  return { calm: false, waitedSeconds: (performance.now() - started) / 1000, last };
}
