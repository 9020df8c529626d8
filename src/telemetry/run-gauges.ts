/**
 * A suite's last-run gauges, set as a run ends and, after a restart, restored from the runs on
 * disk together with each test's last-value, regression and success-ratio gauges.
 */
import type { RunResult, RunSuccessRatio } from '../result/types.ts';
import { ranToEnd, runSuccessRatio } from '../result/not-run.ts';
import type { MetricSet } from './metric-defs.ts';
import { applyLastTestGauges, finite } from './last-values.ts';
import { testLabels, type Safely } from './test-recording.ts';
import { applyRegressionGauges, setSuccessRatioGauges } from './verdict-gauges.ts';

export function setRunGauges(m: MetricSet, run: RunResult): void {
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
}

/** StressdMetrics.hydrateFromHistory: the last-value gauges of the finished runs, newest winning. */
export function restoreGauges(m: MetricSet, safely: Safely, runs: readonly RunResult[]): void {
  const finished = runs
    .filter((run) => run !== null && typeof run === 'object' && run.status !== 'running' && typeof run.suite === 'string')
    .slice()
    .sort((a, b) => Date.parse(a.started_at) - Date.parse(b.started_at));
  // Oldest first, so the newest value of every series wins, exactly as live recording would.
  for (const run of finished) {
    safely('history run gauges', () => {
      if (run.status !== 'aborted') setRunGauges(m, run);
      m.runInProgress.set({ suite: run.suite }, 0);
      // Live, the report sink sets it once the run's files are written (or not): the record says which.
      m.runLastWriteErrors.set({ suite: run.suite }, Array.isArray(run.write_errors) ? run.write_errors.length : 0);
    });
    // As live: a test an aborted run did not finish moves none of its gauges.
    for (const test of Array.isArray(run.tests) ? run.tests.filter(ranToEnd) : []) {
      safely('history test gauges', () => applyLastTestGauges(m, run.suite, testLabels(run.suite, test), test));
    }
    safely('history regressions', () => applyRegressionGauges(m, run, (t) => testLabels(run.suite, t)));
    if (run.success_ratio) safely('history success ratio', () => setSuccessRatioGauges(m, run.suite, run.success_ratio as RunSuccessRatio));
  }
}
