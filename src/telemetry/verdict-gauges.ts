/**
 * The run-level judgement as metrics (DESIGN sections 6 and 10): confirmed regressions and
 * baselines per test and measure, graduation over runs, the budget and the run's cost. All read
 * from the final RunResult, because regressions are only decided once the re-runs are done.
 */
import type { RunResult, RunSuccessRatio, TestResult } from '../result/types.ts';
import type { MetricSet, TestLabels } from './metric-defs.ts';
import { baselineUnit } from './baseline-units.ts';

type Labels = (test: Pick<TestResult, 'id' | 'category'>) => TestLabels;

/** A test that was not judged (it did not pass) leaves the gauges of its last judged run. */
export function applyRegressionGauges(m: MetricSet, run: RunResult, labelsOf: Labels): void {
  for (const test of run.tests) {
    const p = test.host_pressure;
    if (p) {
      const readings = { cpu: p.cpu_some_share, memory: p.memory_some_share, load_per_core: p.load_per_core, steal: p.steal_share };
      for (const [resource, v] of Object.entries(readings)) {
        if (v === null) m.testHostPressure.remove({ ...labelsOf(test), resource });
        else m.testHostPressure.set({ ...labelsOf(test), resource }, v);
      }
    }
    if (!test.regressions) continue;
    const labels = labelsOf(test);
    for (const r of test.regressions) {
      const series = { ...labels, measure: r.measure };
      const unit = baselineUnit(r.measure);
      const byUnit = unit === null ? null : m.testBaselineByUnit[unit];
      if (r.baseline === null) {
        m.testBaseline.remove(series);
        byUnit?.remove(series);
        m.testRegressed.remove(series);
        continue;
      }
      m.testBaseline.set(series, r.baseline.median);
      byUnit?.set(series, r.baseline.median);
      m.testRegressed.set(series, r.verdict === 'regressed' ? 1 : 0);
    }
  }
}

/**
 * The graduated share of the finished runs, never infinite; and the deprecated graduated ÷ failed,
 * whose infinite value (no failure, null in JSON) is exported as +Inf.
 */
export function setSuccessRatioGauges(m: MetricSet, suite: string, ratio: RunSuccessRatio): void {
  const value = ratio.ratio ?? (ratio.runs > 0 ? Infinity : 0);
  m.suiteSuccessFailureRatio.set({ suite }, value);
  const finished = ratio.graduated_runs + ratio.failed_runs;
  if (finished > 0) m.suiteGraduatedRunsRatio.set({ suite }, ratio.graduated_runs / finished);
  else m.suiteGraduatedRunsRatio.remove({ suite });
  m.suiteGraduated.set({ suite }, ratio.graduated ? 1 : 0);
}

function costOf(tests: readonly TestResult[]): number {
  return tests.reduce((sum, t) => {
    const c = t.claude?.total_cost_usd;
    return typeof c === 'number' && Number.isFinite(c) && c > 0 ? sum + c : sum;
  }, 0);
}

/** Once per run as it ends (never on hydration: a counter restarts at zero). */
export function recordRunJudgement(m: MetricSet, run: RunResult, labelsOf: Labels): void {
  applyRegressionGauges(m, run, labelsOf);
  if (run.success_ratio) setSuccessRatioGauges(m, run.suite, run.success_ratio);
  if (run.budget) m.budgetExhausted.set({ suite: run.suite }, run.budget.exhausted_by === null ? 0 : 1);
  // Touched even at 0 so the series exists from the first run and increase() sees the first spend.
  m.runCost.inc({ suite: run.suite }, costOf([...run.tests, ...(run.reruns ?? [])]));
}
