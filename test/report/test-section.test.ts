/** A test's section of the report says what a pass needed and when its log is not whole, and why. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { testSection } from '../../src/report/test-section.ts';
import { testResult } from '../fixtures/run-result.ts';

const row = (md: string, name: string): string | undefined => md.split('\n').find((l) => l.startsWith(`| **${name}** |`));

test('the patterns row shows the coverage found and the threshold applied', () => {
  const md = testSection(testResult({ patterns_expected: 4, patterns_found: ['a', 'b', 'c'], pattern_coverage: 0.75, pattern_threshold: 0.8 }), 0);
  assert.match(row(md, 'Patterns') ?? '', /3\/4 found \(75%, 80% needed\)/);
});

test('a result from before the threshold was recorded shows the coverage alone', () => {
  const { pattern_threshold: _, ...old } = testResult();
  assert.match(row(testSection(old, 0), 'Patterns') ?? '', /1\/1 found \(100%\) \|$/);
});

test('a log that could not be written whole says so, with the error and the bytes left out', () => {
  const md = testSection(
    testResult({ log_path: '/r/demo/run/t.log', log_complete: false, log_error: 'ENOSPC: no space left on device, write', log_dropped_bytes: 300_000 }),
    0,
  );
  const line = row(md, 'Log NOT COMPLETE') ?? '';
  assert.match(line, /ENOSPC: no space left on device, write/);
  assert.match(line, /left out of the log/);
  assert.equal(row(md, 'Log gaps'), undefined);
});

test('a complete log adds no line; a slow disk shows its gap without an error', () => {
  assert.equal(row(testSection(testResult(), 0), 'Log NOT COMPLETE'), undefined);
  const slow = testSection(testResult({ log_complete: false, log_dropped_bytes: 2048 }), 0);
  assert.match(row(slow, 'Log gaps') ?? '', /left out of the log \(the disk could not keep up\)/);
});
