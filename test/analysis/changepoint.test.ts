import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { changePoints, ranks, testChanges } from '../../src/analysis/index.ts';
import { HUBER_C, scores } from '../../src/analysis/changepoint.ts';
import { seededRandom } from '../../src/seeded-random.ts';
import type { RunResult } from '../../src/result/types.ts';
import { runResult, testResult } from '../fixtures/run-result.ts';

/** Log-normal-ish noise around `level` with coefficient of variation `cv`, from a seeded PRNG. */
function noisy(rand: () => number, level: number, cv: number): number {
  const u = Math.max(rand(), 1e-12);
  const v = rand();
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  return level * Math.exp(cv * z);
}
function series(seed: number, parts: [number, number][], cv = 0.1): number[] {
  const rand = seededRandom(seed);
  return parts.flatMap(([n, level]) => Array.from({ length: n }, () => noisy(rand, level, cv)));
}

describe('change points of one series', () => {
  test('ranks share ties', () => {
    assert.deepEqual(ranks([3, 1, 3, 2]), [3.5, 1, 3.5, 2]);
  });

  test('one outlier weighs no more than the clip: a ×10 value among steady ones makes no change point', () => {
    const values = series(6, [[30, 100]], 0.05);
    values[20] = 1000;
    const { z } = scores(values);
    assert.ok(Math.max(...z) <= HUBER_C + 1, `largest score ${Math.max(...z)}`);
    assert.deepEqual(changePoints(values), []);
  });

  test('a step of +25 % at CV 10 % is found at its index', () => {
    const points = changePoints(series(1, [[15, 100], [15, 125]]));
    assert.equal(points.length, 1);
    assert.ok(Math.abs(points[0]!.index - 15) <= 1, `index ${points[0]!.index}`);
    assert.ok(points[0]!.p < 0.01);
  });

  test('a clean step is found exactly, and the same series always gives the same answer', () => {
    const values = series(2, [[12, 100], [12, 130]], 0.03);
    const a = changePoints(values);
    assert.deepEqual(a.map((p) => p.index), [12]);
    assert.deepEqual(changePoints(values), a);
  });

  test('no step: no change point', () => {
    assert.deepEqual(changePoints(series(3, [[40, 100]])), []);
  });

  test('two steps are both found', () => {
    const points = changePoints(series(4, [[12, 100], [12, 140], [12, 100]], 0.05));
    assert.deepEqual(points.map((p) => p.index), [12, 24]);
  });

  test('a series too short for two segments of 4 has no change point', () => {
    assert.deepEqual(changePoints([1, 1, 1, 5, 5, 5, 5]), []);
  });

  test('pure noise, Gaussian or two-mode 80/20, gives a false change point in about α of series, not more', () => {
    let gaussian = 0;
    let twoMode = 0;
    const trials = 200;
    for (let s = 0; s < trials; s++) {
      if (changePoints(series(1000 + s, [[30, 100]])).length > 0) gaussian++;
      const rand = seededRandom(5000 + s);
      const bimodal = Array.from({ length: 30 }, () => noisy(rand, rand() < 0.2 ? 160 : 100, 0.05));
      if (changePoints(bimodal, { permutations: 199 }).length > 0) twoMode++;
    }
    // α = 0.01: 2 expected in 200; 7 or more has probability < 0.5 % under α.
    assert.ok(gaussian <= 6, `${gaussian} false change points in ${trials} Gaussian series`);
    assert.ok(twoMode <= 6, `${twoMode} false change points in ${trials} two-mode series`);
  });

  // The shifted main mode (130) lies among the old second one (160): about 60 % found within 2 runs at n = 60 (docs/analysis.md).
  test('a shift of the main mode of a two-mode series (80/20) is still found, near where it began, in most series', () => {
    let found = 0;
    for (let seed = 0; seed < 20; seed++) {
      const rand = seededRandom(7000 + seed);
      const values = Array.from({ length: 60 }, (_, i) => noisy(rand, (rand() < 0.2 ? 160 : 100) * (i >= 30 ? 1.3 : 1), 0.05));
      if (changePoints(values).some((p) => Math.abs(p.index - 30) <= 2)) found++;
    }
    assert.ok(found >= 10, `found in ${found} of 20`);
  });
});

describe('change points of a test history, attributed', () => {
  function history(values: number[], model: (i: number) => string, executorVersion: (i: number) => string = () => '1.0.0'): RunResult[] {
    return values.map((v, i) => {
      const id = `20261201T${String(i).padStart(2, '0')}0000Z-aaaa`;
      const at = new Date(Date.UTC(2026, 11, 1, i)).toISOString();
      return runResult({
        id, started_at: at, suite: 'demo',
        sut: { executor: { name: 'stressd-executor', version: executorVersion(i) }, stressd_version: '0.1.0' },
        tests: [testResult({ id: 'essay', duration_seconds: v, started_at: at, versions: { executor: null, model: model(i), claude_code_version: '2.0.14', command_hash: 'abc' } })],
      });
    });
  }
  const steps = (k: number): number[] => series(9, [[k, 100], [20 - k, 125]], 0.02);

  test('a step where the model changed names the run and the model change', () => {
    const runs = history(steps(12), (i) => (i < 12 ? 'claude-sonnet-4-5' : 'claude-opus-4-1'));
    const points = testChanges(runs, 'demo', 'essay', { minChange: 0.1 });
    const duration = points.filter((p) => p.measure === 'duration');
    assert.equal(duration.length, 1);
    const p = duration[0]!;
    assert.equal(p.run_id, runs[12]!.id);
    assert.ok(Math.abs(p.change - 0.25) < 0.05, `change ${p.change}`);
    assert.deepEqual(p.versions.map((v) => [v.field, v.from, v.to, v.offset]), [['model', 'claude-sonnet-4-5', 'claude-opus-4-1', 0]]);
    assert.match(p.text, new RegExp(`^duration \\+2\\d % since run ${runs[12]!.id} at ${runs[12]!.started_at.replace(/\./g, '\\.')}; Claude model changed there from claude-sonnet-4-5 to claude-opus-4-1$`));
  });

  test('a version is shown without control characters and at most 80 characters long', () => {
    const runs = history(steps(12), (i) => (i < 12 ? 'a\u001b[31mred' : 'x'.repeat(200)));
    const [p] = testChanges(runs, 'demo', 'essay', { minChange: 0.1 });
    assert.match(p?.text ?? '', /from a\?\[31mred to x{79}…$/);
    assert.equal(p?.versions[0]?.to, 'x'.repeat(200), 'the record keeps the value as it was');
  });

  test('a version that changed one run before the point is named with where', () => {
    const runs = history(steps(12), () => 'm', (i) => (i < 11 ? '1.0.0' : '1.1.0'));
    const [p] = testChanges(runs, 'demo', 'essay', { minChange: 0.1 });
    assert.equal(p?.versions[0]?.field, 'executor_version');
    assert.equal(p?.versions[0]?.offset, -1);
    assert.match(p?.text ?? '', /executor version changed one run earlier \(run \S+\) from 1\.0\.0 to 1\.1\.0/);
  });

  test('a step with no version change says so; a shift below min_change is not reported', () => {
    const runs = history(steps(10), () => 'm');
    assert.match(testChanges(runs, 'demo', 'essay', { minChange: 0.1 })[0]?.text ?? '', /; no recorded version changed there$/);
    assert.deepEqual(testChanges(runs, 'demo', 'essay', { minChange: 0.3 }), []);
  });

  test('a run written before versions were recorded still yields its command and model from what it kept', () => {
    const runs = history(steps(10), () => 'm').map((r, i) => ({
      ...r, sut: undefined,
      tests: r.tests.map((t) => ({ ...t, versions: undefined, command: i < 10 ? 'claude -p a' : 'claude -p b' })),
    }));
    const [p] = testChanges(runs, 'demo', 'essay', { minChange: 0.1 });
    assert.deepEqual(p?.versions.map((v) => v.field), ['command_hash']);
  });
});
