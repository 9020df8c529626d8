import assert from 'node:assert/strict';
import { test } from 'node:test';
import { confirm, confirmAll, judgeTest } from '../../src/analysis/index.ts';
import type { RegressionRecord } from '../../src/result/types.ts';
import { durationHistory, passed, REGRESSION, run, STEADY, SUITE } from '../fixtures/analysis/history.ts';

const history = durationHistory('essay', STEADY);
const judge = (duration: number, h = history) => judgeTest(passed('essay', duration), h, { suite: SUITE, ...REGRESSION, runId: 'current' });
const durationOf = (records: RegressionRecord[]): RegressionRecord | undefined => records.find((r) => r.measure === 'duration');

test('a slower run is suspected, and slow re-runs confirm it as regressed (the evidence pooled)', () => {
  const j = judge(130);
  assert.equal(j.suspects.length, 1);
  const [suspect] = j.suspects;
  assert.equal(suspect?.record.measure, 'duration');
  assert.deepEqual(suspect?.record.baseline, { median: 100, spread: suspect?.record.baseline?.spread, n: 20 });
  assert.ok(Math.abs((suspect?.record.change ?? 0) - 0.3) < 1e-9);
  assert.ok((suspect?.record.score ?? 0) > 1, 'beyond the boundary');
  // One slow re-run is not enough: each value's share is capped, so two values cannot reach the bound.
  assert.equal(confirm(suspect!, [passed('essay', 128)]).verdict, 'inconclusive');
  const final = confirm(suspect!, [passed('essay', 128), passed('essay', 131)]);
  assert.equal(final.verdict, 'regressed');
  assert.deepEqual(final.reruns, [128, 131]);
  assert.ok((final.evidence ?? 0) >= 8);
});

test('a slow run whose re-run is back to normal is dismissed as noise', () => {
  const j = judge(130);
  const records = confirmAll(j, [passed('essay', 101), passed('essay', 99)]);
  assert.equal(durationOf(records)?.verdict, 'noise');
  // The other measures were never suspects and keep their verdicts.
  assert.ok(records.filter((r) => r.measure !== 'duration').every((r) => r.verdict === 'unchanged'));
});

test('a re-run that measured nothing cannot confirm: inconclusive (sequential), noise (the one-re-run models)', () => {
  const [suspect] = judge(130).suspects;
  const none = confirm(suspect!, []);
  assert.equal(none.verdict, 'inconclusive');
  assert.match(none.reason ?? '', /between its bounds/);
  const [legacy] = judgeTest(passed('essay', 130), history, { suite: SUITE, ...REGRESSION, runId: 'current', model: 'mad' }).suspects;
  assert.equal(confirm(legacy!, []).verdict, 'noise');
});

test('one huge re-run cannot decide alone: its share of the evidence is capped', () => {
  const [suspect] = judge(130).suspects;
  const huge = confirm(suspect!, [passed('essay', 1000)]);
  assert.equal(huge.verdict, 'inconclusive');
  assert.ok((huge.evidence ?? Infinity) <= 6, 'two values at the cap stay under the bound');
});

test('a clearly faster run is improved without any re-run', () => {
  const j = judge(70);
  assert.equal(j.suspects.length, 0);
  assert.equal(durationOf(j.records)?.verdict, 'improved');
});

test('a change inside the floors is unchanged even when the baseline is very tight', () => {
  const tight = durationHistory('essay', Array.from({ length: 10 }, () => 100));
  // +0.9 s: beyond a zero-width boundary, but under duration's 1 s floor and the 10 % floor.
  assert.equal(durationOf(judge(100.9, tight).records)?.verdict, 'unchanged');
  // +8 %: past 1 s but under min_change 0.1.
  assert.equal(durationOf(judge(108, tight).records)?.verdict, 'unchanged');
  assert.equal(durationOf(judge(112, tight).records)?.verdict, 'regressed');
});

test('too few comparable runs give no_baseline and never a suspect', () => {
  const j = judge(500, durationHistory('essay', [100, 101, 99, 100]));
  assert.equal(j.suspects.length, 0);
  assert.deepEqual(durationOf(j.records), { measure: 'duration', value: 500, baseline: null, change: null, score: null, verdict: 'no_baseline' });
});

test('only passed runs of the same suite, test and command text make the baseline', () => {
  const mixed = [
    ...durationHistory('essay', [100, 100, 100]),
    run(10, [passed('essay', 300, { outcome: 'failed', reason: 'pattern_miss' })]),
    run(11, [passed('essay', 300, { command: 'claude -p "another prompt"' })]),
    run(12, [passed('essay', 300)], { suite: 'other' }),
    run(13, [passed('other-test', 300)]),
    run(14, [passed('essay', 300)], { id: 'current' }),
  ];
  const j = judgeTest(passed('essay', 100), mixed, { suite: SUITE, ...REGRESSION, runId: 'current', min_runs: 3 });
  assert.deepEqual(durationOf(j.records)?.baseline?.n, 3);
  assert.equal(durationOf(j.records)?.baseline?.median, 100);
});

test('the window keeps the newest runs only', () => {
  const h = durationHistory('essay', [...Array.from({ length: 10 }, () => 50), ...Array.from({ length: 5 }, () => 100)]);
  const j = judgeTest(passed('essay', 100), h, { suite: SUITE, ...REGRESSION, window_runs: 5 });
  assert.equal(durationOf(j.records)?.baseline?.median, 100);
  assert.equal(durationOf(j.records)?.baseline?.n, 5);
});

test('a measure the run did not measure gets no record; a failed test is not judged', () => {
  const j = judgeTest(passed('essay', 100, { resources: { measured: false, why: 'remote' } }), history, { suite: SUITE, ...REGRESSION });
  assert.equal(j.records.some((r) => r.measure === 'peak_memory' || r.measure === 'peak_cpu'), false);
  assert.deepEqual(judgeTest(passed('essay', 300, { outcome: 'timeout' }), history, { suite: SUITE, ...REGRESSION }), { records: [], suspects: [], why: {} });
});

test('lower is bad for output size: a much shorter answer is a suspect', () => {
  const h = STEADY.map((_, i) => run(i, [passed('essay', 100, { output_bytes: 200_000 + i * 100 })]));
  const j = judgeTest(passed('essay', 100, { output_bytes: 100_000 }), h, { suite: SUITE, ...REGRESSION });
  assert.deepEqual(j.suspects.map((s) => s.record.measure), ['output_bytes']);
  assert.ok((j.suspects[0]?.record.score ?? 0) > 1);
});

test('every model judges the same clear regression the same way', () => {
  for (const model of ['mad', 'iqr', 'percentile', 't', 'mann_whitney'] as const) {
    const j = judgeTest(passed('essay', 150), history, { suite: SUITE, ...REGRESSION, model });
    const [suspect] = j.suspects;
    assert.equal(suspect?.record.measure, 'duration', model);
    assert.equal(confirm(suspect!, [passed('essay', 149)]).verdict, 'regressed', model);
    assert.equal(confirm(suspect!, [passed('essay', 100)]).verdict, 'noise', model);
  }
});

test('the config accepts exactly the models analysis implements', async () => {
  const { RegressionSchema } = await import('../../src/config/schema.ts');
  const configured = RegressionSchema.shape.model.unwrap().options;
  const { MODELS } = await import('../../src/analysis/models.ts');
  assert.deepEqual([...configured].sort(), Object.keys(MODELS).sort());
});

test('a two-mode test: a value in the known second mode is not a suspect, a shift of the main mode is', () => {
  // Every fifth run takes a tool call and lasts ×1.5: two modes around 100 s and 150 s.
  const twoMode = Array.from({ length: 40 }, (_, i) => (i % 5 === 4 ? 150 : 100) * (1 + ((i * 7) % 5 - 2) / 100));
  const h = durationHistory('essay', twoMode);
  const second = judge(152, h);
  assert.equal(second.suspects.length, 0, 'the second mode is expected');
  assert.equal(durationOf(second.records)?.verdict, 'unchanged');
  const shifted = judge(125, h);
  assert.equal(shifted.suspects.length, 1, 'the main mode moved +25 %');
  assert.equal(confirm(shifted.suspects[0]!, [passed('essay', 124), passed('essay', 127)]).verdict, 'regressed');
});
