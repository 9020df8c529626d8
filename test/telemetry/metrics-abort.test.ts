/**
 * Aborted runs and the metrics (DESIGN sections 6 and 13): a not_run test is counted nowhere, a
 * test cut short moves none of its gauges, counters or histograms, an aborted run moves no run
 * gauge; the same holds when the gauges are restored from history at start.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createMetrics, type StressdMetrics } from '../../src/telemetry/metrics.ts';
import { notRunTest } from '../../src/result/not-run.ts';
import type { RunResult, TestResult } from '../../src/result/types.ts';
import { parsePromText, samples, valueOf, type Exposition } from '../fixtures/prom-text.ts';
import { runResult, testResult } from './results.ts';

const SUITE = 'abortable';

async function scrape(metrics: StressdMetrics): Promise<Exposition> {
  return parsePromText((await metrics.metricsResponse(undefined)).body);
}

const plan = (id: string) => ({ id, name: id, description: null, category: null, command: `run ${id}`, timeout: 60 });

function finishedRun(): RunResult {
  return runResult({
    id: '20261124T100000Z-aaaa', suite: SUITE, started_at: '2026-11-24T10:00:00.000Z', ended_at: '2026-11-24T10:10:00.000Z', duration_seconds: 600,
    graduated: true,
    tests: [
      testResult({ id: 'first', output_bytes: 5_000, duration_seconds: 100 }),
      testResult({ id: 'second', output_bytes: 9_000, duration_seconds: 200 }),
      testResult({ id: 'third', output_bytes: 7_000, duration_seconds: 300 }),
    ],
  });
}

function abortedRun(): RunResult {
  const tests: TestResult[] = [
    testResult({ id: 'first', output_bytes: 6_000, duration_seconds: 110 }),
    // Cut short at 7.2 s with a fraction of its usual output.
    testResult({ id: 'second', outcome: 'error', reason: 'aborted', reason_detail: 'the run was stopped while this test ran', output_bytes: 120, duration_seconds: 7.2 }),
    notRunTest(plan('third'), '2026-11-24T11:02:00.000Z', 'not started: stressd is shutting down'),
  ];
  return runResult({
    id: '20261124T110000Z-bbbb', suite: SUITE, status: 'aborted', abort_cause: 'stressd is shutting down',
    started_at: '2026-11-24T11:00:00.000Z', ended_at: '2026-11-24T11:02:00.000Z', duration_seconds: 120, graduated: false, tests,
    tests_total: 3, tests_passed: 1,
  });
}

/** The live path: every test end, then the run end. */
function record(metrics: StressdMetrics, run: RunResult): void {
  metrics.onRunStart(run);
  for (const t of run.tests) metrics.onTestEnd(run.suite, t);
  metrics.onRunEnd(run);
}

function assertAbortMovedNothing(exp: Exposition): void {
  const second = { suite: SUITE, test: 'second' };
  assert.equal(valueOf(exp, 'stressd_test_last_output_bytes', second), 9_000, 'the cut-short test keeps its last finished output');
  assert.equal(valueOf(exp, 'stressd_test_last_duration_seconds', second), 200, 'nor its partial 7.2 s');
  assert.equal(valueOf(exp, 'stressd_test_last_success', second), 1);
  assert.equal(valueOf(exp, 'stressd_test_last_output_bytes', { suite: SUITE, test: 'third' }), 7_000, 'the not_run test keeps its gauges');
  assert.equal(valueOf(exp, 'stressd_test_last_output_bytes', { suite: SUITE, test: 'first' }), 6_000, 'a test the aborted run finished does move');
  assert.equal(valueOf(exp, 'stressd_run_last_graduated', { suite: SUITE }), 1, 'the aborted run does not set last_graduated 0');
  assert.equal(valueOf(exp, 'stressd_run_last_success_ratio', { suite: SUITE }), 1);
  assert.equal(valueOf(exp, 'stressd_run_last_duration_seconds', { suite: SUITE }), 600);
  assert.equal(valueOf(exp, 'stressd_run_last_timestamp_seconds', { suite: SUITE }), Date.parse('2026-11-24T10:10:00.000Z') / 1000);
}

describe('metrics of an aborted run', () => {
  it('live: not_run and cut-short tests move no counter, histogram or gauge; the run is counted as aborted', async () => {
    const metrics = createMetrics({ collectDefaults: false });
    record(metrics, finishedRun());
    record(metrics, abortedRun());
    const exp = await scrape(metrics);
    assertAbortMovedNothing(exp);
    assert.equal(valueOf(exp, 'stressd_runs_total', { suite: SUITE, result: 'aborted' }), 1);
    assert.equal(valueOf(exp, 'stressd_runs_total', { suite: SUITE, result: 'graduated' }), 1);
    assert.equal(valueOf(exp, 'stressd_run_in_progress', { suite: SUITE }), 0);
    const runs = (test: string) => samples(exp, 'stressd_test_runs_total', { suite: SUITE, test }).reduce((n, s) => n + s.value, 0);
    assert.deepEqual([runs('first'), runs('second'), runs('third')], [2, 1, 1], 'only tests that ran to a verdict are counted');
    assert.equal(samples(exp, 'stressd_test_runs_total', { outcome: 'not_run' }).length, 0);
    assert.equal(valueOf(exp, 'stressd_test_duration_seconds_count', { suite: SUITE, test: 'second', outcome: 'passed' }), 1);
    assert.equal(samples(exp, 'stressd_test_duration_seconds_count', { suite: SUITE, test: 'second', outcome: 'error' }).length, 0, 'no partial duration in the histogram');
    assert.equal(samples(exp, 'stressd_test_failures_total', { reason: 'aborted' }).length, 0);
  });

  it('hydrated at start: an aborted run on disk restores only the gauges of the tests it finished', async () => {
    const metrics = createMetrics({ collectDefaults: false });
    metrics.hydrateFromHistory([abortedRun(), finishedRun()]);
    const exp = await scrape(metrics);
    assertAbortMovedNothing(exp);
    assert.equal(samples(exp, 'stressd_runs_total').length, 0, 'hydration counts nothing');
  });

  it('an aborted run with nothing finished before it leaves the run gauges absent, not 0', async () => {
    const metrics = createMetrics({ collectDefaults: false });
    metrics.hydrateFromHistory([abortedRun()]);
    record(metrics, abortedRun());
    const exp = await scrape(metrics);
    for (const name of ['stressd_run_last_graduated', 'stressd_run_last_success_ratio', 'stressd_run_last_duration_seconds']) {
      assert.equal(samples(exp, name).length, 0, `${name} must be absent`);
    }
    assert.equal(samples(exp, 'stressd_test_last_output_bytes', { test: 'second' }).length, 0);
    assert.equal(samples(exp, 'stressd_test_last_output_bytes', { test: 'third' }).length, 0);
  });

  it('the success ratio of a finished run is passed over the tests that ran', async () => {
    const metrics = createMetrics({ collectDefaults: false });
    const run = runResult({
      suite: SUITE,
      tests: [
        testResult({ id: 'a' }),
        testResult({ id: 'b', outcome: 'failed', reason: 'exit_nonzero' }),
        notRunTest(plan('c'), '2026-11-24T10:15:05.000Z', 'the day budget is spent', 'budget'),
      ],
    });
    record(metrics, run);
    assert.equal(valueOf(await scrape(metrics), 'stressd_run_last_success_ratio', { suite: SUITE }), 0.5);
  });
});
