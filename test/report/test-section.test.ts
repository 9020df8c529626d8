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
  assert.match(line, /ENOSPC: no space left on device, write; 293(\.0)? KiB left out/);
  assert.equal(row(md, 'Log'), undefined);
});

test('a complete log says so; a slow disk shows its gap without an error, and the preview never claims the full output is in the log', () => {
  const whole = testSection(testResult({ log_path: '/r/demo/run/t.log', log_complete: true, log_dropped_bytes: 0, preview_head: 'a'.repeat(50), preview_tail: 'b'.repeat(50), output_bytes: 5000 }), 0);
  assert.equal(row(whole, 'Log NOT COMPLETE'), undefined);
  assert.match(row(whole, 'Log') ?? '', /: complete \|$/);
  assert.match(whole, /the full output is in the log/);
  const slow = testSection(testResult({ log_path: '/r/demo/run/t.log', log_complete: false, log_dropped_bytes: 2048, preview_head: 'a'.repeat(50), preview_tail: 'b'.repeat(50), output_bytes: 5000 }), 0);
  assert.match(row(slow, 'Log NOT COMPLETE') ?? '', /2(\.0)? KiB left out \(the disk could not keep up\)/);
  assert.doesNotMatch(slow, /the full output is in the log/);
  assert.match(slow, /the log is NOT complete: 2(\.0)? KiB left out/);
});

test('escaped processes are named in the test section', () => {
  const md = testSection(testResult({ escaped_processes: [{ pid: 4242, command: 'sleep 30' }] }), 0);
  assert.match(row(md, 'Escaped processes') ?? '', /\*\*1\*\* left the command's process group.*4242 `sleep 30`/);
  assert.equal(row(testSection(testResult(), 0), 'Escaped processes'), undefined);
});
