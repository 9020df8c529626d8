import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GAP_BUCKETS, GapCounter } from '../../src/result/gap-buckets.ts';

test('the bounds run from 1 ms to 120 s, ascending', () => {
  assert.equal(GAP_BUCKETS[0], 0.001);
  assert.equal(GAP_BUCKETS.at(-1), 120);
  for (let i = 1; i < GAP_BUCKETS.length; i++) assert.ok((GAP_BUCKETS[i] as number) > (GAP_BUCKETS[i - 1] as number));
});

test('a gap exactly on a bound is counted in that bucket, a hair above it in the next', () => {
  GAP_BUCKETS.forEach((bound, i) => {
    // Every bound is a whole number of half-milliseconds, so this ms value divides back to the bound exactly.
    const ms = Math.round(bound * 2000) / 2;
    assert.equal(ms / 1000, bound);
    const c = new GapCounter();
    c.record(ms);
    c.record(ms * (1 + 1e-9));
    const { counts } = c.snapshot();
    assert.equal(counts[i], 1, `${bound} s belongs to le=${bound}`);
    assert.equal(counts[i + 1], 1, `just above ${bound} s belongs to the next bucket`);
  });
});

test('per-bucket counts, exact sum and count; nothing below zero or non-finite is counted', () => {
  const c = new GapCounter();
  for (const ms of [0, 0.5, 300, 50, 50, 200_000, -1, NaN, Infinity]) c.record(ms);
  const h = c.snapshot();
  assert.deepEqual(h.bounds, [...GAP_BUCKETS]);
  assert.equal(h.counts.length, GAP_BUCKETS.length + 1);
  const at = (bound: number): number => h.counts[GAP_BUCKETS.indexOf(bound as (typeof GAP_BUCKETS)[number])] ?? NaN;
  assert.equal(at(0.001), 2);
  assert.equal(at(0.05), 2);
  assert.equal(at(0.5), 1);
  assert.equal(h.counts.at(-1), 1, '200 s is above the last bound');
  assert.equal(h.counts.reduce((a, b) => a + b, 0), 6);
  assert.equal(h.count, 6);
  assert.equal(h.sum, 200.4005);
});
