/** The report's "Compared with the baseline" and "Over runs" sections, from fixture results. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { baselineSection, changeText, measureValue, overRunsSection } from '../../src/report/baseline-section.ts';
import type { RegressionRecord } from '../../src/result/types.ts';
import { runResult, testResult } from '../fixtures/run-result.ts';

const rec = (over: Partial<RegressionRecord>): RegressionRecord => ({
  measure: 'duration', value: 130, baseline: { median: 100, spread: 2.2, n: 20 }, change: 0.3, score: 4.5, verdict: 'regressed', ...over,
});

test('a table row per measure: value, baseline median ± spread (n), change with its arrow, verdict with re-runs', () => {
  const run = runResult({
    tests: [testResult({ id: 'essay', regressions: [
      rec({ reruns: [128] }),
      rec({ measure: 'output_bytes', value: 8192, baseline: { median: 40960, spread: 1024, n: 7 }, change: -0.8, score: 9, verdict: 'noise', reruns: [40000] }),
      rec({ measure: 'first_output', value: 0.2, baseline: { median: 0.5, spread: 0.01, n: 20 }, change: -0.6, score: -30, verdict: 'improved' }),
      rec({ measure: 'cost', value: 0.02, baseline: null, change: null, score: null, verdict: 'no_baseline' }),
    ] })],
  });
  const md = baselineSection(run);
  assert.match(md, /^## Compared with the baseline/);
  assert.match(md, /\*\*Confirmed regressions: essay duration\.\*\*/);
  assert.match(md, /\| `essay` \| duration \| 2m 10s \(130\.0 s\) \| 1m 40s \(100\.0 s\) ± 2\.2 s \(20\) \| ↑ \+30\.0% \| \*\*regressed\*\*; re-runs: 2m 8s \(128\.0 s\) \|/);
  assert.match(md, /\| output size \| 8\.0 KiB \| 40\.0 KiB ± 1\.0 KiB \(7\) \| ↓ -80\.0% \| noise \(re-runs did not confirm\); re-runs: 39\.1 KiB \|/);
  assert.match(md, /\| first output \| 0\.20 s \| 0\.50 s ± 0\.01 s \(20\) \| ↓ -60\.0% \| improved \|/);
  assert.match(md, /\| cost \| \$0\.0200 \| – \| – \| no baseline yet \|/);
});

test('without judged tests the section says why; re-runs are listed when there are some', () => {
  assert.match(baselineSection(runResult()), /No test was compared/);
  const rerun = testResult({ id: 'essay', rerun_of: 'essay', duration_seconds: 128, log_path: '/r/essay.rerun-1.log' });
  const md = baselineSection(runResult({ tests: [testResult({ id: 'essay', regressions: [rec({})] })], reruns: [rerun] }));
  assert.match(md, /Re-runs:\n\n- `essay`: passed in 2m 8s \(128\.0 s\) \(log `\/r\/essay\.rerun-1\.log`\)/);
});

test('arrows follow the direction of the value, whatever the verdict', () => {
  assert.equal(changeText({ value: 90, baseline: { median: 100, spread: 1, n: 5 }, change: -0.1 }), '↓ -10.0%');
  assert.equal(changeText({ value: 100, baseline: { median: 100, spread: 1, n: 5 }, change: 0 }), '→ 0.0%');
  assert.equal(changeText({ value: 3, baseline: { median: 0, spread: 0, n: 5 }, change: null }), '↑');
  assert.equal(measureValue('peak_cpu', 1.5), '150.0%');
});

test('over runs: the success/failure ratio line and the budget, exhausted or not', () => {
  const text = 'Success/Failure ratio 14:1 over 15 runs — ratio met, needs 10:1';
  const md = overRunsSection(runResult({
    success_ratio: { runs: 15, graduated_runs: 14, failed_runs: 1, ratio: 14, graduated: true, needed_ratio: 10, needed_runs: 11, text },
    budget: { run_cost_usd: 1.2, day_cost_usd: 3.4, max_cost_usd_per_run: 1, max_cost_usd_per_day: null, exhausted_by: 'run', reason: 'run budget $1.00 spent ($1.20 so far)' },
  }));
  assert.match(md, /Success\/Failure ratio 14:1 over 15 runs — ratio met, needs 10:1\./);
  assert.match(md, /Cost: \$1\.2000 this run \(budget \$1\.00\), \$3\.4000 today, UTC \(budget unlimited\)\./);
  assert.match(md, /\*\*Budget exhausted \(run\): run budget \$1\.00 spent \(\$1\.20 so far\)\. Tests after it did not run\.\*\*/);
  assert.match(overRunsSection(runResult()), /not computed/);
});
