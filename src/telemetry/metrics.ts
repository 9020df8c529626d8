/**
 * The daemon's Prometheus metrics: one own registry (never the global one), recorded from the
 * runner's events and the RunResult, served as Prometheus text or OpenMetrics with exemplars.
 * Telemetry never throws into the program: every entry point catches and logs.
 */
import { Registry, collectDefaultMetrics } from 'prom-client';
import { OUTCOMES, type RunResult, type RunSuccessRatio, type TestResult } from '../result/types.ts';
import { VERSION } from '../version.ts';
import { DURATION_BUCKETS, defineMetrics, type MetricSet, type TestLabels } from './metric-defs.ts';
import { renderMetrics, type MetricsResponse } from './exposition.ts';
import { applyLastTestGauges, finite } from './last-values.ts';
import { cutShort, ranToEnd, runSuccessRatio } from '../result/not-run.ts';
import { applyRegressionGauges, recordRunJudgement, setSuccessRatioGauges } from './verdict-gauges.ts';

export type { MetricsResponse } from './exposition.ts';

export type SkipCause = 'overlap' | 'busy_api';

export interface MetricsLogger {
  warn(obj: unknown, msg?: string): void;
}

export interface CreateMetricsOptions {
  /** Registry to register on; default a new one. Must be a classic (Prometheus text) registry. */
  registry?: Registry;
  /** Register prom-client's default process metrics on the same registry; default true. */
  collectDefaults?: boolean;
  /** Where recording failures go; default a one-line console.warn. */
  logger?: MetricsLogger;
}

export interface StressdMetrics {
  readonly registry: Registry;
  /** Sets stressd_run_in_progress{suite} to 1. */
  onRunStart(run: RunResult): void;
  /** Every per-test metric; called as each test ends so a long run shows progress. Nothing for a not_run test; only cost for one cut short. */
  onTestEnd(suite: string, test: TestResult): void;
  /**
   * stressd_runs_total{result}, in_progress 0, and the run's last_* gauges unless it was aborted
   * (they keep the last finished run). Does not touch per-test metrics.
   */
  onRunEnd(run: RunResult): void;
  /** Next scheduled run of the suite; null removes the series (nothing scheduled). */
  setNextRun(suite: string, at: Date | null): void;
  /** `overlap`: a schedule tick found a run going; `busy_api`: an API (or other manual) trigger did. */
  onRunSkipped(suite: string, cause?: SkipCause): void;
  /** A trigger waited for the daemon's max_concurrent_runs. */
  onRunQueued(suite: string): void;
  /** Graduation over runs of the suite, e.g. from history at start-up (each run's end sets it too). */
  setSuccessRatio(suite: string, ratio: RunSuccessRatio): void;
  /** stressd_report_write_errors_total{suite}: the report sink could not write a run's report. */
  onReportWriteError(suite: string): void;
  onExecutorRestart(): void;
  /** stressd_build_info{version,node} 1; done at creation, idempotent. */
  setBuildInfo(): void;
  /**
   * After a restart: restores the last-value gauges (per test and per suite) from runs on disk,
   * the newest value winning; an aborted run restores only the gauges of the tests it finished. Counters and histograms stay at zero, as Prometheus expects of
   * a restarted process (rate() handles the reset).
   */
  hydrateFromHistory(runs: readonly RunResult[]): void;
  /** The /metrics body for a scraper's Accept header (OpenMetrics with exemplars when asked). */
  metricsResponse(acceptHeader: string | undefined): Promise<MetricsResponse>;
}

const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;
const LAST_BUCKET = DURATION_BUCKETS[DURATION_BUCKETS.length - 1] ?? Infinity;

const consoleLogger: MetricsLogger = {
  warn(obj, msg) {
    console.warn(`stressd metrics: ${msg ?? 'warning'}`, obj);
  },
};

/**
 * The exemplar of a test's duration: the test span's trace and span id, so a click lands on the
 * test itself rather than the top of its run's trace. None for an unsampled trace, or above the
 * last bucket (an exemplar on +Inf is one prom-client cannot hold).
 */
function exemplarOf(test: TestResult, value: number): { exemplarLabels?: TestLabels } {
  if (typeof test.trace_id !== 'string' || !TRACE_ID.test(test.trace_id) || value > LAST_BUCKET) return {};
  const labels: Record<string, string> = { trace_id: test.trace_id };
  if (typeof test.span_id === 'string' && SPAN_ID.test(test.span_id)) labels.span_id = test.span_id;
  return { exemplarLabels: labels as TestLabels };
}

export function testLabels(suite: string, test: Pick<TestResult, 'id' | 'category'>): TestLabels {
  const labels: TestLabels = { suite, test: String(test.id) };
  if (typeof test.category === 'string' && test.category !== '') labels.category = test.category;
  return labels;
}

export function runResultLabel(run: Pick<RunResult, 'status' | 'graduated'>): 'graduated' | 'not_graduated' | 'aborted' {
  if (run.status === 'aborted') return 'aborted';
  return run.graduated ? 'graduated' : 'not_graduated';
}

export function createMetrics(options: CreateMetricsOptions = {}): StressdMetrics {
  const registry = options.registry ?? new Registry();
  const logger = options.logger ?? consoleLogger;
  const m: MetricSet = defineMetrics(registry);
  if (options.collectDefaults ?? true) collectDefaultMetrics({ register: registry });

  /** Runs one independent piece of recording; a failure is logged and the other pieces go on. */
  const safely = (what: string, fn: () => void): void => {
    try {
      fn();
    } catch (err) {
      try {
        logger.warn({ err }, `recording ${what} failed`);
      } catch {
        // A broken logger must not turn telemetry into a crash either.
      }
    }
  };

  const setRunGauges = (run: RunResult): void => {
    const labels = { suite: run.suite };
    const endedMs = run.ended_at === null ? Date.now() : Date.parse(run.ended_at);
    if (Number.isFinite(endedMs)) m.runLastTimestamp.set(labels, endedMs / 1000);
    const duration = finite(run.duration_seconds);
    if (duration === null) m.runLastDuration.remove(labels);
    else m.runLastDuration.set(labels, duration);
    // Over the tests that ran, as the report's success rate (docs/telemetry.md).
    const ratio = runSuccessRatio(Array.isArray(run.tests) ? run.tests : []);
    if (ratio === null) m.runLastSuccessRatio.remove(labels);
    else m.runLastSuccessRatio.set(labels, ratio);
    m.runLastGraduated.set(labels, run.graduated === true ? 1 : 0);
  };

  const recordTest = (suite: string, test: TestResult): void => {
    // A series labelled test="undefined" would outlive the bug that made it: refuse instead.
    if (typeof suite !== 'string' || typeof test?.id !== 'string' || !OUTCOMES.includes(test.outcome)) {
      throw new TypeError(`not a test result of suite ${String(suite)}: id ${String(test?.id)}, outcome ${String(test?.outcome)}`);
    }
    const labels = testLabels(suite, test);
    const outcome = String(test.outcome);
    // A test that never started is no measurement of anything; one cut short by an abort is a
    // partial one, and a re-run is not the test's last execution (it would move its last_* gauges
    // and weigh twice in the histograms): only the money they spent counts.
    if (outcome === 'not_run') return;
    if (cutShort(test) || test.rerun_of !== undefined) {
      safely('test cost', () => {
        const cost = finite(test.claude?.total_cost_usd);
        if (cost !== null && cost >= 0) m.testCost.inc(labels, cost);
      });
      return;
    }
    safely('test duration', () => {
      const value = finite(test.duration_seconds);
      if (value === null || value < 0) return;
      // An exemplar above the last bucket would land on +Inf, which prom-client cannot hold.
      m.testDuration.observe({ labels: { ...labels, outcome }, value, ...exemplarOf(test, value) });
    });
    safely('test runs', () => {
      m.testRuns.inc({ ...labels, outcome });
      if (outcome !== 'passed') m.testFailures.inc({ ...labels, reason: String(test.reason ?? outcome) });
    });
    safely('stream timing', () => {
      const first = finite(test.stream?.first_output_seconds);
      if (first !== null) m.testFirstOutput.observe(labels, first);
    });
    safely('gap histogram', () => {
      // Absent in results from before stressd counted every gap; throws on foreign bounds.
      const gaps = test.stream?.gap_histogram;
      if (gaps) m.testGap.add(labels, gaps);
    });
    safely('load sessions', () => {
      for (const session of test.load?.session_list ?? []) {
        const duration = finite(session.duration_seconds);
        if (duration !== null && duration >= 0) m.loadSessions.observe({ ...labels, outcome: String(session.outcome) }, duration);
        const first = finite(session.first_output_seconds);
        if (first !== null && first >= 0) m.loadFirstOutput.observe(labels, first);
      }
    });
    safely('test cost', () => {
      const cost = finite(test.claude?.total_cost_usd);
      if (cost !== null && cost >= 0) m.testCost.inc(labels, cost);
    });
    safely('test gauges', () => applyLastTestGauges(m, suite, labels, test));
    safely('log write errors', () => {
      if (test.log_error) m.logWriteErrors.inc({ suite });
    });
  };

  const metrics: StressdMetrics = {
    registry,

    onRunStart(run) {
      safely('run start', () => m.runInProgress.set({ suite: run.suite }, 1));
    },

    onTestEnd(suite, test) {
      safely('test end', () => recordTest(suite, test));
    },

    onRunEnd(run) {
      safely('run end', () => {
        m.runInProgress.set({ suite: run.suite }, 0);
        m.runs.inc({ suite: run.suite, result: runResultLabel(run) });
        // An aborted run is counted, but the run's last_* gauges keep describing the last run that finished.
        if (run.status !== 'aborted') setRunGauges(run);
      });
      safely('run judgement', () => recordRunJudgement(m, run, (t) => testLabels(run.suite, t)));
    },

    setNextRun(suite, at) {
      safely('next run', () => {
        const ms = at === null ? NaN : at.getTime();
        if (Number.isFinite(ms)) m.runNextTimestamp.set({ suite }, ms / 1000);
        else m.runNextTimestamp.remove({ suite });
      });
    },

    onRunSkipped(suite, cause = 'overlap') {
      safely('skipped run', () => m.runSkipped.inc({ suite, cause }));
    },

    onRunQueued(suite) {
      safely('queued run', () => m.runQueued.inc({ suite }));
    },
    setSuccessRatio(suite, ratio) {
      safely('success ratio', () => setSuccessRatioGauges(m, suite, ratio));
    },
    onReportWriteError(suite) {
      safely('report write error', () => m.reportWriteErrors.inc({ suite }));
    },

    onExecutorRestart() {
      safely('executor restart', () => m.executorRestarts.inc());
    },

    setBuildInfo() {
      safely('build info', () => m.buildInfo.set({ version: VERSION, node: process.version }, 1));
    },

    hydrateFromHistory(runs) {
      safely('history', () => {
        const finished = runs
          .filter((run) => run !== null && typeof run === 'object' && run.status !== 'running' && typeof run.suite === 'string')
          .slice()
          .sort((a, b) => Date.parse(a.started_at) - Date.parse(b.started_at));
        // Oldest first, so the newest value of every series wins, exactly as live recording would.
        for (const run of finished) {
          safely('history run gauges', () => {
            if (run.status !== 'aborted') setRunGauges(run);
            m.runInProgress.set({ suite: run.suite }, 0);
          });
          // As live: a test an aborted run did not finish moves none of its gauges.
          for (const test of Array.isArray(run.tests) ? run.tests.filter(ranToEnd) : []) {
            safely('history test gauges', () => applyLastTestGauges(m, run.suite, testLabels(run.suite, test), test));
          }
          safely('history regressions', () => applyRegressionGauges(m, run, (t) => testLabels(run.suite, t)));
          if (run.success_ratio) safely('history success ratio', () => setSuccessRatioGauges(m, run.suite, run.success_ratio as RunSuccessRatio));
        }
      });
    },

    metricsResponse(acceptHeader) {
      return renderMetrics(registry, acceptHeader);
    },
  };

  metrics.setBuildInfo();
  return metrics;
}
