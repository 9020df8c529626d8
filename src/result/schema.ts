/**
 * The one schema of a RunResult (DESIGN section 8). It is the TypeScript type (through `z.output`,
 * in types.ts) and the runtime check of anything read back from disk: a report JSON that fails it
 * is skipped with a warning naming the file and the first problem. Fields are snake_case because
 * this is also the JSON that `stressd run --json`, the reports and `/api/runs/:id` carry.
 * Add fields freely (optional, so older files still pass); never rename these.
 */
import { z } from 'zod';

/** `not_run`: a test an aborted run (or an exhausted budget) never started; it is in the result so every total counts it. */
export const OUTCOME_VALUES = ['passed', 'failed', 'timeout', 'error', 'not_run'] as const;

export const FAILURE_REASON_VALUES = [
  'timeout', 'exit_nonzero', 'pattern_miss', 'connection_lost', 'rpc_error', 'connect_failed',
  'server_stall', 'stream_error', 'rate_limited', 'token_limit', 'sut_error',
  /** The run was stopped (SIGTERM, or a crash found at the next start) while this test ran, or before it started (outcome not_run). */
  'aborted',
  /** The run's or the day's cost budget was spent before this test could start (outcome not_run). */
  'budget',
] as const;

const seconds = z.number().nullable();
const count = z.number().int().nonnegative();

export const PatternHitSchema = z.object({
  pattern: z.string(),
  found: z.boolean(),
  /** Seconds from execute to the line in which the pattern first completed; null when missing. */
  first_seen_seconds: seconds,
  /** Bytes of output received before the pattern's match ended; null when missing. */
  first_seen_byte: z.number().nullable(),
});

/** Distribution of the inter-chunk gaps of one test, as a Prometheus histogram holds it. */
export const GapHistogramSchema = z.object({
  /** Upper bounds in seconds, ascending (`le`; a gap equal to a bound is in that bucket). */
  bounds: z.array(z.number()),
  /** Per bucket, NOT cumulative; one more entry for gaps above the last bound. */
  counts: z.array(z.number()),
  sum: z.number(),
  count: z.number(),
});

/** Stream timing from the per-line receive timestamps. Seconds; null when not applicable. */
export const StreamTimingSchema = z.object({
  /** execute sent → first `process.output`. */
  first_output_seconds: seconds,
  /** execute sent → first assistant text (Claude stream-json only). */
  first_text_seconds: seconds,
  gap_p50_seconds: seconds,
  gap_p95_seconds: seconds,
  gap_max_seconds: seconds,
  /** Longest silence anywhere from execute to completion (includes the wait for the first output). */
  longest_silence_seconds: seconds,
  bytes_per_second: z.number().nullable(),
  lines_per_second: z.number().nullable(),
  /** From the result event's output_tokens over the first-to-last-output window. */
  output_tokens_per_second: z.number().nullable(),
  /** last output → `process.completed`. */
  completion_lag_seconds: seconds,
  /** Every gap counted at the fixed bounds of src/runner/gap-buckets.ts; absent in older results. */
  gap_histogram: GapHistogramSchema.nullable().optional(),
});

/** What Claude's stream-json says about itself (system/init and the result line). */
export const ClaudeStreamInfoSchema = z.object({
  model: z.string().nullable(),
  session_id: z.string().nullable(),
  claude_version: z.string().nullable(),
  total_cost_usd: z.number().nullable(),
  num_turns: z.number().nullable(),
  duration_ms: z.number().nullable(),
  duration_api_ms: z.number().nullable(),
  is_error: z.boolean().nullable(),
  subtype: z.string().nullable(),
  usage: z
    .object({
      input_tokens: z.number().nullable(),
      output_tokens: z.number().nullable(),
      cache_read_input_tokens: z.number().nullable(),
      cache_creation_input_tokens: z.number().nullable(),
    })
    .nullable(),
});

/** Peaks of the process tree under test. `measured: false` when the executor is on another host. */
export const ResourcePeaksSchema = z.discriminatedUnion('measured', [
  z.object({
    measured: z.literal(true),
    /**
     * Peak CPU of the tree (1.0 = one core) over a window of readings of its cumulative ticks;
     * null when no two readings were far enough apart to give a rate (`cpu_why` says so).
     */
    peak_cpu_ratio: z.number().nullable(),
    /** Why `peak_cpu_ratio` is null. */
    cpu_why: z.string().optional(),
    /** CPU time of the tree while it was watched, reaped children included. */
    cpu_seconds: z.number().optional(),
    /** Peak memory of the tree by `memory_method`: PSS where readable, else summed RSS. */
    peak_memory_bytes: z.number(),
    /** Peak of the summed RSS of the tree (shared pages once per process), beside the PSS peak. */
    peak_rss_sum_bytes: z.number().optional(),
    /** How `peak_memory_bytes` was measured; absent in older results (summed RSS). */
    memory_method: z.enum(['pss', 'rss_sum']).optional(),
    samples: count,
    /** The executor's own process, when it runs on this host. */
    executor_peak_cpu_ratio: z.number().nullable(),
    executor_peak_memory_bytes: z.number().nullable(),
  }),
  z.object({ measured: z.literal(false), why: z.string() }),
]);

/** The fixed set of `measure` label values (DESIGN section 6). */
export const MEASURE_VALUES = ['duration', 'first_output', 'first_text', 'output_bytes', 'tokens_per_second', 'peak_memory', 'peak_cpu', 'cost'] as const;
export const REGRESSION_VERDICT_VALUES = ['regressed', 'improved', 'unchanged', 'noise', 'no_baseline'] as const;

/** One measure of one test against its baseline (DESIGN section 10). Values in the measure's base unit. */
export const RegressionRecordSchema = z.object({
  measure: z.enum(MEASURE_VALUES),
  value: z.number(),
  /** null when there is no baseline yet (fewer comparable runs than `regression.min_runs`). */
  baseline: z.object({ median: z.number(), spread: z.number(), n: count }).nullable(),
  /** (value − median) / median; null without a baseline or when the median is 0. */
  change: z.number().nullable(),
  /** Signed distance towards the bad direction in units of the model's boundary (≥ 1: beyond it); null without a baseline. */
  score: z.number().nullable(),
  verdict: z.enum(REGRESSION_VERDICT_VALUES),
  /** The re-runs' values of a suspected regression, in run order; absent when none ran. */
  reruns: z.array(z.number()).optional(),
});

/** Nearest-rank percentiles of one per-session figure; all null when no session had it. */
export const LoadPercentilesSchema = z.object({ p50: seconds, p95: seconds, p99: seconds, max: seconds });

/** One session of a test under load, as the metrics need it (DESIGN section 11). */
export const LoadSessionSchema = z.object({
  outcome: z.enum(OUTCOME_VALUES),
  reason: z.enum(FAILURE_REASON_VALUES).nullable(),
  duration_seconds: z.number(),
  first_output_seconds: seconds,
});

/** What a test under load aggregates from its sessions (DESIGN section 11). */
export const LoadResultSchema = z.object({
  /** `fixed` for {"sessions": N}, `stages` for a ramp. */
  mode: z.enum(['fixed', 'stages']),
  /** Sessions started. */
  sessions: count,
  outcomes: z.object({ passed: count, failed: count, timeout: count, error: count }),
  /** Passed ÷ sessions (0 with no session). */
  pass_ratio: z.number(),
  min_pass_ratio: z.number(),
  /** Sessions the executor refused at its session limit (JSON-RPC -32003); also counted as `error`. */
  refusals: count,
  /** The most sessions running at once. */
  peak_active: count,
  duration_seconds: LoadPercentilesSchema,
  first_output_seconds: LoadPercentilesSchema,
  /** Once a second from the start: t (s), the sessions the stage wants, those running, those that ended not passed in that second. */
  timeline: z.array(z.object({ t: count, sessions: count, active: count, failed: count })),
  /** Every session in the order they ended. */
  session_list: z.array(LoadSessionSchema),
});

export const TestResultSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  category: z.string().nullable(),
  command: z.string(),
  outcome: z.enum(OUTCOME_VALUES),
  reason: z.enum(FAILURE_REASON_VALUES).nullable(),
  /** Human-readable detail of the reason ("exit code 2", "3/5 patterns", the RPC error text…). */
  reason_detail: z.string().nullable(),
  exit_code: z.number().int().nullable(),
  signal: z.string().nullable(),
  /** Processes that left the command's group and were ended at its end (stressd's executor only; absent from others). */
  escaped_processes: z.array(z.object({ pid: z.number().int(), command: z.string() })).optional(),
  started_at: z.string(),
  ended_at: z.string(),
  duration_seconds: z.number(),
  timeout_seconds: z.number(),
  output_bytes: count,
  output_lines: count,
  /** `process.output` notifications received. */
  output_chunks: count,
  stderr_bytes: count,
  /** The last non-blank stderr line (at most 300 characters). */
  last_stderr_line: z.string().nullable().optional(),
  malformed_frames: count,
  server_stall_lines: count,
  stream_error_lines: count,
  patterns_expected: count,
  patterns_found: z.array(z.string()),
  patterns_missing: z.array(z.string()),
  /** found / expected (1 with no patterns). */
  pattern_coverage: z.number(),
  /** The coverage a pass needed (the suite's `pattern_threshold`); absent in older results. */
  pattern_threshold: z.number().optional(),
  patterns: z.array(PatternHitSchema),
  stream: StreamTimingSchema,
  claude: ClaudeStreamInfoSchema.nullable(),
  resources: ResourcePeaksSchema,
  /** The first and last 2,000 characters of the output. */
  preview_head: z.string(),
  preview_tail: z.string(),
  /** The first and last 2,000 characters of the text a person reads (Claude stream-json); null otherwise. */
  text_preview_head: z.string().nullable().optional(),
  text_preview_tail: z.string().nullable().optional(),
  /** Absolute path of the full output log. */
  log_path: z.string().nullable(),
  /** False when the log could not be written whole (disk full, permissions); absent in older results. */
  log_complete: z.boolean().optional(),
  /** Why the log is not complete (the error's code and message); null when it is. */
  log_error: z.string().nullable().optional(),
  /** Lines that were written while the log was still draining earlier ones (a slow disk). */
  log_waited_lines: count,
  /** Bytes left out of the log because the disk could not keep up (memory stays bounded). */
  log_dropped_bytes: count,
  /** Non-output notifications (rate limits, hooks, unknown ones) received, by method. */
  notifications: z.record(z.string(), z.number()),
  trace_id: z.string().nullable(),
  span_id: z.string().nullable(),
  /** Comparison with this test's baseline from history, one record per measured measure; absent or null when not judged. */
  regressions: z.array(RegressionRecordSchema).nullable().optional(),
  /** Set on a confirmation re-run (RunResult.reruns): the id of the test it re-runs. */
  rerun_of: z.string().optional(),
  /** A test under load (DESIGN section 11): its sessions aggregated; absent for one session. */
  load: LoadResultSchema.optional(),
});

/** Why a run did or did not graduate; whether it did is the run's own `graduated`. */
export const GraduationVerdictSchema = z.object({
  pass_rate: z.number(),
  /** Each unmet criterion, in words; empty when graduated. */
  reasons: z.array(z.string()),
  criteria: z.object({
    min_pass_rate: z.number(),
    allow_timeouts: z.boolean(),
    max_peak_memory_mb: z.number().nullable(),
    max_peak_cpu_percent: z.number().nullable(),
  }),
});

/**
 * Who is writing a run's journal (the `running` JSON of a run in progress), so that the next start
 * can tell a run some live process still owns from one whose process died (DESIGN section 13).
 */
export const JournalOwnerSchema = z.object({
  pid: z.number().int().positive(),
  hostname: z.string(),
  /** /proc/sys/kernel/random/boot_id: a pid of an earlier boot names nothing now. */
  boot_id: z.string().nullable(),
  /** Field 22 of /proc/<pid>/stat (clock ticks since boot): tells a reused pid (pid 1 in a container) from ours. */
  process_start: z.string().nullable(),
  /** The test in flight when the journal was written; null between tests. */
  current_test: z.object({ id: z.string(), started_at: z.string() }).nullable(),
});

/** Graduation over runs (DESIGN section 10) as it stood when the run ended, this run included. */
export const SuccessRatioSchema = z.object({
  runs: count,
  graduated_runs: count,
  failed_runs: count,
  /** graduated ÷ failed; null when infinite (no failure) — JSON has no Infinity. */
  ratio: z.number().nullable(),
  graduated: z.boolean(),
  needed_ratio: z.number(),
  needed_runs: count,
  /** e.g. "Success/Failure ratio 14:1 over 15 runs — graduated, needs 10:1". */
  text: z.string(),
});

/** The cost budget of the run (DESIGN section 3) as it stood when the run ended. */
export const BudgetStateSchema = z.object({
  run_cost_usd: z.number(),
  day_cost_usd: z.number(),
  max_cost_usd_per_run: z.number().nullable(),
  max_cost_usd_per_day: z.number().nullable(),
  /** Which limit stopped tests; null when none did. */
  exhausted_by: z.enum(['run', 'day']).nullable(),
  reason: z.string().nullable(),
});

export const RunResultSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/),
  suite: z.string(),
  description: z.string().nullable(),
  config_path: z.string().nullable(),
  executor: z.string(),
  status: z.enum(['running', 'finished', 'aborted']),
  trigger: z.enum(['cli', 'schedule', 'api', 'start']),
  started_at: z.string(),
  ended_at: z.string().nullable(),
  duration_seconds: z.number().nullable(),
  /** The graduation verdict: every criterion of `verdict` met. */
  graduated: z.boolean(),
  verdict: GraduationVerdictSchema.nullable(),
  tests_total: count,
  tests_passed: count,
  tests: z.array(TestResultSchema),
  trace_id: z.string().nullable(),
  stressd_version: z.string(),
  /** Why an aborted run stopped ("stressd is shutting down", "stopped unexpectedly"); null or absent otherwise. */
  abort_cause: z.string().nullable().optional(),
  /** Only in the journal of a run in progress; absent from every finished or aborted result. */
  journal: JournalOwnerSchema.optional(),
  /** Confirmation re-runs of suspected regressions (each with `rerun_of`), in the order they ran; absent when none ran. */
  reruns: z.array(TestResultSchema).optional(),
  success_ratio: SuccessRatioSchema.optional(),
  budget: BudgetStateSchema.optional(),
});

/** The first problem of a value that is not a RunResult, as "tests[0].outcome: expected …". */
export function firstProblem(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'not a RunResult';
  const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
  return `${path || '(top)'}: ${issue.message}`;
}
