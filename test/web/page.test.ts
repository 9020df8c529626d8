import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderStatusPage, verdictOf, type StatusPageModel } from '../../src/web/page.ts';
import { runResult, testResult } from '../fixtures/daemon/results.ts';

const HOSTILE = '<script>alert("x")</script>&\'';

function model(over: Partial<StatusPageModel> = {}): StatusPageModel {
  return {
    suite: { name: 'demo', description: null, tests: 1 },
    schedule: '*/5 * * * *',
    nextRun: new Date('2026-11-24T10:20:00.000Z'),
    now: new Date('2026-11-24T10:17:00.000Z'),
    executor: { url: 'ws://127.0.0.1:8003/ws/mcp', pid: 42, restarts: 0 },
    current: null,
    runs: [],
    version: '0.1.0',
    ...over,
  };
}

test('shows the schedule and the next run, absolute and relative', () => {
  const html = renderStatusPage(model());
  assert.match(html, /\*\/5 \* \* \* \*/);
  assert.match(html, /2026-11-24T10:20:00\.000Z/);
  assert.match(html, /in 3 min/);
  assert.match(html, /<meta http-equiv="refresh" content="10">/);
});

test('says when there is no schedule and runs start only on manual triggers', () => {
  const html = renderStatusPage(model({ schedule: null, nextRun: null }));
  assert.match(html, /manual triggers/);
});

test('escapes hostile suite names, test ids, test names and run ids everywhere', () => {
  const hostileTest = testResult({ id: HOSTILE, name: HOSTILE });
  const run = runResult({ suite: HOSTILE, tests: [hostileTest] });
  const html = renderStatusPage(model({
    suite: { name: HOSTILE, description: HOSTILE, tests: 1 },
    schedule: HOSTILE,
    runs: [run],
    current: {
      run: runResult({ status: 'running', tests: [hostileTest], trigger: 'api' }),
      live: { runId: run.id, index: 1, total: 2, test: { id: HOSTILE, name: HOSTILE, category: null }, testStartedAt: 0, elapsed_seconds: 3, output_bytes: 10, output_lines: 1 },
    },
  }));
  assert.doesNotMatch(html, /<script>/);
  assert.match(html, /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt;&amp;&#39;/);
});

test('lists the last runs with their verdicts and links to the HTML, markdown and JSON reports', () => {
  const runs = [
    runResult({ id: '20261124T103000Z-0003', status: 'aborted', graduated: false }),
    runResult({ id: '20261124T102000Z-0002', graduated: false }),
    runResult({ id: '20261124T101000Z-0001', graduated: true }),
  ];
  const html = renderStatusPage(model({ runs }));
  assert.match(html, /v-aborted">aborted</);
  assert.match(html, /v-not-graduated">not graduated</);
  assert.match(html, /v-graduated">graduated</);
  for (const suffix of ['/report.html"', '/report"', '"']) assert.ok(html.includes(`href="/api/runs/20261124T102000Z-0002${suffix}`), suffix);
  assert.match(html, /<title>stressd — demo — aborted<\/title>/);
});

test('shows the run in progress with test n/N, elapsed time and bytes', () => {
  const html = renderStatusPage(model({
    current: {
      run: runResult({ status: 'running', tests: [testResult()], ended_at: null }),
      live: { runId: 'x', index: 2, total: 3, test: { id: 'long_test', name: 'Long test', category: null }, testStartedAt: 0, elapsed_seconds: 12.5, output_bytes: 2048, output_lines: 7 },
    },
  }));
  assert.match(html, /test 2\/3/);
  assert.match(html, /12\.5 s/);
  assert.match(html, /2\.0 KiB/);
  assert.match(html, /1\/3 done/);
});

test('draws an inline SVG chart with one line per test across the last runs', () => {
  const runs = [1, 2, 3].map((n) => runResult({
    id: `20261124T10${n}000Z-000${n}`,
    tests: [testResult({ id: 'a', duration_seconds: n }), testResult({ id: 'b', duration_seconds: n * 2 })],
  }));
  const html = renderStatusPage(model({ runs }));
  const chart = /<svg class="chart"[\s\S]*?<\/svg>/.exec(html)?.[0] ?? assert.fail('no chart');
  assert.equal((chart.match(/<polyline/g) ?? []).length, 2);
  assert.equal((chart.match(/<circle/g) ?? []).length, 6);
  // Time labels under the first, middle and last run (UTC), no longer "oldest"/"newest".
  assert.equal((chart.match(/<text class="tl"/g) ?? []).length, 3);
  assert.match(chart, />11-24 10:15</);
});

test('verdicts: running, aborted, graduated, not graduated', () => {
  assert.equal(verdictOf({ status: 'running', graduated: false }), 'running');
  assert.equal(verdictOf({ status: 'aborted', graduated: true }), 'aborted');
  assert.equal(verdictOf({ status: 'finished', graduated: true }), 'graduated');
  assert.equal(verdictOf({ status: 'finished', graduated: false }), 'not graduated');
});

test('between tests the run in progress says it is pausing, not a stale test', () => {
  const html = renderStatusPage(model({
    current: {
      run: runResult({ status: 'running', tests: [testResult()], ended_at: null }),
      live: { runId: 'x', index: 1, total: 3, test: null, testStartedAt: null, elapsed_seconds: 0, output_bytes: 0, output_lines: 0 },
    },
  }));
  assert.match(html, /pausing between tests/);
  assert.doesNotMatch(html, /test 1\/3/);
});
