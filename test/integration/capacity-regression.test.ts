/**
 * A capacity drop confirmed as a regression, end to end: real runs of one capacity search (the
 * embedded executor, a service of K slots: test/fixtures/runner/slots.ts) build the history, then
 * the bottleneck is halved and the next run's `capacity` verdict is judged by the sequential
 * confirmation (re-runs of the search) against that history. Capacity is higher-is-better
 * (src/result/measures.ts: bad "lower"), so the drop must end `regressed`.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createReview } from '../../src/commands/review.ts';
import { startExecutor } from '../../src/executor/server.ts';
import type { ExecutorServer } from '../../src/executor/types.ts';
import { measureDef } from '../../src/result/measures.ts';
import type { RunResult } from '../../src/result/types.ts';
import { startRunWith } from '../../src/runner/runner.ts';
import { writeCalmHost } from '../fixtures/runner/calm-host.ts';
import { makeSuite } from '../fixtures/runner/suite.ts';
import { setSlots, slotCommand } from '../fixtures/runner/slots.ts';

const K = 4;
let executor: ExecutorServer;
let dir: string;
let procRoot: string;

before(async () => {
  executor = await startExecutor({ port: 0 });
  dir = await mkdtemp(join(tmpdir(), 'stressd-capacity-regression-'));
  // A calm host, from fixture files (this machine's own pressure must not decide the verdicts).
  procRoot = await writeCalmHost(dir);
});
after(async () => {
  await executor.close();
  await rm(dir, { recursive: true, force: true });
});

test('capacity is higher-is-better: a drop is the bad direction', () => {
  assert.equal(measureDef('capacity').bad, 'lower');
});

test(`capacity ${K} in every run of the history, then ${K / 2} after the bottleneck is halved: regressed after the sequential confirmation`, async () => {
  const load = { search: { start: 1, max_sessions: 16, step_s: 1, max_seconds: 60, resolution: 0.1, slo: { first_output_p95_s: 10, error_ratio: 0.02 } } };
  const suite = makeSuite([{ id: 'slots', command: slotCommand(dir, 0.3), expected_patterns: ['served'], load }], { regression: { min_runs: 3, window_runs: 10 } });
  const target = { url: executor.url, localPid: process.pid };
  const history: RunResult[] = [];
  const runOnce = async (): Promise<RunResult> => {
    const handle = startRunWith({ suite, executor: target, reportsDir: dir, trigger: 'cli', review: createReview({ suite, history: () => history }) }, { procRoot });
    return handle.done;
  };

  setSlots(dir, K);
  for (let i = 0; i < 3; i++) {
    const before = await runOnce();
    assert.equal(before.tests[0]?.load?.search?.held, K, JSON.stringify(before.tests[0]?.load?.search));
    history.unshift(before);
  }

  setSlots(dir, K / 2);
  const after = await runOnce();
  const t = after.tests[0];
  assert.equal(t?.load?.search?.held, K / 2, JSON.stringify(t?.load?.search));
  const capacity = t?.regressions?.find((r) => r.measure === 'capacity');
  assert.ok(capacity, JSON.stringify(t?.regressions));
  assert.equal(capacity.verdict, 'regressed', JSON.stringify(capacity));
  // Sequential: the suspect alone is not a verdict; re-runs of the search (each at K/2 again) confirmed it.
  assert.ok((capacity.reruns?.length ?? 0) >= 1, JSON.stringify(capacity));
  assert.ok(capacity.reruns?.every((v) => v === K / 2), JSON.stringify(capacity.reruns));
});
