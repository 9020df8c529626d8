/**
 * The daemon's Prometheus metrics: one own registry (never the global one), recorded from the
 * runner's events and the RunResult, served as Prometheus text or OpenMetrics with exemplars.
 * Telemetry never throws into the program: every entry point catches and logs.
 */
import { Registry, collectDefaultMetrics } from 'prom-client';
import { OUTCOMES, type RunResult, type TestResult } from '../result/types.ts';
import { VERSION } from '../version.ts';
import { DURATION_BUCKETS, defineMetrics, type MetricSet, type TestLabels } from './metric-defs.ts';
import { renderMetrics, type MetricsResponse } from './exposition.ts';
import { applyLastTestGauges, finite } from './last-values.ts';

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
  /** Every per-test metric; called as each test ends so a long run shows progress. */
  onTestEnd(suite: string, test: TestResult): void;
  /** Run gauges, stressd_runs_total{result}, in_progress 0. Does not touch per-test metrics. */
  onRunEnd(run: RunResult): void;
  /** Next scheduled run of the suite; null removes the series (nothing scheduled). */
  setNextRun(suite: string, at: Date | null): void;
  /** `overlap`: a schedule tick found a run going; `busy_api`: an API (or other manual) trigger did. */
  onRunSkipped(suite: string, cause?: SkipCause): void;
  onExecutorRestart(): void;
  /** stressd_build_info{version,node} 1; done at creation, idempotent. */
  setBuildInfo(): void;
  /**
   * After a restart: restores the last-value gauges (per test and per suite) from finished runs on
   * disk, the newest value winning. Counters and histograms stay at zero, as Prometheus expects of
   * a restarted process (rate() handles the reset).
   */
  hydrateFromHistory(runs: readonly RunResult[]): void;
  /** The /metrics body for a scraper's Accept header (OpenMetrics with exemplars when asked). */
  metricsResponse(acceptHeader: string | undefined): Promise<MetricsResponse>;
}

const TRACE_ID = /^[0-9a-f]{32}$/;
const LAST_BUCKET = DURATION_BUCKETS[DURATION_BUCKETS.length - 1] ?? Infinity;

const consoleLogger: MetricsLogger = {
  warn(obj, msg) {
    console.warn(`stressd metrics: ${msg ?? 'warning'}`, obj);
  },
};

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
    if (run.tests_total > 0) m.runLastSuccessRatio.set(labels, run.tests_passed / run.tests_total);
    else m.runLastSuccessRatio.remove(labels);
    m.runLastGraduated.set(labels, run.graduated === true ? 1 : 0);
  };

  const recordTest = (suite: string, test: TestResult): void => {
    // A series labelled test="undefined" would outlive the bug that made it: refuse instead.
    if (typeof suite !== 'string' || typeof test?.id !== 'string' || !OUTCOMES.includes(test.outcome)) {
      throw new TypeError(`not a test result of suite ${String(suite)}: id ${String(test?.id)}, outcome ${String(test?.outcome)}`);
    }
    const labels = testLabels(suite, test);
    const outcome = String(test.outcome);
    safely('test duration', () => {
      const value = finite(test.duration_seconds);
      if (value === null || value < 0) return;
      // An exemplar above the last bucket would land on +Inf, which prom-client cannot hold.
      const exemplar = typeof test.trace_id === 'string' && TRACE_ID.test(test.trace_id) && value <= LAST_BUCKET;
      m.testDuration.observe({
        labels: { ...labels, outcome },
        value,
        ...(exemplar ? { exemplarLabels: { trace_id: test.trace_id } as TestLabels } : {}),
      });
    });
    safely('test runs', () => {
      m.testRuns.inc({ ...labels, outcome });
      if (outcome !== 'passed') m.testFailures.inc({ ...labels, reason: String(test.reason ?? outcome) });
    });
    safely('stream timing', () => {
      const first = finite(test.first_output_seconds ?? test.stream?.first_output_seconds);
      if (first !== null) m.testFirstOutput.observe(labels, first);
    });
    safely('gap histogram', () => {
      // Absent in results from before stressd counted every gap; throws on foreign bounds.
      const gaps = test.stream?.gap_histogram;
      if (gaps) m.testGap.add(labels, gaps);
    });
    safely('test cost', () => {
      const cost = finite(test.claude?.total_cost_usd);
      if (cost !== null && cost >= 0) m.testCost.inc(labels, cost);
    });
    safely('test gauges', () => applyLastTestGauges(m, suite, labels, test));
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
        setRunGauges(run);
      });
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
            setRunGauges(run);
            m.runInProgress.set({ suite: run.suite }, 0);
          });
          for (const test of Array.isArray(run.tests) ? run.tests : []) {
            safely('history test gauges', () => applyLastTestGauges(m, run.suite, testLabels(run.suite, test), test));
          }
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
