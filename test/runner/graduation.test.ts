import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judgeRun } from '../../src/runner/graduation.ts';
import { GraduationSchema } from '../../src/config/schema.ts';
import type { Outcome, ResourcePeaks } from '../../src/result/types.ts';

const criteria = GraduationSchema.parse({});
const unmeasured: ResourcePeaks = { measured: false, why: 'remote' };
const t = (id: string, outcome: Outcome, resources: ResourcePeaks = unmeasured) => ({ id, outcome, resources });
const peaks = (mb: number, cpu: number): ResourcePeaks => ({ measured: true, peak_memory_bytes: mb * 1024 * 1024, peak_cpu_ratio: cpu, samples: 3, executor_peak_cpu_ratio: null, executor_peak_memory_bytes: null });

test('a run graduates when enough tests pass and none timed out', () => {
  const v = judgeRun([t('a', 'passed'), t('b', 'passed'), t('c', 'failed')], criteria);
  assert.equal(v.graduated, true);
  assert.deepEqual(v.reasons, []);
  assert.ok(Math.abs(v.pass_rate - 2 / 3) < 1e-9);
});

test('a pass rate below the minimum is a reason in words', () => {
  const v = judgeRun([t('a', 'passed'), t('b', 'failed'), t('c', 'error')], criteria);
  assert.equal(v.graduated, false);
  assert.match(v.reasons[0] ?? '', /pass rate 33.3% \(1\/3\) is below the required 60%/);
});

test('a timeout fails graduation unless timeouts are allowed', () => {
  const tests = [t('a', 'passed'), t('b', 'passed'), t('slow', 'timeout')];
  assert.match(judgeRun(tests, criteria).reasons.join('\n'), /1 test\(s\) timed out \(slow\)/);
  assert.equal(judgeRun(tests, { ...criteria, allow_timeouts: true }).graduated, true);
});

test('peaks over the memory or CPU bound are each a reason; unmeasured tests are not judged', () => {
  const v = judgeRun([t('big', 'passed', peaks(300, 0.5)), t('hot', 'passed', peaks(10, 1.8)), t('far', 'passed')],
    { ...criteria, max_peak_memory_mb: 256, max_peak_cpu_percent: 150 });
  assert.equal(v.graduated, false);
  assert.deepEqual(v.reasons, ['big peaked at 300.0 MB of memory, over the 256 MB bound', 'hot peaked at 180% CPU, over the 150% bound']);
});

test('an empty or aborted run does not graduate', () => {
  assert.deepEqual(judgeRun([], criteria).reasons, ['no test ran']);
  assert.equal(judgeRun([t('a', 'passed')], criteria, true).graduated, false);
});
