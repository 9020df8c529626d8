/**
 * The one schema of a RunResult (DESIGN section 8). It is the TypeScript type (through `z.output`,
 * in types.ts) and the runtime check of anything read back from disk: a report JSON that fails it
 * is skipped with a warning naming the file and the first problem. Fields are snake_case because
 * this is also the JSON that `stressd run --json`, the reports and `/api/runs/:id` carry.
 * Add fields freely (optional, so older files still pass); never rename these.
 */
import { z } from 'zod';
import { MODEL_NAMES } from './measures.ts';
import {
  count, OUTCOME_VALUES, FAILURE_REASON_VALUES,
  PatternHitSchema, GapHistogramSchema, StreamTimingSchema, ClaudeStreamInfoSchema, ResourcePeaksSchema, REGRESSION_VERDICT_VALUES, RegressionRecordSchema, HostPressureSchema, LoadPercentilesSchema, LoadSessionSchema, LoadResultSchema,
} from './test-parts.ts';
import { SutSchema, TestVersionsSchema } from './versions.ts';

export {
  OUTCOME_VALUES, FAILURE_REASON_VALUES,
  PatternHitSchema, GapHistogramSchema, StreamTimingSchema, ClaudeStreamInfoSchema, ResourcePeaksSchema, REGRESSION_VERDICT_VALUES, RegressionRecordSchema, HostPressureSchema, LoadPercentilesSchema, LoadSessionSchema, LoadResultSchema,
};

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
  /** How busy the host was during the test (runner/host-pressure.ts); absent in older results. */
  host_pressure: HostPressureSchema.optional(),
  /** Set on a confirmation re-run (RunResult.reruns): the id of the test it re-runs. */
  rerun_of: z.string().optional(),
  /**
   * Whether the test's `env` reached the command: false when the executor does not announce the
   * `env` capability (a cc_executor drops params.env), `unknown` when it announced nothing; absent without env.
   */
  env_applied: z.union([z.boolean(), z.literal('unknown')]).optional(),
  /** A test under load (DESIGN section 11): its sessions aggregated; absent for one session. */
  load: LoadResultSchema.optional(),
  /** What this execution measured: executor, Claude model and version, command hash (versions.ts); absent in older results. */
  versions: TestVersionsSchema.optional(),
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

/** One file of a run that could not be written (DESIGN section 13): which, where, and the error. */
export const WriteErrorSchema = z.object({
  /** `report` the markdown, `json` the RunResult, `log` a test's output log, `latest` the latest.* copies. */
  file: z.enum(['report', 'json', 'log', 'latest']),
  path: z.string().nullable(),
  /** The test whose log it is (file `log` only). */
  test: z.string().optional(),
  error: z.string(),
});

/**
 * The suite's `regression` settings the run's verdicts were judged with, so that a later
 * `compare` of this run judges as the run did even after the config changed.
 */
export const RegressionSettingsSchema = z.object({
  window_runs: count,
  min_runs: count,
  min_change: z.number(),
  confirm_reruns: count,
  model: z.enum(MODEL_NAMES),
  /** Absent in runs from before re-runs waited for a calm host. */
  pressure_wait_seconds: z.number().optional(),
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
  /** The system under test: the executor's name and version, stressd's (versions.ts); absent in older results. */
  sut: SutSchema.optional(),
  /** Why an aborted run stopped ("stressd is shutting down", "stopped unexpectedly"); null or absent otherwise. */
  abort_cause: z.string().nullable().optional(),
  /** Only in the journal of a run in progress; absent from every finished or aborted result. */
  journal: JournalOwnerSchema.optional(),
  /** Confirmation re-runs of suspected regressions (each with `rerun_of`), in the order they ran; absent when none ran. */
  reruns: z.array(TestResultSchema).optional(),
  success_ratio: SuccessRatioSchema.optional(),
  budget: BudgetStateSchema.optional(),
  /** Absent in runs written before it was recorded. */
  regression_settings: RegressionSettingsSchema.optional(),
  /** Files of this run that could not be written whole; absent when every one was. The run still counts as it ended. */
  write_errors: z.array(WriteErrorSchema).optional(),
  /**
   * A partial run (`stressd run --only`): the test ids and categories it was narrowed to; absent for a
   * whole-suite run. A partial run never replaces `latest.*` and is not counted in graduation over runs.
   */
  only: z.array(z.string()).optional(),
});

/** The first problem of a value that is not a RunResult, as "tests[0].outcome: expected …". */
export function firstProblem(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'not a RunResult';
  const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
  return `${path || '(top)'}: ${issue.message}`;
}
