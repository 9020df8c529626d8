/** A capacity search's step gauges and the open model's dropped arrivals, read back from a scrape. */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { createMetrics } from '../../src/telemetry/metrics.ts';
import type { LoadResult } from '../../src/result/types.ts';
import { parsePromText, samples, valueOf } from '../fixtures/prom-text.ts';
import { capacitySearch, rateSearch, rateStep, searchLoad, step } from '../fixtures/capacity/search.ts';
import { runResult, testResult } from './results.ts';

const L = { suite: 's', test: 'cap' };

async function scrape(metrics: ReturnType<typeof createMetrics>): Promise<ReturnType<typeof parsePromText>> {
  return parsePromText((await metrics.metricsResponse(undefined)).body);
}

function openLoad(dropped: number): LoadResult {
  const load: LoadResult = { ...searchLoad(), mode: 'rate', sessions: 20, dropped };
  delete load.search;
  return load;
}

it('sets one series per level of the search: first output p95, error ratio and held; the capacity beside them', async () => {
  const metrics = createMetrics({ collectDefaults: false });
  metrics.onTestEnd('s', testResult({ id: 'cap', category: null, load: searchLoad() }));
  const exp = await scrape(metrics);
  assert.equal(valueOf(exp, 'stressd_test_capacity_sessions', L), 6);
  const p95 = samples(exp, 'stressd_test_capacity_step_first_output_p95_seconds', L);
  assert.deepEqual(p95.map((x) => x.labels.level).sort((a, b) => Number(a) - Number(b)), ['1', '2', '4', '6', '7', '8']);
  assert.equal(valueOf(exp, 'stressd_test_capacity_step_first_output_p95_seconds', { ...L, level: '8' }), 4.1);
  assert.equal(valueOf(exp, 'stressd_test_capacity_step_held', { ...L, level: '6' }), 1);
  assert.equal(valueOf(exp, 'stressd_test_capacity_step_held', { ...L, level: '7' }), 0);
  assert.equal(valueOf(exp, 'stressd_test_capacity_step_error_ratio', { ...L, level: '7' }), 0);
});

it('a new search replaces the levels of the last one; a run without a search removes them', async () => {
  const metrics = createMetrics({ collectDefaults: false });
  metrics.onTestEnd('s', testResult({ id: 'cap', category: null, load: searchLoad() }));
  const next = capacitySearch({ held: 2, broke: 3, steps: [step(1, 0.2, 0.3), step(2, 0.3, 1), step(4, 1, 3), step(3, 1, 2.5, { error_ratio: 0.2 })] });
  metrics.onTestEnd('s', testResult({ id: 'cap', category: null, load: searchLoad(next) }));
  let exp = await scrape(metrics);
  assert.deepEqual(samples(exp, 'stressd_test_capacity_step_held', L).map((x) => x.labels.level).sort(), ['1', '2', '3', '4']);
  assert.equal(valueOf(exp, 'stressd_test_capacity_step_error_ratio', { ...L, level: '3' }), 0.2);
  assert.equal(valueOf(exp, 'stressd_test_capacity_sessions', L), 2);
  metrics.onTestEnd('s', testResult({ id: 'cap', category: null }));
  exp = await scrape(metrics);
  for (const name of ['stressd_test_capacity_step_held', 'stressd_test_capacity_step_error_ratio', 'stressd_test_capacity_step_first_output_p95_seconds', 'stressd_test_capacity_sessions']) {
    assert.equal(samples(exp, name, L).length, 0, name);
  }
});

it('a step with no first output has no p95 series, its error ratio and held still set', async () => {
  const metrics = createMetrics({ collectDefaults: false });
  const search = capacitySearch({ held: 0, broke: 1, steps: [step(1, null, null, { error_ratio: 1, held: false })] });
  metrics.onTestEnd('s', testResult({ id: 'cap', category: null, load: searchLoad(search) }));
  const exp = await scrape(metrics);
  assert.equal(samples(exp, 'stressd_test_capacity_step_first_output_p95_seconds', L).length, 0);
  assert.equal(valueOf(exp, 'stressd_test_capacity_step_error_ratio', { ...L, level: '1' }), 1);
  assert.equal(valueOf(exp, 'stressd_test_capacity_step_held', { ...L, level: '1' }), 0);
});

it('hydration from history restores the latest search\'s steps', async () => {
  const metrics = createMetrics({ collectDefaults: false });
  metrics.hydrateFromHistory([runResult({ suite: 's', tests: [testResult({ id: 'cap', category: null, load: searchLoad() })] })]);
  const exp = await scrape(metrics);
  assert.equal(samples(exp, 'stressd_test_capacity_step_held', L).length, 6);
});

it('counts the open model\'s dropped arrivals, from 0 for an open-model test of a declared suite', async () => {
  const metrics = createMetrics({ collectDefaults: false });
  metrics.declareSuite('s', [{ id: 'open', load: { rate: 10 } }, { id: 'ramp', load: { stages: [{ rate: 5 }] } }, { id: 'closed', load: { stages: [{}] } }, { id: 'plain' }]);
  let exp = await scrape(metrics);
  assert.equal(valueOf(exp, 'stressd_load_dropped_total', { suite: 's', test: 'open' }), 0);
  assert.equal(valueOf(exp, 'stressd_load_dropped_total', { suite: 's', test: 'ramp' }), 0);
  assert.equal(samples(exp, 'stressd_load_dropped_total', { test: 'closed' }).length, 0, 'a closed model drops nothing: no series');
  assert.equal(samples(exp, 'stressd_load_dropped_total', { test: 'plain' }).length, 0);
  metrics.onTestEnd('s', testResult({ id: 'open', category: null, load: openLoad(7) }));
  metrics.onTestEnd('s', testResult({ id: 'open', category: null, load: openLoad(3) }));
  // A search is the closed model: nothing to count.
  metrics.onTestEnd('s', testResult({ id: 'cap', category: null, load: searchLoad() }));
  exp = await scrape(metrics);
  assert.equal(valueOf(exp, 'stressd_load_dropped_total', { suite: 's', test: 'open' }), 10);
  assert.equal(samples(exp, 'stressd_load_dropped_total', { test: 'cap' }).length, 0);
});

it('a search over rate labels each step with its rate: steps with the same sessions in flight never share a series', async () => {
  const metrics = createMetrics({ collectDefaults: false });
  metrics.onTestEnd('s', testResult({ id: 'cap', category: null, load: searchLoad(rateSearch()) }));
  let exp = await scrape(metrics);
  const held = samples(exp, 'stressd_test_capacity_step_held', L);
  assert.deepEqual(held.map((x) => x.labels.level).sort((a, b) => Number(a) - Number(b)), ['1.5', '3', '6', '9', '9.75', '10.5', '12']);
  assert.equal(valueOf(exp, 'stressd_test_capacity_step_held', { ...L, level: '9.75' }), 1);
  assert.equal(valueOf(exp, 'stressd_test_capacity_step_held', { ...L, level: '10.5' }), 0);
  assert.equal(valueOf(exp, 'stressd_test_capacity_step_first_output_p95_seconds', { ...L, level: '3' }), 0.13);
  assert.equal(valueOf(exp, 'stressd_test_capacity_step_first_output_p95_seconds', { ...L, level: '1.5' }), 0.12);
  assert.equal(valueOf(exp, 'stressd_test_capacity_step_error_ratio', { ...L, level: '12' }), 0.4);
  assert.equal(valueOf(exp, 'stressd_test_capacity_arrivals_per_second', L), 9.75);
  assert.equal(samples(exp, 'stressd_test_capacity_step_held', { ...L, level: '1' }).length, 0, 'no series by sessions in flight');
  // The next rate search replaces them all.
  const next = rateSearch({ held: 3, broke: 6, steps: [rateStep(1.5, 1, 0, 0.1, 0.2), rateStep(3, 1, 0, 0.1, 0.3), rateStep(6, 1, 9, 0.2, 0.4)] });
  metrics.onTestEnd('s', testResult({ id: 'cap', category: null, load: searchLoad(next) }));
  exp = await scrape(metrics);
  assert.deepEqual(samples(exp, 'stressd_test_capacity_step_held', L).map((x) => x.labels.level).sort((a, b) => Number(a) - Number(b)), ['1.5', '3', '6']);
  assert.equal(valueOf(exp, 'stressd_test_capacity_step_held', { ...L, level: '6' }), 0);
});
