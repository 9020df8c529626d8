/** The sequential test's parts chosen by bench/regression.bench.ts: the caps, the bounds and a small second mode. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { measureDef } from '../../src/analysis/index.ts';
import { addValue, openSuspect, sequentialJudge, sequentialState, SEQUENTIAL_DEFAULTS, valueEvidence } from '../../src/analysis/sequential.ts';

const def = measureDef('duration');
/** 50 values around 100 with a few percent of log-normal-like spread, deterministic. */
const steady = Array.from({ length: 50 }, (_, i) => 100 * Math.exp(0.04 * Math.sin(i * 1.7) + 0.03 * Math.cos(i * 3.1)));

test('no single value decides: a value\'s share for a shift is capped below the upper bound, so even a huge outlier needs company', () => {
  const j = sequentialJudge(def, steady, 0.1);
  assert.ok(SEQUENTIAL_DEFAULTS.cap < SEQUENTIAL_DEFAULTS.upper);
  assert.ok(SEQUENTIAL_DEFAULTS.cap * 2 < SEQUENTIAL_DEFAULTS.upper, 'two capped values stay under the bound: three are needed');
  const ev = openSuspect(j, 1000, false);
  assert.equal(ev?.llr, SEQUENTIAL_DEFAULTS.cap);
  assert.equal(sequentialState(j, ev!), 'open');
  assert.equal(sequentialState(j, addValue(j, ev!, 1000, false)), 'open');
  assert.equal(sequentialState(j, addValue(j, addValue(j, ev!, 1000, false), 1000, false)), 'regressed');
});

test('a value back at or under the baseline counts more against a shift than a slow one counts for it (negCap > cap): one normal re-run dismisses a suspect at the gate', () => {
  const j = sequentialJudge(def, steady, 0.1);
  assert.ok(SEQUENTIAL_DEFAULTS.negCap > SEQUENTIAL_DEFAULTS.cap);
  assert.equal(valueEvidence(j, 80, false), -SEQUENTIAL_DEFAULTS.negCap);
  const ev = openSuspect(j, 125, false);
  assert.ok(ev && ev.llr >= SEQUENTIAL_DEFAULTS.gate);
  assert.equal(sequentialState(j, addValue(j, ev, 95, false)), 'noise');
});

test('a second mode of 5 in 50 (10 %) is fitted, and a value in it is not a suspect; without that mode the same value is one', () => {
  const twoMode = steady.map((v, i) => (i % 10 === 5 ? v * 1.5 : v));
  assert.equal(twoMode.filter((v) => v > 130).length, 5);
  const j = sequentialJudge(def, twoMode, 0.1);
  assert.equal(j.mixture.modes.length, 2);
  assert.equal(openSuspect(j, 150, false), null);
  assert.notEqual(openSuspect(sequentialJudge(def, steady, 0.1), 150, false), null);
});

test('two stray values in 50 are outliers, not a mode: a value beside them is still a suspect', () => {
  const strays = steady.map((v, i) => (i === 7 || i === 30 ? v * 1.5 : v));
  const j = sequentialJudge(def, strays, 0.1);
  assert.equal(j.mixture.modes.length, 1);
  assert.notEqual(openSuspect(j, 150, false), null);
});
