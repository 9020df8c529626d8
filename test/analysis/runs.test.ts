import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mayStartTest, successRatio } from '../../src/analysis/index.ts';
import { passed, RATIO, run, SUITE } from '../fixtures/analysis/history.ts';

const runs = (graduated: number, failed: number, aborted = 0) => [
  ...Array.from({ length: graduated }, (_, i) => run(i, [passed('a', 10)], { graduated: true })),
  ...Array.from({ length: failed }, (_, i) => run(100 + i, [passed('a', 10)], { graduated: false })),
  ...Array.from({ length: aborted }, (_, i) => run(200 + i, [passed('a', 10)], { graduated: false, status: 'aborted' })),
];

test('14 graduated runs and 1 failure graduate the suite over runs, in the words of the report', () => {
  const r = successRatio(runs(14, 1), SUITE, RATIO);
  assert.equal(r.ratio, 14);
  assert.equal(r.graduated, true);
  assert.equal(r.text, 'Success/Failure ratio 14:1 over 15 runs — ratio met, needs 10:1');
});

test('no failure is an infinite ratio, but graduation still needs 11 runs', () => {
  const few = successRatio(runs(5, 0), SUITE, RATIO);
  assert.equal(few.ratio, Infinity);
  assert.equal(few.graduated, false);
  assert.equal(few.text, 'Success/Failure ratio 5:0 over 5 runs — ratio not met, needs 10:1 over at least 11 runs');
  assert.equal(successRatio(runs(11, 0), SUITE, RATIO).graduated, true);
});

test('a ratio under 10:1 does not graduate; aborted runs and other suites are left out', () => {
  const r = successRatio([...runs(18, 2, 7), run(300, [], { suite: 'other', graduated: false })], SUITE, RATIO);
  assert.deepEqual([r.runs, r.graduated_runs, r.failed_runs, r.ratio, r.graduated], [20, 18, 2, 9, false]);
  assert.equal(r.text, 'Success/Failure ratio 18:2 (9:1) over 20 runs — ratio not met, needs 10:1');
});

test('partial runs (`--only`) are not counted, failed or graduated, and do not use up the window', () => {
  const partials = [run(400, [passed('a', 10)], { graduated: false, only: ['a'] }), run(401, [passed('a', 10)], { graduated: true, only: ['a'] })];
  const r = successRatio([...runs(3, 0), ...partials], SUITE, { ...RATIO, ratio_window_runs: 3 });
  assert.deepEqual([r.runs, r.graduated_runs, r.failed_runs], [3, 3, 0]);
  assert.equal(r.text, 'Success/Failure ratio 3:0 over 3 runs — ratio not met, needs 10:1 over at least 11 runs');
});

test('the window keeps the newest runs: old failures fall out of it', () => {
  // Failures are runs 100..101 (newest); with a window of 2 only they count.
  assert.equal(successRatio(runs(30, 2), SUITE, { ...RATIO, ratio_window_runs: 2 }).ratio, 0);
  assert.equal(successRatio(runs(0, 0), SUITE, RATIO).ratio, 0);
});

const cost = (usd: number) => passed('a', 10, { claude: { ...passed('a', 1).claude!, total_cost_usd: usd } });
const now = new Date('2026-11-30T12:00:00Z');

test('the run budget stops new tests once spent, counting re-runs too', () => {
  const base = { suite: SUITE, runId: 'r', history: [], now, settings: { max_cost_usd_per_run: 1 } };
  assert.equal(mayStartTest({ ...base, finished: [cost(0.4), cost(0.5)] }).allowed, true);
  const d = mayStartTest({ ...base, finished: [cost(0.4), cost(0.5), cost(0.2)] });
  assert.deepEqual([d.allowed, d.exhausted_by], [false, 'run']);
  assert.match(d.reason ?? '', /run budget \$1\.00 spent \(\$1\.10 so far\)/);
  assert.equal(mayStartTest({ ...base, finished: [cost(0.5)], nextTestEstimate: 0.6 }).allowed, false);
});

test("the day budget counts today's earlier runs of the suite (UTC day), not yesterday's or other suites'", () => {
  const history = [
    run(0, [cost(3)], { started_at: '2026-11-30T01:00:00Z' }),
    run(1, [cost(50)], { started_at: '2026-11-29T23:59:00Z' }),
    run(2, [cost(50)], { started_at: '2026-11-30T02:00:00Z', suite: 'other' }),
  ];
  const base = { suite: SUITE, runId: 'r', history, now, settings: { max_cost_usd_per_day: 5 } };
  const ok = mayStartTest({ ...base, finished: [cost(1)] });
  assert.deepEqual([ok.allowed, ok.day_cost_usd], [true, 4]);
  const stop = mayStartTest({ ...base, finished: [cost(2.5)] });
  assert.deepEqual([stop.allowed, stop.exhausted_by], [false, 'day']);
  assert.equal(mayStartTest({ ...base, settings: {}, finished: [cost(100)] }).allowed, true);
});
