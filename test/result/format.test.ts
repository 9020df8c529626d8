import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DASH, formatBytes, formatDuration, formatSeconds } from '../../src/result/format.ts';

describe('formatBytes', () => {
  it('writes sizes in binary units, whole bytes below a KiB', () => {
    assert.deepEqual(
      [0, 12, 1023.6, 1536, 2048, 5 * 1024 ** 2, 3 * 1024 ** 3].map(formatBytes),
      ['0 B', '12 B', '1024 B', '1.5 KiB', '2.0 KiB', '5.0 MiB', '3.00 GiB'],
    );
  });

  it('writes an absent or non-finite size as a dash, never 0', () => {
    assert.deepEqual([null, undefined, Number.NaN, Infinity].map(formatBytes), [DASH, DASH, DASH, DASH]);
  });
});

describe('formatDuration', () => {
  it('writes seconds under a minute with one decimal', () => {
    assert.deepEqual([0, 2.34, 59.94].map(formatDuration), ['0.0 s', '2.3 s', '59.9 s']);
  });

  it('writes minutes with the exact seconds beside them, and hours without', () => {
    assert.equal(formatDuration(65), '1m 5s (65.0 s)');
    assert.equal(formatDuration(710), '11m 50s (710.0 s)');
    assert.equal(formatDuration(3723), '1h 2m 3s');
  });

  it('never writes 60 seconds in a minute when rounding up', () => {
    assert.equal(formatDuration(119.7), '2m 0s (119.7 s)');
    assert.equal(formatDuration(3599.6), '1h 0m 0s');
  });

  it('writes an absent duration as a dash', () => {
    assert.equal(formatDuration(null), DASH);
  });
});

describe('formatSeconds', () => {
  it('writes a short time with the digits asked for', () => {
    assert.deepEqual([formatSeconds(0.1234), formatSeconds(0.1234, 3), formatSeconds(30, 0), formatSeconds(undefined)], ['0.12 s', '0.123 s', '30 s', DASH]);
  });
});
