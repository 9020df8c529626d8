/** Regression, baseline, graduation-over-runs and budget metrics from RunResults (live and after a restart). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMetrics } from '../../src/telemetry/metrics.ts';
import type { RegressionRecord } from '../../src/result/types.ts';
import { runResult, testResult } from '../fixtures/run-result.ts';

const rec = (over: Partial<RegressionRecord>): RegressionRecord => ({
  measure: 'duration', value: 130, baseline: { median: 100, spread: 2, n: 20 }, change: 0.3, score: 4.5, verdict: 'regressed', ...over,
});
const ratio = { runs: 15, graduated_runs: 14, failed_runs: 1, ratio: 14, graduated: true, needed_ratio: 10, needed_runs: 11, text: '14:1' };

async function body(m: ReturnType<typeof createMetrics>): Promise<string> {
  return (await m.metricsResponse(undefined)).body;
}

test('a run end sets regressed 0/1 and the baseline per measure; no_baseline removes both; the ratio and cost follow', async () => {
  const m = createMetrics({ collectDefaults: false });
  const run = runResult({
    tests: [testResult({ id: 't', regressions: [rec({}), rec({ measure: 'first_output', value: 0.3, baseline: { median: 0.5, spread: 0.01, n: 9 }, verdict: 'improved' }), rec({ measure: 'cost', baseline: null, verdict: 'no_baseline' })], claude: null })],
    reruns: [testResult({ id: 't', rerun_of: 't' })],
    success_ratio: ratio,
    budget: { run_cost_usd: 0, day_cost_usd: 0, max_cost_usd_per_run: null, max_cost_usd_per_day: null, exhausted_by: null, reason: null },
  });
  m.onRunEnd(run);
  const text = await body(m);
  assert.match(text, /stressd_test_regressed\{suite="demo",test="t",measure="duration"\} 1/);
  assert.match(text, /stressd_test_regressed\{suite="demo",test="t",measure="first_output"\} 0/);
  assert.match(text, /stressd_test_baseline\{suite="demo",test="t",measure="first_output"\} 0\.5/);
  // One metric per unit: both time measures in _seconds, never a byte count beside them.
  assert.match(text, /stressd_test_baseline_seconds\{suite="demo",test="t",measure="first_output"\} 0\.5/);
  assert.match(text, /stressd_test_baseline_seconds\{suite="demo",test="t",measure="duration"\} 100/);
  assert.doesNotMatch(text, /stressd_test_baseline_(bytes|ratio|usd|tokens_per_second)\{/);
  assert.doesNotMatch(text, /measure="cost"/);
  assert.match(text, /stressd_suite_success_failure_ratio\{suite="demo"\} 14/);
  assert.match(text, /stressd_suite_graduated_runs_ratio\{suite="demo"\} 0\.9333/);
  assert.match(text, /stressd_suite_graduated\{suite="demo"\} 1/);
  assert.match(text, /stressd_budget_exhausted\{suite="demo"\} 0/);
  assert.match(text, /stressd_run_cost_usd_total\{suite="demo"\} 0/);

  // The next judged run is not regressed: the gauge clears; a test that failed leaves it as it was.
  m.onRunEnd(runResult({ tests: [testResult({ id: 't', regressions: [rec({ verdict: 'unchanged' })] })] }));
  assert.match(await body(m), /stressd_test_regressed\{suite="demo",test="t",measure="duration"\} 0/);
  m.onRunEnd(runResult({ tests: [testResult({ id: 't', outcome: 'failed', reason: 'exit_nonzero' })] }));
  assert.match(await body(m), /stressd_test_regressed\{suite="demo",test="t",measure="duration"\} 0/);
});

test('re-runs and not-run tests leave the last-value gauges and the histograms alone', async () => {
  const m = createMetrics({ collectDefaults: false });
  m.onTestEnd('demo', testResult({ id: 't', duration_seconds: 2 }));
  m.onTestEnd('demo', testResult({ id: 't', duration_seconds: 9, rerun_of: 't' }));
  m.onTestEnd('demo', testResult({ id: 'u', outcome: 'not_run', reason: 'budget' }));
  const text = await body(m);
  assert.match(text, /stressd_test_last_duration_seconds\{suite="demo",test="t"\} 2/);
  assert.match(text, /stressd_test_duration_seconds_count\{suite="demo",test="t",outcome="passed"\} 1/);
  assert.doesNotMatch(text, /test="u"/);
});

test('after a restart the regression gauges and the ratio come back from history, and setSuccessRatio sets +Inf', async () => {
  const m = createMetrics({ collectDefaults: false });
  m.hydrateFromHistory([runResult({ tests: [testResult({ id: 't', regressions: [rec({})] })], success_ratio: ratio })]);
  let text = await body(m);
  assert.match(text, /stressd_test_regressed\{suite="demo",test="t",measure="duration"\} 1/);
  assert.match(text, /stressd_suite_success_failure_ratio\{suite="demo"\} 14/);
  m.setSuccessRatio('demo', { ...ratio, ratio: null, failed_runs: 0, graduated_runs: 15 });
  text = await body(m);
  assert.match(text, /stressd_suite_success_failure_ratio\{suite="demo"\} \+Inf/);
  // Its replacement is a share of the finished runs: 1 with no failure, never +Inf.
  assert.match(text, /stressd_suite_graduated_runs_ratio\{suite="demo"\} 1\n/);
  m.setSuccessRatio('demo', { ...ratio, ratio: null, runs: 0, failed_runs: 0, graduated_runs: 0 });
  assert.doesNotMatch(await body(m), /stressd_suite_graduated_runs_ratio\{/);
});

test('every measure has its baseline in the metric of its unit', async () => {
  const m = createMetrics({ collectDefaults: false });
  const byUnit: Record<string, string> = {
    duration: 'seconds', first_output: 'seconds', first_text: 'seconds', output_bytes: 'bytes', peak_memory: 'bytes',
    peak_cpu: 'ratio', cost: 'usd', tokens_per_second: 'tokens_per_second',
  };
  const regressions = Object.keys(byUnit).map((measure) => rec({ measure: measure as RegressionRecord['measure'], verdict: 'unchanged' }));
  m.onRunEnd(runResult({ tests: [testResult({ id: 't', regressions })] }));
  const text = await body(m);
  for (const [measure, unit] of Object.entries(byUnit)) {
    assert.match(text, new RegExp(`stressd_test_baseline_${unit}\\{suite="demo",test="t",measure="${measure}"\\} 100`), measure);
    for (const other of new Set(Object.values(byUnit))) {
      if (other !== unit) assert.doesNotMatch(text, new RegExp(`stressd_test_baseline_${other}\\{[^}]*measure="${measure}"`), `${measure} in _${other}`);
    }
  }
  // OpenMetrics names the unit of each that has one.
  const om = (await m.metricsResponse('application/openmetrics-text')).body;
  for (const unit of ['seconds', 'bytes', 'ratio']) assert.match(om, new RegExp(`# UNIT stressd_test_baseline_${unit} ${unit}`));
});

test('the host pressure of each test is a gauge per resource; a reading PSI-less hosts lack is left out', async () => {
  const m = createMetrics({ collectDefaults: false });
  const host_pressure = { source: 'loadavg' as const, cpu_some_share: null, memory_some_share: null, load_per_core: 2.5, steal_share: 0.02, under_pressure: true, reason: 'load 2.5 per core' };
  m.onRunEnd(runResult({ tests: [testResult({ id: 't', host_pressure })] }));
  const text = await body(m);
  assert.match(text, /stressd_test_host_pressure\{suite="demo",test="t",resource="load_per_core"\} 2\.5/);
  assert.match(text, /stressd_test_host_pressure\{suite="demo",test="t",resource="steal"\} 0\.02/);
  assert.doesNotMatch(text, /resource="cpu"/);
});

test('the capacity baselines go to their own units: sessions for capacity, arrivals per second for capacity_rate', async () => {
  const m = createMetrics({ collectDefaults: false });
  m.onRunEnd(runResult({
    tests: [testResult({ id: 't', regressions: [
      rec({ measure: 'capacity', value: 6, baseline: { median: 8, spread: 1, n: 5 }, verdict: 'regressed' }),
      rec({ measure: 'capacity_rate', value: 9.5, baseline: { median: 10.25, spread: 0.2, n: 5 }, verdict: 'unchanged' }),
    ] })],
  }));
  const text = await body(m);
  assert.match(text, /stressd_test_baseline_sessions\{suite="demo",test="t",measure="capacity"\} 8/);
  assert.match(text, /stressd_test_baseline_arrivals_per_second\{suite="demo",test="t",measure="capacity_rate"\} 10\.25/);
  assert.doesNotMatch(text, /stressd_test_baseline_sessions\{[^}]*capacity_rate/);
  assert.match(text, /stressd_test_regressed\{suite="demo",test="t",measure="capacity"\} 1/);
});
