/**
 * Every stressd metric (DESIGN section 6 plus the stream and cost figures), built on one
 * registry that the caller owns; the "last value" gauge of each measure comes from the measure
 * table (src/result/measures.ts). Names, types and label sets here are the contract dashboards and
 * alert rules use; docs/telemetry.md describes each one.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { GAP_BUCKETS } from '../result/gap-buckets.ts';
import { MEASURES } from '../result/measures.ts';
import { BulkHistogram } from './bulk-histogram.ts';
import { baselineGauges } from './baseline-units.ts';

/** Labels of every per-test series. `category` is left out (not "") when the config has none. */
export const TEST_LABELS = ['suite', 'test', 'category'] as const;
export type TestLabel = (typeof TEST_LABELS)[number];
export type TestLabels = Partial<Record<TestLabel, string>>;

/** Fits 90–300 s tests with headroom to 600 s, and still resolves short demo tests. */
export const DURATION_BUCKETS = [0.5, 1, 2.5, 5, 10, 20, 30, 45, 60, 90, 120, 150, 180, 240, 300, 420, 600] as const;
/** Time to first output: sub-second for a local command, up to minutes for a queued model. */
export const FIRST_OUTPUT_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 7.5, 10, 15, 20, 30, 45, 60, 90, 120, 300] as const;
/** Gaps between outputs: the runner counts every gap at these bounds (src/result/gap-buckets.ts). */
export { GAP_BUCKETS };
/** Token kinds of `stressd_test_last_tokens{kind}`, from the result line's usage. */
/** `version` is Claude's version under its first name (dashboards read it); `claude_version` is the same value. */
export const SUT_LABELS = ['suite', 'model', 'version', 'claude_version', 'executor', 'executor_version'] as const;
export type SutLabel = (typeof SUT_LABELS)[number];

export const TOKEN_KINDS = ['input', 'output', 'cache_read', 'cache_creation'] as const;

type T = TestLabel;

export function defineMetrics(registry: Registry) {
  const registers = [registry];
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
    new Gauge<L>({ name, help, labelNames, registers });
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
    new Counter<L>({ name, help, labelNames, registers });
  const testGauge = (name: string, help: string) => gauge<T>(name, help, TEST_LABELS);

  // prom-client refuses exemplars on a classic (text/plain) registry at construction only; the
  // classic rendering simply leaves them out, so the histogram is made unregistered and then
  // registered by hand. metricsResponse() renders the same objects as OpenMetrics with exemplars.
  const testDuration = new Histogram<T | 'outcome'>({
    name: 'stressd_test_duration_seconds',
    help: 'Duration of each test from execute to completion, by outcome; exemplars carry the trace_id and span_id of the test span.',
    labelNames: [...TEST_LABELS, 'outcome'],
    buckets: [...DURATION_BUCKETS],
    enableExemplars: true,
    registers: [],
  });
  registry.registerMetric(testDuration);

  return {
    testDuration,
    testFirstOutput: new Histogram<T>({
      name: 'stressd_test_first_output_seconds',
      help: 'Time from execute to the first process.output line, one observation per test.',
      labelNames: TEST_LABELS,
      buckets: [...FIRST_OUTPUT_BUCKETS],
      registers,
    }),
    // Every gap of every test, added in bulk when the test ends: one prom-client observe() per
    // output line would be per-line work on a path that carries ~300k lines/s.
    testGap: new BulkHistogram<T>({
      name: 'stressd_test_inter_chunk_gap_seconds',
      help: 'Gaps between consecutive outputs after the first output, every gap of every test (added when the test ends).',
      labelNames: TEST_LABELS,
      buckets: GAP_BUCKETS,
    }).registerOn(registry),
    // DESIGN section 11: one observation per session of a test under load (added when the test ends).
    loadSessionDuration: new Histogram<T | 'outcome'>({
      name: 'stressd_load_session_duration_seconds',
      help: 'Sessions of a test under load: each session\'s duration, by outcome.',
      labelNames: [...TEST_LABELS, 'outcome'],
      buckets: [...DURATION_BUCKETS],
      registers,
    }),
    // Deprecated name of the histogram above (no unit in the name, so no # UNIT): kept one release.
    loadSessions: new Histogram<T | 'outcome'>({
      name: 'stressd_load_sessions',
      help: 'Deprecated: use stressd_load_session_duration_seconds (the same observations). Sessions of a test under load, duration in seconds, by outcome.',
      labelNames: [...TEST_LABELS, 'outcome'],
      buckets: [...DURATION_BUCKETS],
      registers,
    }),
    loadFirstOutput: new Histogram<T>({
      name: 'stressd_load_first_output_seconds',
      help: 'Sessions of a test under load: time from execute to the first process.output line of each session.',
      labelNames: TEST_LABELS,
      buckets: [...FIRST_OUTPUT_BUCKETS],
      registers,
    }),
    // DESIGN section 14: arrivals of the open model that found max_in_flight sessions in flight (k6's dropped_iterations).
    loadDropped: counter<T>('stressd_load_dropped_total', 'Open-model arrivals that found max_in_flight sessions in flight and never started (k6 dropped_iterations).', TEST_LABELS),
    // The latest capacity search's steps, one series per level of sessions it tried (src/telemetry/capacity-gauges.ts).
    capacityStepFirstOutputP95: gauge<T | 'level'>('stressd_test_capacity_step_first_output_p95_seconds', "95th percentile of the sessions' time to first output at each level (sessions at once) of the latest capacity search.", [...TEST_LABELS, 'level']),
    capacityStepErrorRatio: gauge<T | 'level'>('stressd_test_capacity_step_error_ratio', 'Share of sessions that did not pass at each level (sessions at once) of the latest capacity search, 0 … 1.', [...TEST_LABELS, 'level']),
    capacityStepHeld: gauge<T | 'level'>('stressd_test_capacity_step_held', 'Whether each level (sessions at once) of the latest capacity search held its objectives: 1 held, 0 broke.', [...TEST_LABELS, 'level']),
    testRuns: counter<T | 'outcome'>('stressd_test_runs_total', 'Tests executed, by outcome.', [...TEST_LABELS, 'outcome']),
    testFailures: counter<T | 'reason'>('stressd_test_failures_total', 'Tests that did not pass, by failure reason.', [...TEST_LABELS, 'reason']),
    testCost: counter<T>('stressd_test_cost_usd_total', 'Sum of total_cost_usd reported by the system under test, US dollars.', TEST_LABELS),

    // One gauge per measure of the measure table that names a metric, keyed by measure name.
    lastMeasure: new Map(MEASURES.flatMap((def) => (def.metric ? [[def.name, testGauge(def.metric.name, def.metric.help)] as const] : []))),
    lastOutputChunks: testGauge('stressd_test_last_output_chunks', 'process.output notifications received in the latest execution of each test.'),
    lastPeakRssSum: testGauge('stressd_test_last_peak_rss_sum_bytes', 'Peak of the summed RSS of the test process tree; shared pages count once per process (absent when not measured).'),
    lastSuccess: testGauge('stressd_test_last_success', 'Latest verdict of each test: 1 passed, 0 otherwise.'),
    lastCoverage: testGauge('stressd_test_last_pattern_coverage_ratio', 'Expected patterns found / expected, latest execution.'),
    lastGapP95: testGauge('stressd_test_last_gap_p95_seconds', '95th percentile of the gaps between outputs, latest execution.'),
    lastGapMax: testGauge('stressd_test_last_gap_max_seconds', 'Longest gap between outputs, latest execution.'),
    lastTokens: gauge<T | 'kind'>('stressd_test_last_tokens', 'Tokens reported in the result line, by kind, latest execution.', [...TEST_LABELS, 'kind']),
    sutInfo: gauge<SutLabel>('stressd_sut_info', 'What the system under test reported, always 1: Claude model and version (version = claude_version), executor name and version; one series per suite.', [...SUT_LABELS]),

    runLastTimestamp: gauge('stressd_run_last_timestamp_seconds', 'Unix time at which the latest run of the suite ended.', ['suite']),
    runNextTimestamp: gauge('stressd_run_next_timestamp_seconds', 'Unix time of the next scheduled run of the suite (absent when none).', ['suite']),
    runLastDuration: gauge('stressd_run_last_duration_seconds', 'Duration of the latest run of the suite.', ['suite']),
    runLastSuccessRatio: gauge('stressd_run_last_success_ratio', 'Tests passed / tests run in the latest run of the suite.', ['suite']),
    runLastGraduated: gauge('stressd_run_last_graduated', 'Graduation verdict of the latest run: 1 graduated, 0 otherwise.', ['suite']),
    runInProgress: gauge('stressd_run_in_progress', '1 while a run of the suite is going, else 0.', ['suite']),
    runs: counter<'suite' | 'result'>('stressd_runs_total', 'Runs finished, by result (graduated, not_graduated, aborted).', ['suite', 'result']),
    // cause: "overlap" (a schedule tick found a run going: what StressdRunsSkipped alerts on) or "busy_api" (an API trigger answered 409).
    runSkipped: counter('stressd_run_skipped_total', 'Triggers that found a run of the suite already going and were skipped, by cause (overlap, busy_api).', ['suite', 'cause']),
    runQueued: counter('stressd_run_queued_total', 'Triggers that found max_concurrent_runs reached and waited for a free slot.', ['suite']),
    executorRestarts: counter('stressd_executor_restarts_total', 'Restarts of the embedded executor.', []),
    configReloadFailures: counter('stressd_config_reload_failures_total', 'SIGHUP reloads refused because a config was bad (the running configs stayed).', []),
    configLastReloadSuccess: gauge('stressd_config_last_reload_success', '1 when the configs running are the ones last read (start-up or the last SIGHUP reload), 0 when the last reload failed.', []),
    // DESIGN sections 6 and 10: verdicts against the baseline, graduation over runs, the budget.
    testRegressed: gauge<T | 'measure'>('stressd_test_regressed', 'Whether the last judged run of each test regressed on the measure, confirmed by re-runs: 1 regressed, 0 not.', [...TEST_LABELS, 'measure']),
    // One metric per unit (stressd_test_baseline_seconds, _bytes, …): one metric never mixes units.
    testBaselineByUnit: baselineGauges((name, help) => gauge<T | 'measure'>(name, help, [...TEST_LABELS, 'measure'])),
    testBaseline: gauge<T | 'measure'>('stressd_test_baseline', "Deprecated: use stressd_test_baseline_<unit> (one metric per unit). The baseline's centre of each test and measure, in the measure's base unit.", [...TEST_LABELS, 'measure']),
    suiteGraduatedRunsRatio: gauge('stressd_suite_graduated_runs_ratio', 'Graduated ÷ finished (graduated or not) whole-suite runs of the suite in the ratio window (a `stressd run --only` run is not counted), 0 … 1; absent with no finished run.', ['suite']),
    suiteSuccessFailureRatio: gauge('stressd_suite_success_failure_ratio', 'Deprecated: use stressd_suite_graduated_runs_ratio (never +Inf). Graduated ÷ not-graduated finished runs in the ratio window, +Inf with no failure.', ['suite']),
    testHostPressure: gauge<T | 'resource'>('stressd_test_host_pressure', "How busy the host was during each test's latest run: resource cpu and memory (PSI share of the test's time some task waited), load_per_core, steal (share of CPU time).", [...TEST_LABELS, 'resource']),
    suiteGraduated: gauge('stressd_suite_graduated', 'Graduation over runs: 1 when the success/failure ratio meets min_success_failure_ratio over enough runs, else 0.', ['suite']),
    runCost: counter('stressd_run_cost_usd_total', 'Cost spent by the runs of the suite (tests and re-runs), from the result lines, US dollars.', ['suite']),
    budgetExhausted: gauge('stressd_budget_exhausted', "1 when the suite's run or day budget stopped tests in its latest run, else 0.", ['suite']),
    logWriteErrors: counter('stressd_log_write_errors_total', 'Test output logs that could not be written whole (disk full, read-only, permission).', ['suite']),
    reportWriteErrors: counter('stressd_report_write_errors_total', 'Run reports that could not be written to the reports dir (the API serves them from memory).', ['suite']),
    lastEscapedProcesses: testGauge(
      'stressd_test_escaped_processes',
      "Processes that left the test command's process group and were ended at its end, latest execution (stressd's executor only; absent when the executor does not say).",
    ),
    runLastWriteErrors: gauge('stressd_run_last_write_errors', "Files of the suite's latest run (report, JSON, logs) that could not be written: 0 when every one was.", ['suite']),
    historyUnreadable: gauge<'path' | 'problem'>('stressd_history_unreadable_files', 'Files in the reports dir that history could not read back (path and first problem), always 1; the file is kept.', ['path', 'problem']),
    buildInfo: gauge<'version' | 'node'>('stressd_build_info', 'stressd version and Node.js version, always 1.', ['version', 'node']),
  };
}

export type MetricSet = ReturnType<typeof defineMetrics>;
