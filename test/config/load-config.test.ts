import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/config/errors.ts';
import { loadSuite, parseSuite } from '../../src/config/load.ts';

const REPO = resolve(import.meta.dirname, '../..');
const suiteWith = (load: unknown) => ({ timeout: 60, tests: [{ id: 'one', command: 'echo one', load }] });

function problems(raw: unknown): { path: string; expected: string }[] {
  try {
    parseSuite(raw, 'load.json');
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.problems.map((p) => ({ path: p.path, expected: p.expected }));
  }
  return assert.fail('expected a ConfigError');
}

describe('test-level load (DESIGN section 11)', () => {
  it('reads {"sessions": N} with the default min_pass_ratio, and leaves tests without load alone', () => {
    const { suite } = parseSuite({ timeout: 60, tests: [{ id: 'a', command: 'echo a', load: { sessions: 20 } }, { id: 'b', command: 'echo b' }] }, 'x.json');
    // Every key the runner reads is filled in by the parse (DEFAULTS), so no reader applies a fallback.
    assert.deepEqual(suite.tests[0]?.load, { sessions: 20, stages: null, rate: null, duration_s: null, arrivals: 'constant', seed: 1, max_in_flight: 100, search: null, min_pass_ratio: 0.95 });
    assert.equal(suite.tests[1]?.load, null);
  });

  it('reads stages and an explicit min_pass_ratio', () => {
    const { suite } = parseSuite(suiteWith({ stages: [{ duration_s: 30, sessions: 10 }, { duration_s: 10, sessions: 0 }], min_pass_ratio: 0.8 }), 'x.json');
    assert.deepEqual(suite.tests[0]?.load, { sessions: null, stages: [{ duration_s: 30, sessions: 10 }, { duration_s: 10, sessions: 0 }], rate: null, duration_s: null, arrivals: 'constant', seed: 1, max_in_flight: 100, search: null, min_pass_ratio: 0.8 });
  });

  it('names the path and what was expected for each bad load', () => {
    assert.deepEqual(problems(suiteWith({})), [{ path: '$.tests[0].load.sessions', expected: 'one of "sessions" (N at once), "stages" (a ramp), "rate" (arrivals per second) or "search" (a capacity search)' }]);
    assert.deepEqual(problems(suiteWith({ sessions: 2, stages: [{ duration_s: 1, sessions: 1 }] })), [{ path: '$.tests[0].load.stages', expected: 'one of "sessions", "stages", "rate" and "search", not "sessions" and "stages"' }]);
    assert.deepEqual(problems(suiteWith({ sessions: 0 })), [{ path: '$.tests[0].load.sessions', expected: 'an integer number of sessions, 1 to 10000' }]);
    assert.deepEqual(problems(suiteWith({ stages: [{ duration_s: -1, sessions: 2 }] }))[0]?.path, '$.tests[0].load.stages[0].duration_s');
    assert.deepEqual(problems(suiteWith({ stages: [{ duration_s: 5, sessions: 0 }] })), [{ path: '$.tests[0].load.stages', expected: 'a stage with at least one session' }]);
    assert.deepEqual(problems(suiteWith({ sessions: 3, min_pass_ratio: 1.5 })), [{ path: '$.tests[0].load.min_pass_ratio', expected: 'a fraction between 0 and 1' }]);
    assert.equal(problems(suiteWith(5))[0]?.path, '$.tests[0].load');
  });

  it('a rate needs duration_s, and duration_s is refused without a rate', () => {
    assert.deepEqual(problems(suiteWith({ rate: 5 })), [{ path: '$.tests[0].load.duration_s', expected: 'a duration in seconds: "rate" needs "duration_s" (how long the arrivals go on)' }]);
    assert.deepEqual(problems(suiteWith({ sessions: 2, duration_s: 10 })), [{ path: '$.tests[0].load.duration_s', expected: 'no "duration_s" without "rate" (a ramp\'s stages carry their own durations)' }]);
    const { suite } = parseSuite(suiteWith({ rate: 5, duration_s: 10, arrivals: 'poisson' }), 'x.json');
    assert.deepEqual(suite.tests[0]?.load, { sessions: null, stages: null, rate: 5, duration_s: 10, arrivals: 'poisson', seed: 1, max_in_flight: 100, search: null, min_pass_ratio: 0.95 });
  });

  it('a search over rate takes a fractional start; over sessions the start is whole and at most max_sessions', () => {
    const { suite } = parseSuite(suiteWith({ search: { over: 'rate', start: 0.5, max_rate: 8, max_cost_usd: 2 } }), 'x.json');
    const search = suite.tests[0]?.load?.search;
    assert.deepEqual([search?.over, search?.start, search?.max_rate, search?.max_cost_usd, search?.max_sessions], ['rate', 0.5, 8, 2, 100]);
    assert.deepEqual(problems(suiteWith({ search: { start: 1.5 } })), [{ path: '$.tests[0].load.search.start', expected: 'an integer number of sessions (over "sessions")' }]);
    assert.deepEqual(problems(suiteWith({ search: { start: 8, max_sessions: 4 } })), [{ path: '$.tests[0].load.search.start', expected: 'start at most max_sessions (4)' }]);
    assert.deepEqual(problems(suiteWith({ search: { over: 'tokens' } }))[0]?.path, '$.tests[0].load.search.over');
  });

  it('loads configs/demo-capacity.json: a search over sessions of the 8-slot command, done within its 110 s budget', async () => {
    const { suite } = await loadSuite(resolve(REPO, 'configs/demo-capacity.json'));
    const search = suite.tests[0]?.load?.search;
    assert.deepEqual([search?.over, search?.start, search?.step_s, search?.max_seconds, search?.slo.error_ratio], ['sessions', 1, 5, 110, 0.02]);
    assert.match(suite.tests[0]?.command ?? '', /for i in 1 2 3 4 5 6 7 8; do flock -n /);
  });

  it('loads configs/demo-load.json: a ramp to 20 sessions over 60 s and a burst of 10', async () => {
    const { suite } = await loadSuite(resolve(REPO, 'configs/demo-load.json'));
    const [ramp, burst] = suite.tests;
    assert.equal(ramp?.load?.stages?.reduce((s, st) => s + st.duration_s, 0), 60);
    assert.equal(Math.max(...(ramp?.load?.stages ?? []).map((s) => s.sessions ?? 0)), 20);
    assert.equal(burst?.load?.sessions, 10);
  });
});
