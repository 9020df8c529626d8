/**
 * The RunResult contract (DESIGN section 8): what the runner produces and every sink reads.
 * Fields are snake_case because this is also the JSON that `stressd run --json`, the reports and
 * `/api/runs/:id` carry. Add fields freely; never rename these.
 */

export const Outcome = { passed: 'passed', failed: 'failed', timeout: 'timeout', error: 'error' } as const;
export type Outcome = (typeof Outcome)[keyof typeof Outcome];
export const OUTCOMES: readonly Outcome[] = Object.values(Outcome);

/** One reason per test that did not pass (issue 7); `null` on a pass. */
export const FailureReason = {
  timeout: 'timeout',
  exit_nonzero: 'exit_nonzero',
  pattern_miss: 'pattern_miss',
  connection_lost: 'connection_lost',
  rpc_error: 'rpc_error',
  connect_failed: 'connect_failed',
  server_stall: 'server_stall',
  stream_error: 'stream_error',
  rate_limited: 'rate_limited',
  token_limit: 'token_limit',
  sut_error: 'sut_error',
  /** The run was stopped (SIGTERM) while this test ran. */
  aborted: 'aborted',
} as const;
export type FailureReason = (typeof FailureReason)[keyof typeof FailureReason];
export const FAILURE_REASONS: readonly FailureReason[] = Object.values(FailureReason);

export type RunStatus = 'running' | 'finished' | 'aborted';

export interface PatternHit {
  pattern: string;
  found: boolean;
  /** Seconds from execute to the line in which the pattern first completed; null when missing. */
  first_seen_seconds: number | null;
  /** Bytes of output received before the pattern's match ended; null when missing. */
  first_seen_byte: number | null;
}

/** Stream timing from the per-line receive timestamps (issue 7). Seconds; null when not applicable. */
export interface StreamTiming {
  /** execute sent → first `process.output`. */
  first_output_seconds: number | null;
  /** execute sent → first assistant text (Claude stream-json only). */
  first_text_seconds: number | null;
  /** Gaps between consecutive outputs after the first one. */
  gap_p50_seconds: number | null;
  gap_p95_seconds: number | null;
  gap_max_seconds: number | null;
  /** Longest silence anywhere from execute to completion (includes the wait for the first output). */
  longest_silence_seconds: number | null;
  /** Rates from the first output to the last. */
  bytes_per_second: number | null;
  lines_per_second: number | null;
  /** From the result event's output_tokens over the same window. */
  output_tokens_per_second: number | null;
  /** last output → `process.completed`. */
  completion_lag_seconds: number | null;
  /**
   * Every gap counted at the fixed bounds of src/runner/gap-buckets.ts (the Prometheus histogram's
   * buckets). null or absent when not measured (results written before stressd had it).
   */
  gap_histogram?: GapHistogram | null;
}

/** Distribution of the inter-chunk gaps of one test, as a Prometheus histogram holds it. */
export interface GapHistogram {
  /** Upper bounds in seconds, ascending (`le`; a gap equal to a bound is in that bucket). */
  bounds: number[];
  /** Per bucket, NOT cumulative: counts[i] = gaps in (bounds[i-1], bounds[i]]; one more entry for gaps above the last bound. */
  counts: number[];
  /** Sum of the gaps, seconds. */
  sum: number;
  /** Number of gaps (= the sum of counts). */
  count: number;
}

/** What Claude's stream-json says about itself (system/init and the result line). */
export interface ClaudeStreamInfo {
  model: string | null;
  session_id: string | null;
  claude_version: string | null;
  total_cost_usd: number | null;
  num_turns: number | null;
  duration_ms: number | null;
  duration_api_ms: number | null;
  is_error: boolean | null;
  subtype: string | null;
  usage: {
    input_tokens: number | null;
    output_tokens: number | null;
    cache_read_input_tokens: number | null;
    cache_creation_input_tokens: number | null;
  } | null;
}

/** Peaks of the process tree under test. `measured: false` when the executor is on another host. */
export type ResourcePeaks =
  | {
      measured: true;
      peak_cpu_ratio: number;
      peak_memory_bytes: number;
      samples: number;
      /** The executor's own process, when it runs on this host. */
      executor_peak_cpu_ratio: number | null;
      executor_peak_memory_bytes: number | null;
    }
  | { measured: false; why: string };

export interface TestResult {
  id: string;
  name: string;
  description: string | null;
  category: string | null;
  command: string;
  outcome: Outcome;
  reason: FailureReason | null;
  /** Human-readable detail of the reason ("exit code 2", "3/5 patterns", the RPC error text…). */
  reason_detail: string | null;
  exit_code: number | null;
  signal: string | null;
  /** Processes that left the command's group and were ended at its end (stressd's executor only; absent from others). */
  escaped_processes?: { pid: number; command: string }[];
  started_at: string;
  ended_at: string;
  duration_seconds: number;
  timeout_seconds: number;
  output_bytes: number;
  output_lines: number;
  /** `process.output` notifications received. */
  output_chunks: number;
  stderr_bytes: number;
  /** The last non-blank stderr line (at most 300 characters); optional for results written before it existed. */
  last_stderr_line?: string | null;
  malformed_frames: number;
  server_stall_lines: number;
  stream_error_lines: number;
  patterns_expected: number;
  patterns_found: string[];
  patterns_missing: string[];
  pattern_coverage: number;
  patterns: PatternHit[];
  first_output_seconds: number | null;
  stream: StreamTiming;
  claude: ClaudeStreamInfo | null;
  resources: ResourcePeaks;
  /** The first and last 2,000 characters of the output. */
  preview_head: string;
  preview_tail: string;
  /**
   * The first and last 2,000 characters of the text a person reads (Claude stream-json: the
   * assistant text blocks joined, else the result text); the tail is empty when the text fits in
   * the head. null when the output carried no such text (not stream-json); absent in results
   * written before stressd had it.
   */
  text_preview_head?: string | null;
  text_preview_tail?: string | null;
  /** Absolute path of the full output log. */
  log_path: string | null;
  /** Lines that were written while the log was still draining earlier ones (a slow disk). */
  log_waited_lines: number;
  /** Bytes left out of the log because the disk could not keep up (memory stays bounded). */
  log_dropped_bytes: number;
  /** Non-output notifications (rate limits, hooks, unknown ones) received, by method. */
  notifications: Record<string, number>;
  trace_id: string | null;
  span_id: string | null;
}

export interface GraduationVerdict {
  graduated: boolean;
  pass_rate: number;
  /** Each unmet criterion, in words; empty when graduated. */
  reasons: string[];
  criteria: {
    min_pass_rate: number;
    allow_timeouts: boolean;
    max_peak_memory_mb: number | null;
    max_peak_cpu_percent: number | null;
  };
}

export interface RunResult {
  id: string;
  suite: string;
  description: string | null;
  config_path: string | null;
  executor: string;
  status: RunStatus;
  trigger: 'cli' | 'schedule' | 'api' | 'start';
  started_at: string;
  ended_at: string | null;
  duration_seconds: number | null;
  graduated: boolean;
  verdict: GraduationVerdict | null;
  tests_total: number;
  tests_passed: number;
  tests: TestResult[];
  trace_id: string | null;
  stressd_version: string;
}

/** Events the runner emits while a run goes on; payloads are frozen pieces of the result. */
export interface RunnerEvents {
  'run:start': { run: Readonly<RunResult> };
  'test:start': { runId: string; suite: string; index: number; total: number; test: { id: string; name: string; category: string | null } };
  'test:progress': { runId: string; testId: string; elapsed_seconds: number; output_bytes: number; output_lines: number };
  'test:end': { runId: string; suite: string; result: Readonly<TestResult> };
  'run:end': { run: Readonly<RunResult> };
}
