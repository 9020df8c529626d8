/**
 * stressd_test_inter_chunk_gap_seconds holds every gap of every test, added in bulk from the
 * runner's counts when a test ends, and renders as a true histogram in both exposition formats.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { GAP_BUCKETS } from '../../src/result/gap-buckets.ts';
import { StreamTimer } from '../../src/runner/timing.ts';
import type { TestResult } from '../../src/result/types.ts';
import { BulkHistogram } from '../../src/telemetry/bulk-histogram.ts';
import { createMetrics, type StressdMetrics } from '../../src/telemetry/metrics.ts';
import { parsePromText, samples, valueOf, type Exposition } from '../fixtures/prom-text.ts';
import { gapHistogram, runResult, testResult } from './results.ts';

const GAP = 'stressd_test_inter_chunk_gap_seconds';
const T = { suite: 'complex', test: 'python_checklist' };
const FORMATS = { classic: undefined, openmetrics: 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5' };

function quiet(): { warnings: unknown[]; metrics: StressdMetrics } {
  const warnings: unknown[] = [];
  return { warnings, metrics: createMetrics({ collectDefaults: false, logger: { warn: (obj) => warnings.push(obj) } }) };
}

async function scrape(metrics: StressdMetrics, accept: string | undefined): Promise<Exposition> {
  const res = await metrics.metricsResponse(accept);
  assert.equal(res.status, 200);
  const exp = parsePromText(res.body);
  assert.equal(exp.eof, accept !== undefined, 'OpenMetrics ends with # EOF, classic text does not');
  return exp;
}

/** A test as the runner reports it: first output after 300 ms, then `lines - 1` lines 50 ms apart after a 300 ms pause. */
function pacedTest(lines: number, overrides: Partial<TestResult> = {}): TestResult {
  const timer = new StreamTimer();
  let at = 300;
  timer.onLine(at, 80);
  at += 300;
  for (let i = 1; i < lines; i++, at += 50) timer.onLine(at, 80);
  timer.onEnd(at);
  const stream = timer.result({ sentAt: 0, firstTextAt: null, outputTokens: null, completed: true });
  return testResult({ stream, ...overrides });
}

/** Cumulative bucket values by `le`, as scraped. */
function buckets(exp: Exposition, labels: Record<string, string>): Map<string, number> {
  return new Map(samples(exp, `${GAP}_bucket`, labels).map((s) => [s.labels.le ?? '', s.value]));
}

describe('inter-chunk gap histogram', () => {
  for (const [format, accept] of Object.entries(FORMATS)) {
    it(`holds every gap of a test paced at 300 ms then 50 ms, in exact buckets (${format})`, async () => {
      const { metrics, warnings } = quiet();
      metrics.onTestEnd('complex', pacedTest(21)); // one 300 ms gap, nineteen of 50 ms
      const exp = await scrape(metrics, accept);
      assert.equal(exp.families.get(GAP)?.type, 'histogram');
      const got = buckets(exp, T);
      const want = new Map<string, number>([...GAP_BUCKETS.map((b) => [String(b), b < 0.05 ? 0 : b < 0.3 ? 19 : 20] as [string, number]), ['+Inf', 20]]);
      assert.deepEqual(got, want, 'the 50 ms gaps sit exactly on le="0.05" and are counted there');
      assert.equal(valueOf(exp, `${GAP}_count`, T), 20);
      assert.equal(valueOf(exp, `${GAP}_sum`, T), 1.25);
      for (const s of samples(exp, `${GAP}_bucket`)) assert.deepEqual(Object.keys(s.labels).sort(), ['le', 'suite', 'test'], 'no stat label');
      assert.deepEqual(warnings, []);
    });
  }

  it('adds up over tests of the same series and keeps other tests and categories apart', async () => {
    const { metrics } = quiet();
    metrics.onTestEnd('complex', pacedTest(21));
    metrics.onTestEnd('complex', pacedTest(11));
    metrics.onTestEnd('complex', pacedTest(3, { id: 'other', category: 'stream' }));
    for (const accept of Object.values(FORMATS)) {
      const exp = await scrape(metrics, accept);
      assert.equal(valueOf(exp, `${GAP}_count`, T), 30);
      assert.equal(valueOf(exp, `${GAP}_bucket`, { ...T, le: '0.05' }), 28);
      assert.equal(valueOf(exp, `${GAP}_bucket`, { ...T, le: '0.5' }), 30);
      assert.equal(valueOf(exp, `${GAP}_sum`, T), 2.0);
      const other = { suite: 'complex', test: 'other', category: 'stream' };
      assert.equal(valueOf(exp, `${GAP}_count`, other), 2);
      assert.equal(valueOf(exp, `${GAP}_sum`, other), 0.35);
    }
  });

  it('puts a gap exactly on each bound in that bucket, and one just above in the next', async () => {
    const { metrics } = quiet();
    const onBound = GAP_BUCKETS.map((b) => Math.round(b * 2000) / 2);
    metrics.onTestEnd('complex', testResult({ id: 'on', stream: { ...testResult().stream, gap_histogram: gapHistogram(onBound) } }));
    metrics.onTestEnd('complex', testResult({ id: 'above', stream: { ...testResult().stream, gap_histogram: gapHistogram(onBound.map((ms) => ms * (1 + 1e-9))) } }));
    const exp = await scrape(metrics, FORMATS.openmetrics);
    GAP_BUCKETS.forEach((b, i) => {
      assert.equal(valueOf(exp, `${GAP}_bucket`, { suite: 'complex', test: 'on', le: String(b) }), i + 1, `le=${b}`);
      assert.equal(valueOf(exp, `${GAP}_bucket`, { suite: 'complex', test: 'above', le: String(b) }), i, `just above, le=${b}`);
    });
    assert.equal(valueOf(exp, `${GAP}_bucket`, { suite: 'complex', test: 'above', le: '+Inf' }), GAP_BUCKETS.length);
  });

  it('starts a test without gaps at zero, and adds nothing for a result that has no gap histogram', async () => {
    const { metrics, warnings } = quiet();
    metrics.onTestEnd('complex', pacedTest(1));
    const { gap_histogram: _absent, ...older } = testResult().stream;
    metrics.onTestEnd('complex', testResult({ id: 'older', stream: older }));
    const exp = await scrape(metrics, undefined);
    assert.equal(valueOf(exp, `${GAP}_count`, T), 0);
    assert.equal(valueOf(exp, `${GAP}_bucket`, { ...T, le: '+Inf' }), 0);
    assert.equal(samples(exp, `${GAP}_count`, { test: 'older' }).length, 0);
    assert.deepEqual(warnings, []);
  });

  it('refuses counts at other bounds with a warning and leaves the series as it was', async () => {
    const { metrics, warnings } = quiet();
    metrics.onTestEnd('complex', pacedTest(3));
    const foreign = { bounds: [0.1, 1], counts: [5, 0, 0], sum: 0.25, count: 5 };
    metrics.onTestEnd('complex', testResult({ stream: { ...testResult().stream, gap_histogram: foreign } }));
    const inconsistent = { ...gapHistogram([50]), count: 7 };
    metrics.onTestEnd('complex', testResult({ stream: { ...testResult().stream, gap_histogram: inconsistent } }));
    assert.equal(warnings.length, 2);
    const exp = await scrape(metrics, undefined);
    assert.equal(valueOf(exp, `${GAP}_count`, T), 2);
    assert.equal(valueOf(exp, 'stressd_test_runs_total', { ...T, outcome: 'passed' }), 3, 'the rest of the test is still recorded');
  });

  it('is not replayed from history: after a restart it starts at zero', async () => {
    const { metrics } = quiet();
    metrics.hydrateFromHistory([runResult({ tests: [pacedTest(21)] })]);
    const exp = await scrape(metrics, undefined);
    assert.equal(samples(exp, `${GAP}_count`).length, 0);
    assert.equal(valueOf(exp, 'stressd_test_last_gap_max_seconds', T), 0.3, 'the last-value gauges are restored');
  });

  it('can be removed per series and reset by the registry', async () => {
    const registry = new Registry();
    const h = new BulkHistogram({ name: 'x_seconds', help: 'x', labelNames: ['t'], buckets: [1, 2] }).registerOn(registry);
    h.add({ t: 'a' }, { bounds: [1, 2], counts: [1, 0, 1], sum: 3.5, count: 2 });
    h.add({ t: 'b' }, { bounds: [1, 2], counts: [0, 1, 0], sum: 1.5, count: 1 });
    h.remove({ t: 'a' });
    let exp = parsePromText(await registry.metrics());
    assert.deepEqual(samples(exp, 'x_seconds_count').map((s) => s.labels.t), ['b']);
    registry.resetMetrics();
    exp = parsePromText(await registry.metrics());
    assert.equal(samples(exp, 'x_seconds_count').length, 0);
    assert.throws(() => h.add({ le: '1' } as never, { bounds: [1, 2], counts: [0, 0, 0], sum: 0, count: 0 }), /unknown label le/);
    assert.throws(() => new BulkHistogram({ name: 'y', help: 'y', labelNames: [], buckets: [2, 1] }), /ascending/);
  });
});
