/**
 * The pieces of a TestResult (pattern hits, stream timing, Claude's figures, resource peaks,
 * regression records, load aggregates), each one zod schema; schema.ts puts them together.
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

export const seconds = z.number().nullable();
export const count = z.number().int().nonnegative();

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
  /** Every gap counted at the fixed bounds of src/result/gap-buckets.ts; absent in older results. */
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
/** Where the figures come from; absent in older results (read from /proc). */
const resourceOrigin = {
  /** `proc`: this host's /proc; `prometheus`: the peaks of the suite's queries over the test's window. */
  measured_by: z.enum(['proc', 'prometheus']).optional(),
  /** The queries sent to Prometheus, as templated for this test. */
  queries: z.object({ cpu: z.string().nullable(), memory: z.string().nullable() }).optional(),
};

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
    /** Why the executor's own figures are null: its process was not found on this host. */
    executor_why: z.string().optional(),
    ...resourceOrigin,
  }),
  z.object({ measured: z.literal(false), why: z.string(), ...resourceOrigin }),
]);

export const REGRESSION_VERDICT_VALUES = ['regressed', 'improved', 'unchanged', 'noise', 'inconclusive', 'no_baseline'] as const;

/** One measure of one test against its baseline (DESIGN section 10). Values in the measure's base unit. */
export const RegressionRecordSchema = z.object({
  /** A name of the measure table (measures.ts); any name parses, so a newer stressd's runs still load. */
  measure: z.string().regex(/^[a-z][a-z0-9_]*$/),
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
  /** The sequential confirmation's pooled, capped log-likelihood ratio over the suspect and its re-runs. */
  evidence: z.number().optional(),
  /** Why the verdict is `inconclusive` (the evidence stayed between its bounds, the host was under pressure). */
  reason: z.string().optional(),
});

/** How busy the host was while a test ran; shares are of the test's wall time, null where not readable. */
export const HostPressureSchema = z.object({
  /** `psi` (Linux pressure stall information) or `loadavg` where PSI is missing (load per core and steal only). */
  source: z.enum(['psi', 'loadavg']),
  cpu_some_share: z.number().nullable(),
  memory_some_share: z.number().nullable(),
  load_per_core: z.number().nullable(),
  steal_share: z.number().nullable(),
  under_pressure: z.boolean(),
  /** e.g. "CPU pressure 55 % of the test's time"; null when not under pressure. */
  reason: z.string().nullable(),
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

/** One step of a capacity search: a level held for `step_s`, its figures with their spread. */
export const SearchStepSchema = z.object({
  sessions: count,
  seconds: z.number(),
  started: count,
  error_ratio: z.number(),
  first_output_seconds: LoadPercentilesSchema,
  duration_seconds: LoadPercentilesSchema,
  /** Median over the sessions of their output bytes per second; null when none wrote. */
  output_bytes_per_second_p50: z.number().nullable(),
  held: z.boolean(),
  /** The objectives it broke, in words; empty when held. */
  broke: z.array(z.string()),
});

export const CapacitySearchSchema = z.object({
  /** The highest level that held: the measure `capacity`; 0 when not even the first held. */
  held: count,
  /** The lowest level that broke; null when none did up to max_sessions or the budget. */
  broke: count.nullable(),
  /** Why the search ended, in words. */
  ended: z.string(),
  steps: z.array(SearchStepSchema),
  /** The objectives each step was judged against (absent in results written before it was kept). */
  slo: z.object({
    first_output_p95_s: z.number(),
    error_ratio: z.number(),
    min_output_bytes_per_second: z.number().nullable(),
  }).optional(),
});

/** What a test under load aggregates from its sessions (DESIGN section 11). */
export const LoadResultSchema = z.object({
  /** `fixed` for {"sessions": N}, `stages` for a ramp, `rate` for arrivals (the open model), `search` for a capacity search. */
  mode: z.enum(['fixed', 'stages', 'rate', 'search']),
  /** Open model: arrivals that found `max_in_flight` sessions in flight and never started. */
  dropped: count.optional(),
  /** Capacity search: the levels tried and what was found. */
  search: CapacitySearchSchema.optional(),
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
