import { it } from 'node:test';
import assert from 'node:assert/strict';
import { loadSection, thinTimeline } from '../../src/report/load-section.ts';
import { testSection } from '../../src/report/test-section.ts';
import type { LoadResult } from '../../src/result/types.ts';
import { testResult } from '../telemetry/results.ts';

const load: LoadResult = {
  mode: 'stages', sessions: 12, outcomes: { passed: 10, failed: 1, timeout: 0, error: 1 }, pass_ratio: 10 / 12, min_pass_ratio: 0.95,
  refusals: 1, peak_active: 4,
  duration_seconds: { p50: 8.2, p95: 9.5, p99: 9.9, max: 9.9 }, first_output_seconds: { p50: 0.81, p95: 0.9, p99: 0.95, max: 0.95 },
  timeline: [{ t: 0, sessions: 0, active: 0, failed: 0 }, { t: 1, sessions: 2, active: 2, failed: 0 }, { t: 2, sessions: 4, active: 4, failed: 1 }],
  session_list: [],
};

it('shows the sessions by outcome, refusals, percentiles and one timeline row per second, inside the test section', () => {
  const md = testSection(testResult({ load }), 0);
  assert.ok(md.includes(loadSection(load)));
  assert.match(md, /12 sessions, at most 4 at once; 10 passed, 1 failed, 0 timed out, 1 errors \(1 refused by the executor at its session limit, -32003\); passed share 83\.3% against a minimum of 95\.0%/);
  assert.match(md, /\| Duration \| 8\.20 s \| 9\.50 s \| 9\.90 s \| 9\.90 s \|/);
  assert.match(md, /\| First output \| 0\.81 s \| 0\.90 s \| 0\.95 s \| 0\.95 s \|/);
  assert.match(md, /\| 2 \| 4 \| 4 \| 1 \|/);
  assert.doesNotMatch(testSection(testResult(), 0), /Sessions per second/);
});

it('merges seconds of a long timeline, summing failures so none is lost', () => {
  const points = Array.from({ length: 300 }, (_, t) => ({ t, sessions: 5, active: 5, failed: t % 10 === 0 ? 1 : 0 }));
  const thin = thinTimeline(points);
  assert.equal(thin.length, 100);
  assert.equal(thin.reduce((s, p) => s + p.failed, 0), 30);
  assert.deepEqual(thin[0], { t: 2, sessions: 5, active: 5, failed: 1 });
});
