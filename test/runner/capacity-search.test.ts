/** The capacity search's arithmetic: the next level over sessions and over rate, and what the next step is expected to cost. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SearchSchema } from '../../src/config/schema.ts';
import { expectedStep, judgeStep, nextLevel, type SearchStep } from '../../src/runner/capacity-search.ts';
import { testResult } from '../telemetry/results.ts';

const sessions = SearchSchema.parse({ start: 1, max_sessions: 32 });
const rate = SearchSchema.parse({ over: 'rate', start: 0.5, max_rate: 16, resolution: 0.1 });

describe('capacity search levels', () => {
  it('over sessions: doubles from start, then bisects to one session', () => {
    assert.deepEqual([nextLevel(sessions, 0, null), nextLevel(sessions, 4, null), nextLevel(sessions, 32, null)], [1, 8, null]);
    assert.deepEqual([nextLevel(sessions, 8, 16), nextLevel(sessions, 8, 10), nextLevel(sessions, 8, 9)], [12, 9, null]);
  });

  it('over rate: doubles from a fractional start to max_rate, then bisects to the resolution in hundredths', () => {
    assert.deepEqual([nextLevel(rate, 0, null), nextLevel(rate, 0.5, null), nextLevel(rate, 12, null), nextLevel(rate, 16, null)], [0.5, 1, 16, null]);
    assert.equal(nextLevel(rate, 4, 8), 6);
    assert.equal(nextLevel(rate, 4, 4.5), 4.25);
    // Within 10 % of 4: the answer.
    assert.equal(nextLevel(rate, 4, 4.4), null);
  });
});

describe('a step judged, and the next one expected', () => {
  it('dropped arrivals count as errors of an open-model step; the level is the rate and sessions the most in flight', () => {
    const ok = testResult({ outcome: 'passed' });
    const step = judgeStep(4, 10, { results: [ok, ok, ok], peakActive: 3, dropped: 1 }, rate);
    assert.deepEqual([step.rate, step.sessions, step.dropped, step.error_ratio, step.held], [4, 3, 1, 0.25, false]);
    assert.match(step.broke.join(';'), /error ratio 0\.250 above 0\.05 \(1 arrivals dropped\)/);
    assert.equal(step.cost_usd, 0.375);
  });

  it('expects twice step_s before any step; after, step_s plus the longest tail and the cost per session scaled to the level', () => {
    assert.deepEqual(expectedStep({ step_s: 10 }, [], 1), { seconds: 20, cost: 0 });
    const step = (level: number, started: number, cost: number | null, seconds: number): SearchStep => ({
      sessions: level, seconds, started, error_ratio: 0, first_output_seconds: { p50: null, p95: null, p99: null, max: null },
      duration_seconds: { p50: null, p95: null, p99: null, max: null }, output_bytes_per_second_p50: null, cost_usd: cost, held: true, broke: [],
    });
    // 1 session → 4 sessions at $0.5 each, 2 → 8: 4 sessions per level, $0.5 a session; level 4 → 16 sessions → $8.
    const next = expectedStep({ step_s: 10 }, [step(1, 4, 2, 12), step(2, 8, 4, 13.5)], 4);
    assert.deepEqual(next, { seconds: 13.5, cost: 8 });
    assert.equal(expectedStep({ step_s: 10 }, [step(1, 4, null, 11)], 2).cost, 0);
  });
});
