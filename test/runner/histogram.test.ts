import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DurationHistogram } from '../../src/runner/histogram.ts';

test('percentiles of gaps under one second are within 1 ms of the exact ones', () => {
  const h = new DurationHistogram();
  const values: number[] = [];
  let x = 7;
  for (let i = 0; i < 10_000; i++) {
    x = (x * 48271) % 2147483647;
    const v = (x % 100_000) / 100; // 0..999.99 ms
    values.push(v);
    h.record(v);
  }
  values.sort((a, b) => a - b);
  for (const q of [0.5, 0.9, 0.95, 0.99]) {
    const exact = values[Math.ceil(q * values.length) - 1] ?? NaN;
    assert.ok(Math.abs((h.percentile(q) ?? NaN) - exact) <= 1, `p${q * 100}: ${h.percentile(q)} vs ${exact}`);
  }
  assert.equal(h.max, values.at(-1));
});

test('long gaps keep about 1% precision and the max is exact', () => {
  const h = new DurationHistogram();
  h.record(50);
  h.record(12_345);
  h.record(600_000);
  assert.equal(h.max, 600_000);
  const p50 = h.percentile(0.5) ?? NaN;
  assert.ok(Math.abs(p50 - 12_345) / 12_345 < 0.01, String(p50));
});

test('an empty histogram has no percentile and no max', () => {
  const h = new DurationHistogram();
  assert.equal(h.percentile(0.5), null);
  assert.equal(h.max, null);
  h.record(-1);
  h.record(Number.NaN);
  assert.equal(h.count, 0);
});
