/** The status page's per-test view, run list, success ratio and Run now form, from a fixture history. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderStatusPage, type StatusPageModel } from '../../src/web/page.ts';
import { renderTestView, traceLink } from '../../src/web/test-view.ts';
import { renderSparkline } from '../../src/web/sparkline.ts';
import type { RegressionRecord, RunResult } from '../../src/result/types.ts';
import { passed, run } from '../fixtures/analysis/history.ts';
import { testResult } from '../fixtures/run-result.ts';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const regressed: RegressionRecord = { measure: 'duration', value: 130, baseline: { median: 100, spread: 2, n: 20 }, change: 0.3, score: 4.5, verdict: 'regressed', reruns: [128] };

/** Newest first, as history keeps them: run 3 (a confirmed regression), 2 (a timeout), 1 (aborted), 0 (a pass). */
function history(): RunResult[] {
  return [
    run(3, [passed('summary', 130, { regressions: [regressed], trace_id: TRACE, log_path: '/r/demo/x/summary.log', ended_at: '2026-11-30T00:03:30.000Z' })], {
      success_ratio: { runs: 15, graduated_runs: 14, failed_runs: 1, ratio: 14, graduated: true, needed_ratio: 10, needed_runs: 11, text: 'Success/Failure ratio 14:1 over 15 runs — ratio met, needs 10:1' },
    }),
    run(2, [testResult({ id: 'summary', outcome: 'timeout', reason: 'timeout', reason_detail: 'no completion within 60 s', duration_seconds: 60 })], { graduated: false }),
    run(1, [testResult({ id: 'summary', outcome: 'error', reason: 'aborted', duration_seconds: 12 })], { status: 'aborted', graduated: false }),
    run(0, [passed('summary', 101)]),
  ];
}

function model(runs: RunResult[]): StatusPageModel {
  return {
    suite: { name: 'demo', description: null, tests: 1 }, schedule: null, nextRun: null, now: new Date('2026-11-30T01:00:00Z'),
    executor: { url: 'ws://127.0.0.1:1/ws/mcp', pid: null, restarts: 0 }, current: null, runs, version: '0.1.0',
    traceUrl: 'http://127.0.0.1:16686/trace/{trace_id}',
  };
}

test('each test shows its last outcome, last pass, a sparkline with failed and aborted points, its verdicts and links', () => {
  const html = renderTestView({ runs: history(), now: new Date('2026-11-30T01:00:00Z'), traceUrl: 'http://127.0.0.1:16686/trace/{trace_id}' });
  const row = /<tr id="test-summary">[\s\S]*?<\/tr>/.exec(html)?.[0] ?? assert.fail('no row for the test');
  assert.match(row, /class="o-passed">passed/);
  assert.match(row, /2026-11-30T00:03:30\.000Z <span class="muted">\(57 min ago\)/, 'last pass: when the newest pass ended');
  assert.equal((row.match(/class="pt-failed"/g) ?? []).length, 1);
  assert.equal((row.match(/class="pt-aborted"/g) ?? []).length, 1);
  assert.equal((row.match(/class="pt-passed"/g) ?? []).length, 2);
  assert.match(row, /duration regressed ↑ \+30%/);
  assert.match(row, /href="\/api\/runs\/[^"]+\/tests\/summary\/log"/);
  assert.match(row, /href="\/api\/runs\/[^"]+\/report\.html#test-summary"/, "the report link goes to the test's own section");
  assert.match(row, new RegExp(`href="http://127\\.0\\.0\\.1:16686/trace/${TRACE}"`));
});

test('the last outcome is the newest run that ran the test, with its reason', () => {
  const runs = history().slice(1);
  const html = renderTestView({ runs, now: new Date('2026-11-30T01:00:00Z'), traceUrl: null });
  assert.match(html, /class="o-timeout">timeout <span class="muted" title="no completion within 60 s">\(timeout\)/);
  assert.doesNotMatch(html, /trace<\/a>/, 'no trace link without a template');
});

test('a trace link needs a real trace id and a template', () => {
  assert.equal(traceLink(null, TRACE), null);
  assert.equal(traceLink('http://x/{trace_id}', null), null);
  assert.equal(traceLink('http://x/{trace_id}', 'not-hex"><script>'), null);
  assert.equal(traceLink('http://x/trace/{trace_id}', TRACE), `http://x/trace/${TRACE}`);
});

test('the run list says which tests failed and why; the page shows graduation over runs and a Run now form', () => {
  const html = renderStatusPage({ ...model(history()), csrf: 'tok&"<' });
  assert.match(html, /<code>summary<\/code> <span class="o-timeout" title="no completion within 60 s">timeout<\/span>/);
  assert.match(html, /<code>summary<\/code> <span class="rv rv-regressed">duration regressed<\/span>/);
  assert.match(html, /Success\/Failure ratio 14:1 over 15 runs — ratio met, needs 10:1/);
  assert.match(html, /<form class="run-now" method="post" action="\/api\/runs"><input type="hidden" name="_csrf" value="tok&amp;&quot;&lt;"><button type="submit">Run now<\/button><\/form>/);
  assert.doesNotMatch(html, /<script/i, 'no script on the page');
});

test('a sparkline of one point or none still renders', () => {
  assert.match(renderSparkline([]), /–/);
  assert.match(renderSparkline([{ seconds: 3, kind: 'failed', label: 'r1 failed' }]), /<circle class="pt-failed"/);
});

test('the per-test view shows where a measure shifted and what changed there, escaped, only under its own test', () => {
  const text = 'duration +25 % since run 20261130T000300Z-0003 at 2026-11-30T00:03:00.000Z; Claude model changed there from <a> to b';
  const html = renderTestView({
    runs: history(), now: new Date('2026-11-30T01:00:00Z'), traceUrl: null,
    changes: [{ test: 'summary', measure: 'duration', run_id: '20261130T000300Z-0003', text }, { test: 'other', measure: 'duration', run_id: 'x', text: 'not this one' }],
  });
  assert.match(html, /<li class="cp" data-measure="duration" data-run="20261130T000300Z-0003">duration \+25 % since run 20261130T000300Z-0003 at 2026-11-30T00:03:00\.000Z; Claude model changed there from &lt;a&gt; to b<\/li>/);
  assert.doesNotMatch(html, /not this one/);
  assert.doesNotMatch(renderTestView({ runs: history(), now: new Date(), traceUrl: null }), /class="changes"/);
});
