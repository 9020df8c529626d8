/**
 * Counters are created at 0 for every label set the daemon knows at start, so that increase()
 * counts the first event after a restart; declaring twice, or after events, changes no value.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createMetrics } from '../../src/telemetry/metrics.ts';
import { parsePromText, samples, valueOf } from '../fixtures/prom-text.ts';
import { testResult } from './results.ts';

async function scrape(metrics: ReturnType<typeof createMetrics>): Promise<ReturnType<typeof parsePromText>> {
  return parsePromText((await metrics.metricsResponse(undefined)).body);
}

describe('counters at zero for every known label set', () => {
  it('creates every test × outcome and reason, and every suite series, at 0', async () => {
    const metrics = createMetrics({ collectDefaults: false });
    metrics.declareSuite('s', [{ id: 'a', category: 'long' }, { id: 'b', category: null }]);
    const exp = await scrape(metrics);
    for (const outcome of ['passed', 'failed', 'timeout', 'error']) {
      assert.equal(valueOf(exp, 'stressd_test_runs_total', { suite: 's', test: 'a', category: 'long', outcome }), 0);
      assert.equal(valueOf(exp, 'stressd_test_runs_total', { suite: 's', test: 'b', outcome }), 0);
    }
    assert.equal(samples(exp, 'stressd_test_runs_total', { outcome: 'not_run' }).length, 0, 'a not_run test counts nowhere');
    assert.equal(samples(exp, 'stressd_test_failures_total', { suite: 's', test: 'a' }).length, 11);
    assert.equal(samples(exp, 'stressd_test_failures_total', { reason: 'aborted' }).length, 0, 'a test cut short counts nowhere');
    assert.equal(valueOf(exp, 'stressd_test_failures_total', { suite: 's', test: 'b', reason: 'pattern_miss' }), 0);
    for (const result of ['graduated', 'not_graduated', 'aborted']) assert.equal(valueOf(exp, 'stressd_runs_total', { suite: 's', result }), 0);
    for (const cause of ['overlap', 'busy_api']) assert.equal(valueOf(exp, 'stressd_run_skipped_total', { suite: 's', cause }), 0);
    for (const name of ['stressd_run_queued_total', 'stressd_run_cost_usd_total', 'stressd_log_write_errors_total', 'stressd_report_write_errors_total']) {
      assert.equal(valueOf(exp, name, { suite: 's' }), 0, name);
    }
    assert.equal(valueOf(exp, 'stressd_test_cost_usd_total', { suite: 's', test: 'a', category: 'long' }), 0);
    assert.equal(samples(exp, 'stressd_test_runs_total', { test: 'b' }).filter((x) => 'category' in x.labels).length, 0, 'no category label without a category');
  });

  it('leaves counted events alone when declared again', async () => {
    const metrics = createMetrics({ collectDefaults: false });
    metrics.declareSuite('s', [{ id: 'a' }]);
    metrics.onTestEnd('s', testResult({ id: 'a', category: null, outcome: 'failed', reason: 'exit_nonzero' }));
    metrics.declareSuite('s', [{ id: 'a' }]);
    const exp = await scrape(metrics);
    assert.equal(valueOf(exp, 'stressd_test_runs_total', { suite: 's', test: 'a', outcome: 'failed' }), 1);
    assert.equal(valueOf(exp, 'stressd_test_failures_total', { suite: 's', test: 'a', reason: 'exit_nonzero' }), 1);
    assert.equal(valueOf(exp, 'stressd_test_runs_total', { suite: 's', test: 'a', outcome: 'passed' }), 0);
  });
});
