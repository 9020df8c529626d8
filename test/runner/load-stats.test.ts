import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LoadSchema } from '../../src/config/schema.ts';
import { loadPlan, rampTarget } from '../../src/runner/load-plan.ts';
import { isRefusal, judgeLoad, percentiles, summariseLoad } from '../../src/runner/load-stats.ts';
import type { TestResult } from '../../src/result/types.ts';
import { testResult } from '../telemetry/results.ts';

const session = (outcome: TestResult['outcome'], reason: TestResult['reason'], duration: number, first: number | null, detail: string | null = null): TestResult => {
  const base = testResult();
  return { ...base, outcome, reason, reason_detail: detail, duration_seconds: duration, stream: { ...base.stream, first_output_seconds: first } };
};

describe('percentiles (nearest rank)', () => {
  it('picks the smallest value with at least p of the values at or below it', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100
    assert.deepEqual(percentiles(values), { p50: 50, p95: 95, p99: 99, max: 100 });
    assert.deepEqual(percentiles([3, 1, 2]), { p50: 2, p95: 3, p99: 3, max: 3 });
    assert.deepEqual(percentiles([7]), { p50: 7, p95: 7, p99: 7, max: 7 });
  });
  it('leaves out nulls and gives nulls for no values', () => {
    assert.deepEqual(percentiles([null, 4, null, 2]), { p50: 2, p95: 4, p99: 4, max: 4 });
    assert.deepEqual(percentiles([null]), { p50: null, p95: null, p99: null, max: null });
  });
});

describe('the ramp (k6 ramping-VUs)', () => {
  const stages = [{ duration_s: 10, sessions: 10 }, { duration_s: 20, sessions: 10 }, { duration_s: 10, sessions: 0 }];
  it('moves linearly from 0 to each stage target and holds, then ramps down, then wants none', () => {
    assert.deepEqual([0, 2.5, 5, 9.9, 10, 29.9, 30, 35, 39.9, 40, 100].map((t) => rampTarget(stages, t)), [0, 3, 5, 10, 10, 10, 10, 5, 0, 0, 0]);
  });
  it('a plan of N sessions wants N, once each; a plan of stages ends with the last stage', () => {
    const fixed = loadPlan(LoadSchema.parse({ sessions: 20 }));
    assert.deepEqual([fixed.mode, fixed.total, fixed.endS, fixed.targetAt(1000)], ['fixed', 20, null, 20]);
    const ramp = loadPlan(LoadSchema.parse({ stages }));
    assert.deepEqual([ramp.mode, ramp.total, ramp.endS, ramp.targetAt(5)], ['stages', null, 40, 5]);
  });
});

describe('judging and summing a load', () => {
  const refused = session('error', 'rpc_error', 0.01, null, 'execute failed: -32003 Session limit exceeded');
  const sessions = [
    ...Array.from({ length: 17 }, (_, i) => session('passed', null, 10 + i, 0.5 + i / 100)),
    session('timeout', 'timeout', 30, 0.6),
    refused,
    refused,
  ];

  it('recognises the executor refusing at its session limit, and nothing else', () => {
    assert.equal(isRefusal(refused), true);
    assert.equal(isRefusal(session('error', 'rpc_error', 1, null, 'execute failed: -32001 not allowed')), false);
    assert.equal(isRefusal(session('error', 'rpc_error', 1, null, 'execute failed: -320031 odd')), false);
    assert.equal(isRefusal(session('failed', 'exit_nonzero', 1, null, 'exit code 1: -32003')), false);
  });

  it('passes at or above min_pass_ratio, otherwise names the most frequent failure', () => {
    assert.equal(judgeLoad(sessions, 0.85, false).outcome, 'passed'); // 17/20 = 0.85
    const v = judgeLoad(sessions, 0.9, false);
    assert.deepEqual([v.outcome, v.reason], ['error', 'rpc_error']);
    assert.match(v.detail ?? '', /^17\/20 sessions passed \(85\.0 %\), below min_pass_ratio 0\.9; 2 refused by the executor \(-32003\); most often rpc_error: execute failed: -32003/);
    assert.deepEqual([judgeLoad([], 0.9, false).outcome, judgeLoad([], 0.9, true).reason], ['error', 'aborted']);
    assert.equal(judgeLoad(sessions.slice(0, 17), 0.9, true).reason, 'aborted');
  });

  it('counts outcomes and refusals and takes percentiles over the sessions', () => {
    const s = summariseLoad({ mode: 'fixed', sessions, minPassRatio: 0.95, peakActive: 20, timeline: [] });
    assert.equal(s.sessions, 20);
    assert.deepEqual(s.outcomes, { passed: 17, failed: 0, timeout: 1, error: 2 });
    assert.equal(s.refusals, 2);
    assert.equal(s.pass_ratio, 0.85);
    // Durations sorted: 0.01, 0.01, 10..26, 30 → rank 10 of 20 is 17, rank 19 is 26, rank 20 is 30.
    assert.deepEqual(s.duration_seconds, { p50: 17, p95: 26, p99: 30, max: 30 });
    // 18 first outputs (refusals have none): 0.5..0.66 and 0.6; rank 9 of 18 is 0.58 (0.50 is rank 1).
    assert.equal(s.first_output_seconds.p50, 0.5 + 8 / 100);
    assert.equal(s.first_output_seconds.max, 0.66);
    assert.equal(s.session_list.length, 20);
  });
});
