/**
 * Tests that never ran and tests cut short (DESIGN section 13): how they are made and how every
 * total treats them. One place, so the report, the metrics, the page and the runner agree.
 *
 * - `not_run`: the test never started (the run was aborted first, or a budget was spent). It is in
 *   `tests` and in `tests_total`, but counts in no success ratio, histogram, counter or gauge.
 * - cut short: the test started, and the run was stopped under it (outcome `error`, reason
 *   `aborted`). It ran, so it is in the denominator of the run's success ratio, but its figures
 *   are partial: they move no `last_*` gauge, no duration histogram and no chart line.
 */
import type { FailureReason, TestResult } from './types.ts';

/** What a suite's config says of a test: enough to name a test that never ran. */
export interface PlannedTest {
  id: string;
  name: string;
  description: string | null;
  category: string | null;
  command: string;
  /** Seconds. */
  timeout: number;
}

/** A test that never started; `at` is when that became certain (the abort, the restart). */
export function notRunTest(test: PlannedTest, at: string, detail: string, reason: Extract<FailureReason, 'aborted' | 'budget'> = 'aborted'): TestResult {
  return {
    ...emptyFigures(test, at),
    outcome: 'not_run', reason, reason_detail: detail,
  };
}

/** A test that started and whose end nobody saw (the process died under it): cut short, nothing measured. */
export function cutShortTest(test: PlannedTest, startedAt: string, endedAt: string, detail: string): TestResult {
  const seconds = (Date.parse(endedAt) - Date.parse(startedAt)) / 1000;
  return {
    ...emptyFigures(test, startedAt),
    outcome: 'error', reason: 'aborted', reason_detail: detail,
    ended_at: endedAt,
    duration_seconds: Number.isFinite(seconds) && seconds > 0 ? seconds : 0,
    resources: { measured: false, why: 'the test was cut short before it was measured' },
  };
}

function emptyFigures(test: PlannedTest, at: string): Omit<TestResult, 'outcome' | 'reason' | 'reason_detail'> {
  return {
    id: test.id, name: test.name, description: test.description, category: test.category, command: test.command,
    exit_code: null, signal: null, started_at: at, ended_at: at, duration_seconds: 0, timeout_seconds: test.timeout,
    output_bytes: 0, output_lines: 0, output_chunks: 0, stderr_bytes: 0, last_stderr_line: null,
    malformed_frames: 0, server_stall_lines: 0, stream_error_lines: 0,
    patterns_expected: 0, patterns_found: [], patterns_missing: [], pattern_coverage: 0, patterns: [],
    stream: {
      first_output_seconds: null, first_text_seconds: null, gap_p50_seconds: null, gap_p95_seconds: null, gap_max_seconds: null,
      longest_silence_seconds: null, bytes_per_second: null, lines_per_second: null, output_tokens_per_second: null,
      completion_lag_seconds: null, gap_histogram: null,
    },
    claude: null,
    resources: { measured: false, why: 'the test did not run' },
    preview_head: '', preview_tail: '', text_preview_head: null, text_preview_tail: null,
    log_path: null, log_complete: true, log_error: null, log_waited_lines: 0, log_dropped_bytes: 0,
    notifications: {}, trace_id: null, span_id: null, regressions: null,
  };
}

type Judged = Pick<TestResult, 'outcome' | 'reason'>;

/** The test started (whatever its end); `not_run` tests did not. */
export function ran(test: Judged): boolean {
  return test.outcome !== 'not_run';
}

/** The test started and the run was stopped under it: its figures are partial. */
export function cutShort(test: Judged): boolean {
  return test.outcome !== 'not_run' && test.reason === 'aborted';
}

/** The test ran to a verdict: its figures describe the system under test and may move gauges. */
export function ranToEnd(test: Judged): boolean {
  return ran(test) && !cutShort(test);
}

/**
 * Passed ÷ tests that ran (not_run excluded, cut-short included: it started and did not pass);
 * null when none ran. The report's "Success rate", the page and `stressd_run_last_success_ratio`.
 */
export function runSuccessRatio(tests: readonly Judged[]): number | null {
  const started = tests.filter(ran);
  if (started.length === 0) return null;
  return started.filter((t) => t.outcome === 'passed').length / started.length;
}
