/** The report of an aborted run counts every test of the suite once, and agrees with its JSON. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderMarkdown, testTotals } from '../../src/report/markdown.ts';
import { notRunTest } from '../../src/result/not-run.ts';
import { runResult, testResult } from '../fixtures/run-result.ts';

const plan = (id: string) => ({ id, name: `Test ${id}`, description: null, category: null, command: `run ${id}`, timeout: 60 });

function aborted() {
  const at = '2026-11-24T10:16:00.000Z';
  return runResult({
    status: 'aborted', abort_cause: 'stopped unexpectedly', graduated: false, tests_total: 6, tests_passed: 1,
    tests: [
      testResult({ id: 'one', duration_seconds: 50, output_bytes: 20_000 }),
      testResult({ id: 'two', outcome: 'error', reason: 'aborted', reason_detail: 'stressd stopped unexpectedly while this test ran', duration_seconds: 7.2, output_bytes: 300 }),
      ...['three', 'four', 'five', 'six'].map((id) => notRunTest(plan(id), at, 'not started: stressd stopped unexpectedly')),
    ],
  });
}

test('an aborted run: "6 total: 1 passed, …, 1 aborted, 4 not run", the rate over the tests that ran', () => {
  const run = aborted();
  const md = renderMarkdown(run);
  assert.match(md, /\| \*\*Tests\*\* \| 6 total: 1 passed, 0 failed, 0 timeouts, 0 errors, 1 aborted, 4 not run \|/);
  assert.equal(run.tests_total, 6, 'the JSON says the same total');
  assert.match(md, /\| \*\*Success rate\*\* \| 50\.0% \(1\/2 that ran\) \|/);
  assert.match(md, /\| \*\*Status\*\* \| aborted \(stopped unexpectedly\) \|/);
  assert.match(md, /NOT GRADUATED \(the run was aborted: stopped unexpectedly\)/);
  assert.match(md, /## Not run\n\n4 test\(s\) never started/);
  // Every test has its section, the ones that never ran marked so.
  assert.equal((md.match(/^### \d+\. /gm) ?? []).length, 6);
  assert.equal((md.match(/^### \d+\. NOT RUN/gm) ?? []).length, 4);
});

test('distributions and failure reasons are of the tests that ran', () => {
  const md = renderMarkdown(aborted());
  const durations = md.slice(md.indexOf('## Duration distribution'), md.indexOf('## Output size distribution'));
  assert.doesNotMatch(durations, /(\| |, )(three|four|five|six)\b/);
  assert.match(durations, /\| < 10 s \| 1 \|/);
  const failures = md.slice(md.indexOf('## Failure reasons'), md.indexOf('## Not run'));
  assert.match(failures, /two/);
  assert.doesNotMatch(failures, /three/);
});

test('a finished run keeps the original totals line', () => {
  const run = runResult({ tests: [testResult({ id: 'a' }), testResult({ id: 'b', outcome: 'failed', reason: 'pattern_miss' })] });
  assert.equal(testTotals(run.tests), '2 total: 1 passed, 1 failed, 0 timeouts, 0 errors');
  assert.match(renderMarkdown(run), /\| \*\*Success rate\*\* \| 50\.0% \(1\/2\) \|/);
  assert.doesNotMatch(renderMarkdown(run), /## Not run/);
});
