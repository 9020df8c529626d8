/**
 * The daemon's Prometheus metrics: one own registry (never the global one), recorded from the
 * runner's events and the RunResult, served as Prometheus text or OpenMetrics with exemplars.
 * Telemetry never throws into the program: every entry point catches and logs.
 */
import { Registry, collectDefaultMetrics } from 'prom-client';
import type { RunResult, RunSuccessRatio, TestResult } from '../result/types.ts';
import { VERSION } from '../version.ts';
import { defineMetrics, type MetricSet } from './metric-defs.ts';
import { renderMetrics, type MetricsResponse } from './exposition.ts';
import { setRunGauges, restoreGauges } from './run-gauges.ts';
import { recordTest, testLabels, type Safely } from './test-recording.ts';
import { recordRunJudgement, setSuccessRatioGauges } from './verdict-gauges.ts';
import { zeroSuiteCounters, type KnownTest } from './counter-init.ts';

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
  /** stressd_run_last_write_errors{suite}: files of the latest run that could not be written. */
  setRunWriteErrors(suite: string, count: number): void;
  /** stressd_history_unreadable_files{path,problem}: the files history could not read back, replacing the last list. */
  setUnreadableFiles(files: readonly { path: string; problem: string }[]): void;
  onExecutorRestart(): void;
  /**
   * At start: every counter child of the suite and its tests at 0, so that increase() counts the
   * first event of each after a restart (a child born by its event reads 1 at once).
   */
  declareSuite(suite: string, tests: readonly KnownTest[]): void;
  /** The configs were read: at start-up (ok) or by a SIGHUP reload; a failed reload also counts. */
  onConfigLoad(ok: boolean): void;
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

const consoleLogger: MetricsLogger = {
  warn(obj, msg) {
    console.warn(`stressd metrics: ${msg ?? 'warning'}`, obj);
  },
};

export function runResultLabel(run: Pick<RunResult, 'status' | 'graduated'>): 'graduated' | 'not_graduated' | 'aborted' {
  if (run.status === 'aborted') return 'aborted';
  return run.graduated ? 'graduated' : 'not_graduated';
}

function safelyLogging(logger: MetricsLogger): Safely {
  return (what, fn) => {
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
}

export function createMetrics(options: CreateMetricsOptions = {}): StressdMetrics {
  const registry = options.registry ?? new Registry();
  const m: MetricSet = defineMetrics(registry);
  if (options.collectDefaults ?? true) collectDefaultMetrics({ register: registry });
  const safely = safelyLogging(options.logger ?? consoleLogger);

  const metrics: StressdMetrics = {
    registry,

    onRunStart(run) {
      safely('run start', () => m.runInProgress.set({ suite: run.suite }, 1));
    },

    onTestEnd(suite, test) {
      safely('test end', () => recordTest(m, safely, suite, test));
    },

    onRunEnd(run) {
      safely('run end', () => {
        m.runInProgress.set({ suite: run.suite }, 0);
        m.runs.inc({ suite: run.suite, result: runResultLabel(run) });
        // An aborted run is counted, but the run's last_* gauges keep describing the last run that finished.
        if (run.status !== 'aborted') setRunGauges(m, run);
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

    setRunWriteErrors(suite, count) {
      safely('run write errors', () => m.runLastWriteErrors.set({ suite }, count));
    },
    setUnreadableFiles(files) {
      safely('unreadable files', () => {
        m.historyUnreadable.reset();
        // The problem is cut short: a label is for telling files apart, the page has the whole text.
        for (const f of files) m.historyUnreadable.set({ path: f.path, problem: f.problem.slice(0, 200) }, 1);
      });
    },

    onExecutorRestart() {
      safely('executor restart', () => m.executorRestarts.inc());
    },

    declareSuite(suite, tests) {
      safely('counters at zero', () => zeroSuiteCounters(m, suite, tests));
    },

    onConfigLoad(ok) {
      safely('config load', () => {
        m.configLastReloadSuccess.set(ok ? 1 : 0);
        if (!ok) m.configReloadFailures.inc();
      });
    },

    setBuildInfo() {
      safely('build info', () => m.buildInfo.set({ version: VERSION, node: process.version }, 1));
    },

    hydrateFromHistory(runs) {
      safely('history', () => restoreGauges(m, safely, runs));
    },

    metricsResponse(acceptHeader) {
      return renderMetrics(registry, acceptHeader);
    },
  };

  metrics.setBuildInfo();
  return metrics;
}
