/**
 * The runner's side of a RunReview (api.ts): every call guarded (a broken judge must not stop a
 * run), the not-run result of a test the budget kept from starting, and the confirmation re-runs
 * at the end of the run — each on a fresh connection with the test's own deadline, counted
 * against the budget like any test.
 */
import type { SuiteTest } from '../config/types.ts';
import type { RunResult, TestResult } from '../result/types.ts';
import type { RunReview, StartDecision } from './api.ts';

export interface GuardedReview {
  readonly confirmReruns: number;
  mayStart(finished: readonly TestResult[], next: SuiteTest): StartDecision;
  suspects(test: TestResult): Promise<readonly string[]>;
  settle(test: TestResult, reruns: readonly TestResult[]): TestResult;
  finish(run: RunResult): Pick<RunResult, 'success_ratio' | 'budget'>;
}

function warn(what: string, err: unknown): void {
  process.emitWarning(`stressd runner: the run review's ${what} threw: ${err instanceof Error ? err.message : String(err)}`);
}

/** A review that cannot throw; without one, every test may start and nothing is judged. */
export function guardReview(review: RunReview | undefined): GuardedReview {
  return {
    confirmReruns: review ? Math.max(0, Math.floor(review.confirmReruns)) : 0,
    mayStart(finished, next) {
      try {
        return review ? review.mayStart(finished, next) : { allowed: true };
      } catch (err) {
        warn('mayStart', err);
        return { allowed: true };
      }
    },
    async suspects(test) {
      try {
        return review ? [...(await review.suspects(test))] : [];
      } catch (err) {
        warn('suspects', err);
        return [];
      }
    },
    settle(test, reruns) {
      try {
        return review ? review.settle(test, reruns) : test;
      } catch (err) {
        warn('settle', err);
        return test;
      }
    },
    finish(run) {
      try {
        return review?.finish?.(run) ?? {};
      } catch (err) {
        warn('finish', err);
        return {};
      }
    },
  };
}

/** A test that never started: no output, no duration, the reason in words. */
export function notRunResult(test: SuiteTest, reason: 'budget' | 'aborted', detail: string, at: Date = new Date()): TestResult {
  const when = at.toISOString();
  return {
    id: test.id, name: test.name, description: test.description, category: test.category, command: test.command,
    outcome: 'not_run', reason, reason_detail: detail, exit_code: null, signal: null,
    started_at: when, ended_at: when, duration_seconds: 0, timeout_seconds: test.timeout,
    output_bytes: 0, output_lines: 0, output_chunks: 0, stderr_bytes: 0, last_stderr_line: null,
    malformed_frames: 0, server_stall_lines: 0, stream_error_lines: 0,
    patterns_expected: test.expected_patterns.length, patterns_found: [], patterns_missing: [...test.expected_patterns],
    pattern_coverage: test.expected_patterns.length === 0 ? 1 : 0,
    patterns: [],
    stream: {
      first_output_seconds: null, first_text_seconds: null, gap_p50_seconds: null, gap_p95_seconds: null, gap_max_seconds: null,
      longest_silence_seconds: null, bytes_per_second: null, lines_per_second: null, output_tokens_per_second: null, completion_lag_seconds: null,
    },
    claude: null,
    resources: { measured: false, why: 'the test did not run' },
    preview_head: '', preview_tail: '', text_preview_head: null, text_preview_tail: null,
    log_path: null, log_waited_lines: 0, log_dropped_bytes: 0, notifications: {},
    trace_id: null, span_id: null,
  };
}

export interface RerunPlan {
  /** Suspected tests in run order with the measures suspected. */
  suspects: readonly { test: SuiteTest; measures: readonly string[] }[];
  review: GuardedReview;
  /** Everything this run finished so far (tests and re-runs), for the budget. */
  finished: () => readonly TestResult[];
  /** Runs one re-run (events, span, log) and returns its result. */
  runOne: (test: SuiteTest, attempt: number) => Promise<TestResult>;
  aborted: () => boolean;
}

/** Re-runs each suspect `confirmReruns` times, stopping at an abort or an exhausted budget. */
export async function runReruns(plan: RerunPlan): Promise<TestResult[]> {
  const reruns: TestResult[] = [];
  for (const { test } of plan.suspects) {
    for (let attempt = 1; attempt <= plan.review.confirmReruns; attempt++) {
      if (plan.aborted()) return reruns;
      // A re-run the budget cannot afford is left out: the suspect is then judged on fewer re-runs (noise with none).
      if (!plan.review.mayStart(plan.finished(), test).allowed) return reruns;
      reruns.push(await plan.runOne(test, attempt));
    }
  }
  return reruns;
}
