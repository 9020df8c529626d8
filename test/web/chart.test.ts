/** The status chart: failed points hollow, aborted runs marked, a cut-short test not drawn as a faster one. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderDurationChart } from '../../src/web/chart.ts';
import { notRunTest } from '../../src/result/not-run.ts';
import { runResult, testResult } from '../fixtures/run-result.ts';

const plan = (id: string) => ({ id, name: id, description: null, category: null, command: id, timeout: 60 });

test('an aborted run is a dashed mark; its cut-short and not_run tests are not points; failures are hollow', () => {
  const runs = [
    // Newest first, as history keeps them.
    runResult({
      id: '20261124T120000Z-cccc', status: 'aborted', abort_cause: 'stopped unexpectedly',
      tests: [
        testResult({ id: 'slow', outcome: 'error', reason: 'aborted', duration_seconds: 7.2 }),
        notRunTest(plan('other'), '2026-11-24T12:00:08.000Z', 'not started'),
      ],
    }),
    runResult({ id: '20261124T110000Z-bbbb', tests: [testResult({ id: 'slow', outcome: 'failed', reason: 'pattern_miss', duration_seconds: 110 }), testResult({ id: 'other', duration_seconds: 5 })] }),
    runResult({ id: '20261124T100000Z-aaaa', tests: [testResult({ id: 'slow', duration_seconds: 100 }), testResult({ id: 'other', duration_seconds: 4 })] }),
  ];
  const svg = renderDurationChart(runs);
  assert.equal((svg.match(/<circle /g) ?? []).length, 4, 'two runs × two tests; nothing from the aborted run');
  assert.doesNotMatch(svg, /7\.2 s/, 'the partial duration is not plotted');
  assert.equal((svg.match(/class="fail"/g) ?? []).length, 1, 'the failed point is hollow');
  assert.match(svg, /<line class="aborted"[^>]*><title>20261124T120000Z-cccc: aborted \(stopped unexpectedly\)<\/title>/);
  // The y scale is of the plotted points only.
  assert.match(svg, />110 s</);
});
