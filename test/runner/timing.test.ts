import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StreamTimer } from '../../src/runner/timing.ts';

test('first output, gaps after it, silence, rates and completion lag come from line times', () => {
  const t = new StreamTimer();
  // first output 300 ms after execute, then one line every 50 ms, then a 400 ms pause.
  const times = [1300, 1350, 1400, 1450, 1500, 1900];
  for (const at of times) t.onLine(at, 100);
  t.onEnd(2000);
  const r = t.result({ sentAt: 1000, firstTextAt: 1350, outputTokens: 60, completed: true });
  assert.equal(r.first_output_seconds, 0.3);
  assert.equal(r.first_text_seconds, 0.35);
  assert.ok(Math.abs((r.gap_p50_seconds ?? NaN) - 0.05) <= 0.001);
  assert.ok(Math.abs((r.gap_p95_seconds ?? NaN) - 0.4) <= 0.001);
  assert.equal(r.gap_max_seconds, 0.4);
  assert.equal(r.longest_silence_seconds, 0.4);
  assert.equal(r.bytes_per_second, 1000); // 600 bytes over 0.6 s
  assert.equal(r.lines_per_second, 10);
  assert.equal(r.output_tokens_per_second, 100);
  assert.equal(r.completion_lag_seconds, 0.1);
});

test('the wait for the first output is a silence but not an inter-chunk gap', () => {
  const t = new StreamTimer();
  t.onLine(5000, 10);
  t.onLine(5010, 10);
  t.onEnd(5020);
  const r = t.result({ sentAt: 0, firstTextAt: null, outputTokens: null, completed: true });
  assert.equal(r.longest_silence_seconds, 5);
  assert.equal(r.gap_max_seconds, 0.01);
  assert.equal(r.first_text_seconds, null);
  assert.equal(r.output_tokens_per_second, null);
});

test('a test without output has no gaps, no rates, but its silence is the whole wait', () => {
  const t = new StreamTimer();
  t.onEnd(3000);
  const r = t.result({ sentAt: 0, firstTextAt: null, outputTokens: null, completed: false });
  assert.equal(r.first_output_seconds, null);
  assert.equal(r.gap_p50_seconds, null);
  assert.equal(r.bytes_per_second, null);
  assert.equal(r.longest_silence_seconds, 3);
  assert.equal(r.completion_lag_seconds, null);
});

test('every gap after the first output is counted at the fixed histogram bounds, with its sum', () => {
  const t = new StreamTimer();
  for (const at of [1300, 1350, 1400, 1450, 1500, 1900]) t.onLine(at, 100);
  t.onEnd(2000);
  const h = t.result({ sentAt: 1000, firstTextAt: null, outputTokens: null, completed: true }).gap_histogram;
  assert.ok(h);
  const nonZero = Object.fromEntries(h.bounds.map((b, i) => [b, h.counts[i]]).filter(([, n]) => n !== 0));
  assert.deepEqual(nonZero, { 0.05: 4, 0.5: 1 }, 'four 50 ms gaps (exactly on a bound) and one of 400 ms');
  assert.equal(h.count, 5, 'lines minus one: the wait for the first output is not a gap');
  assert.equal(h.sum, 0.6);
});

test('a test without gaps reports an all-zero gap histogram', () => {
  const t = new StreamTimer();
  t.onLine(10, 1);
  const h = t.result({ sentAt: 0, firstTextAt: null, outputTokens: null, completed: false }).gap_histogram;
  assert.equal(h?.count, 0);
  assert.ok(h?.counts.every((n) => n === 0));
});
