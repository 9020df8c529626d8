import { it } from 'node:test';
import assert from 'node:assert/strict';
import { createMetrics } from '../../src/telemetry/metrics.ts';
import type { LoadResult } from '../../src/result/types.ts';
import { parsePromText, valueOf } from '../fixtures/prom-text.ts';
import { testResult } from './results.ts';

const load: LoadResult = {
  mode: 'fixed', sessions: 3, outcomes: { passed: 2, failed: 0, timeout: 0, error: 1 }, pass_ratio: 2 / 3, min_pass_ratio: 0.95,
  refusals: 1, peak_active: 3,
  duration_seconds: { p50: 8, p95: 9, p99: 9, max: 9 }, first_output_seconds: { p50: 0.5, p95: 0.7, p99: 0.7, max: 0.7 },
  timeline: [{ t: 0, sessions: 3, active: 0, failed: 0 }],
  session_list: [
    { outcome: 'passed', reason: null, duration_seconds: 8, first_output_seconds: 0.5 },
    { outcome: 'passed', reason: null, duration_seconds: 9, first_output_seconds: 0.7 },
    { outcome: 'error', reason: 'rpc_error', duration_seconds: 0.01, first_output_seconds: null },
  ],
};

it('observes every session of a test under load in stressd_load_session_duration_seconds{outcome} (and the deprecated stressd_load_sessions) and stressd_load_first_output_seconds', async () => {
  const metrics = createMetrics({ collectDefaults: false });
  metrics.onTestEnd('demo-load', testResult({ id: 'sim', category: null, outcome: 'error', reason: 'rpc_error', load }));
  metrics.onTestEnd('demo-load', testResult({ id: 'plain', category: null }));
  const exp = parsePromText((await metrics.metricsResponse(undefined)).body);
  const L = { suite: 'demo-load', test: 'sim' };
  // The histogram under its name with the unit, and the deprecated name with the same observations.
  for (const name of ['stressd_load_session_duration_seconds', 'stressd_load_sessions']) {
    assert.equal(exp.families.get(name)?.type, 'histogram');
    assert.equal(exp.families.get('stressd_load_first_output_seconds')?.type, 'histogram');
    assert.equal(valueOf(exp, `${name}_count`, { ...L, outcome: 'passed' }), 2);
    assert.equal(valueOf(exp, `${name}_sum`, { ...L, outcome: 'passed' }), 17);
    assert.equal(valueOf(exp, `${name}_count`, { ...L, outcome: 'error' }), 1);
    assert.equal(valueOf(exp, `${name}_bucket`, { ...L, outcome: 'passed', le: '5' }), 0);
    assert.equal(valueOf(exp, `${name}_bucket`, { ...L, outcome: 'passed', le: '10' }), 2);
  }
  // The refused session never had output: two observations, not three.
  assert.equal(valueOf(exp, 'stressd_load_first_output_seconds_count', L), 2);
  assert.ok(Math.abs(valueOf(exp, 'stressd_load_first_output_seconds_sum', L) - 1.2) < 1e-9);
  // A test without load adds nothing to either.
  assert.throws(() => valueOf(exp, 'stressd_load_first_output_seconds_count', { suite: 'demo-load', test: 'plain' }));
});
